package auth

import "time"

// Every API request names its token: reading the token's row took one
// query per request beside the organisation's generation, which the
// request reads anyway for its actor. The tokens are kept in memory for
// one generation instead; revoking a token counts the generation up in
// the same transaction (org.Changed), so a revoked token is refused at
// once on every server, as a disabled user or a changed role is.

// maxCachedTokens bounds the cache; past it, it starts again empty.
const maxCachedTokens = 10_000

// cachedToken is what a request needs of a token's row.
type cachedToken struct {
	id, userID int64
	lastUsed   time.Time // as last written, to touch the row once a minute
}
