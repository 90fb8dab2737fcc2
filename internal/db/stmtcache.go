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
}

// stmtCacheSize bounds the statements kept per pool. The application's
// query texts are a few hundred; a text built with a varying IN list adds
// one per list length, and the least recently used go first.
const stmtCacheSize = 512

func newStmtCache(pool *sql.DB, max int) *stmtCache {
	return &stmtCache{pool: pool, max: max, byText: map[string]*list.Element{}, recent: list.New()}
}

// cached returns the statement of q if it is kept, else nil.
func (c *stmtCache) cached(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byText[q]; ok {
		c.recent.MoveToFront(e)
		return e.Value.(*cachedStmt).stmt
	}
	return nil
}

// get returns the prepared statement of q, preparing it on first use. q
// must have passed rebind.
func (c *stmtCache) get(ctx context.Context, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	if e, ok := c.byText[q]; ok {
		c.recent.MoveToFront(e)
		st := e.Value.(*cachedStmt).stmt
		c.mu.Unlock()
		return st, nil
	}
	c.mu.Unlock()
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
		return e.Value.(*cachedStmt).stmt, nil
	}
	c.byText[q] = c.recent.PushFront(&cachedStmt{query: q, stmt: st})
	for c.recent.Len() > c.max {
		old := c.recent.Remove(c.recent.Back()).(*cachedStmt)
		delete(c.byText, old.query)
		// A statement still in use by a query or a transaction stays open
		// until they finish: database/sql counts them.
		old.stmt.Close() //nolint:errcheck // nothing to do about it
	}
	return st, nil
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
