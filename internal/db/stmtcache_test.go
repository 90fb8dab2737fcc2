package db

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// kept is the statement c keeps for q, or nil, without pinning it.
func kept(c *stmtCache, q string) *sql.Stmt {
	x := c.cached(q)
	if x == nil {
		return nil
	}
	c.release(x)
	return x.stmt
}

// openSQLite opens a bare SQLite database with one table (dbtest cannot be
// imported here: it imports this package).
func openSQLite(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	d, err := Open(ctx, Options{SQLitePath: filepath.Join(t.TempDir(), "cache.db"), Readers: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Exec(ctx, "CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestStatementsArePreparedOnceAndReused(t *testing.T) {
	ctx := context.Background()
	d := openSQLite(t)
	const insert = "INSERT INTO kv (k, v) VALUES (?, ?)"
	for i, k := range []string{"a", "b", "c"} {
		if _, err := d.Exec(ctx, insert, k, i); err != nil {
			t.Fatal(err)
		}
	}
	first := kept(d.writeStmts, insert)
	if first == nil {
		t.Fatal("the insert was not kept after it ran")
	}
	if _, err := d.Exec(ctx, insert, "d", 4); err != nil {
		t.Fatal(err)
	}
	if again := kept(d.writeStmts, insert); again != first {
		t.Fatal("the insert was prepared again")
	}
	// A unique violation still reaches the caller through a kept statement.
	if _, err := d.Exec(ctx, insert, "a", 9); !IsUniqueViolation(err) {
		t.Fatalf("duplicate through the cache: want a unique violation, got %v", err)
	}
	var sum int
	if err := d.QueryRow(ctx, "SELECT SUM(v) FROM kv WHERE k <> ?", "zz").Scan(&sum); err != nil || sum != 0+1+2+4 {
		t.Fatalf("sum %d, err %v", sum, err)
	}
	if kept(d.readStmts, "SELECT SUM(v) FROM kv WHERE k <> ?") == nil {
		t.Fatal("the reader's query was not kept")
	}
	// A query the placeholder rewrite refuses fails every time, and is never
	// kept.
	const unsafe = "SELECT v FROM kv WHERE k = '?' AND v = ?"
	for range 2 {
		if _, err := d.Query(ctx, unsafe, 1); err == nil {
			t.Fatal("an unsafe query ran")
		}
	}
	if kept(d.readStmts, unsafe) != nil {
		t.Fatal("an unsafe query was kept")
	}
}

func TestTransactionsUseAndFillTheCache(t *testing.T) {
	ctx := context.Background()
	d := openSQLite(t)
	const upsert = "INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = kv.v + excluded.v"
	run := func() {
		t.Helper()
		err := d.InTx(ctx, func(tx *Tx) error {
			for range 3 {
				if _, err := tx.Exec(ctx, upsert, "n", 1); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	run() // not kept yet: it runs unprepared and is kept after the commit
	first := kept(d.writeStmts, upsert)
	if first == nil {
		t.Fatal("the transaction's statement was not kept after the commit")
	}
	run() // through the kept statement
	if kept(d.writeStmts, upsert) != first {
		t.Fatal("the statement was prepared again")
	}
	var v int
	if err := d.QueryRow(ctx, "SELECT v FROM kv WHERE k = ?", "n").Scan(&v); err != nil || v != 6 {
		t.Fatalf("v %d, err %v", v, err)
	}
}

func TestTheLeastRecentlyUsedStatementIsClosed(t *testing.T) {
	ctx := context.Background()
	d := openSQLite(t)
	c := newStmtCache(d.read, 2)
	t.Cleanup(c.close)
	prepare := func(q string) *cachedStmt {
		t.Helper()
		x, err := c.get(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		c.release(x)
		return x
	}
	a := prepare("SELECT 1")
	prepare("SELECT 2")
	kept(c, "SELECT 1") // used again: now SELECT 2 is the oldest
	prepare("SELECT 3")
	if c.len() != 2 || kept(c, "SELECT 2") != nil || kept(c, "SELECT 1") != a.stmt {
		t.Fatalf("kept %d; SELECT 2 kept %v", c.len(), kept(c, "SELECT 2") != nil)
	}
	// A statement pinned by a caller about to run it survives its
	// eviction until released; unpinned, eviction closes it.
	pinned := c.cached("SELECT 1")
	prepare("SELECT 4")
	prepare("SELECT 5")
	var n int
	if err := pinned.stmt.QueryRowContext(ctx).Scan(&n); err != nil || n != 1 {
		t.Fatalf("a pinned statement was closed under its user: %v", err)
	}
	c.release(pinned)
	if err := pinned.stmt.QueryRowContext(ctx).Scan(&n); err == nil {
		t.Fatal("an evicted statement still ran after its last release")
	}
}

// TestCachedStatementsUnderChurn: many goroutines running more texts than
// the cache keeps never meet a statement closed under them.
func TestCachedStatementsUnderChurn(t *testing.T) {
	ctx := context.Background()
	d := openSQLite(t)
	d.readStmts = newStmtCache(d.read, 4)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				q := fmt.Sprintf("SELECT %d + ?", (g*7+i)%16) // 16 texts for 4 places
				var n int
				if err := d.QueryRow(ctx, q, 1).Scan(&n); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a query failed under churn: %v", err)
	}
}
