package auth

import (
	"sync"
	"time"
)

// Every API request names its token: reading the token's row took one
// query per request beside the organisation's generation, which the
// request reads anyway for its actor. The tokens are kept in memory for
// one generation instead; revoking a token counts the generation up in
// the same transaction (org.Changed), so a revoked token is refused at
// once on every server, as a disabled user or a changed role is.

// maxCachedTokens bounds the cache; past it, it starts again empty.
const maxCachedTokens = 10_000

// tokenCache holds the live tokens of one generation by their hash.
type tokenCache struct {
	mu     sync.Mutex
	gen    string
	byHash map[string]cachedToken
}

// cachedToken is what a request needs of a token's row.
type cachedToken struct {
	id, userID int64
	lastUsed   time.Time // as last written, to touch the row once a minute
}

func newTokenCache() *tokenCache { return &tokenCache{byHash: map[string]cachedToken{}} }

func (c *tokenCache) get(gen, hash string) (cachedToken, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return cachedToken{}, false
	}
	x, ok := c.byHash[hash]
	return x, ok
}

// put keeps a token read under gen, the generation read before its row.
func (c *tokenCache) put(gen, hash string, x cachedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || len(c.byHash) >= maxCachedTokens {
		c.gen, c.byHash = gen, map[string]cachedToken{}
	}
	c.byHash[hash] = x
}
