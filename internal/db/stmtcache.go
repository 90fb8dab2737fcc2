package db

import (
	"container/list"
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps the prepared statements of one SQLite pool by query text,
// the most recently used first, so a query the application runs again is
// not parsed again: through database/sql, modernc's driver otherwise
// prepares every statement anew, which was a third of the CPU of a case's
// report, filing and dispatch. database/sql prepares a cached statement once
// on each connection of the pool that runs it, and Tx.StmtContext reuses it
// inside transactions. PostgreSQL needs none of this: pgx keeps a
// statement cache per connection itself.
type stmtCache struct {
	pool *sql.DB
	max  int

	mu     sync.Mutex
	byText map[string]*list.Element // of *cachedStmt
	recent *list.List
}

type cachedStmt struct {
	query string
	stmt  *sql.Stmt
	// users pin the statement between taking it from the cache and
	// starting to run it; one evicted meanwhile is closed by its last user
	// (database/sql keeps it alive for rows still open after that).
	users   int
	evicted bool
}

// stmtCacheSize bounds the statements kept per pool. The application's
// query texts are a few hundred; a text built with a varying IN list adds
// one per list length, and the least recently used go first.
const stmtCacheSize = 512

func newStmtCache(pool *sql.DB, max int) *stmtCache {
	return &stmtCache{pool: pool, max: max, byText: map[string]*list.Element{}, recent: list.New()}
}

// cached returns the kept statement of q, pinned (release it once it has
// run), else nil.
func (c *stmtCache) cached(q string) *cachedStmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byText[q]; ok {
		c.recent.MoveToFront(e)
		x := e.Value.(*cachedStmt)
		x.users++
		return x
	}
	return nil
}

// release unpins x, closing it if it was evicted while pinned.
func (c *stmtCache) release(x *cachedStmt) {
	c.mu.Lock()
	defer c.mu.Unlock()
	x.users--
	if x.evicted && x.users == 0 {
		x.stmt.Close() //nolint:errcheck // nothing to do about it
	}
}

// get returns the statement of q, pinned, preparing it on first use. q
// must have passed rebind.
func (c *stmtCache) get(ctx context.Context, q string) (*cachedStmt, error) {
	if x := c.cached(q); x != nil {
		return x, nil
	}
	// Prepared outside the lock: parsing takes a while, and two goroutines
	// preparing the same text at once is harmless.
	st, err := c.pool.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byText[q]; ok {
		st.Close() //nolint:errcheck // a duplicate nobody else holds
		c.recent.MoveToFront(e)
		x := e.Value.(*cachedStmt)
		x.users++
		return x, nil
	}
	x := &cachedStmt{query: q, stmt: st, users: 1}
	c.byText[q] = c.recent.PushFront(x)
	for c.recent.Len() > c.max {
		old := c.recent.Remove(c.recent.Back()).(*cachedStmt)
		delete(c.byText, old.query)
		old.evicted = true
		if old.users == 0 {
			old.stmt.Close() //nolint:errcheck // nothing to do about it
		}
	}
	return x, nil
}

// len is the number of statements kept.
func (c *stmtCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.recent.Len()
}

// close closes every statement kept.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.recent.Front(); e != nil; e = e.Next() {
		e.Value.(*cachedStmt).stmt.Close() //nolint:errcheck // closing down
	}
	c.byText, c.recent = map[string]*list.Element{}, list.New()
}
