package db

import (
	"context"
	"path/filepath"
	"testing"
)

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
	first := d.writeStmts.cached(insert)
	if first == nil {
		t.Fatal("the insert was not kept after it ran")
	}
	if _, err := d.Exec(ctx, insert, "d", 4); err != nil {
		t.Fatal(err)
	}
	if again := d.writeStmts.cached(insert); again != first {
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
	if d.readStmts.cached("SELECT SUM(v) FROM kv WHERE k <> ?") == nil {
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
	if d.readStmts.cached(unsafe) != nil {
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
	kept := d.writeStmts.cached(upsert)
	if kept == nil {
		t.Fatal("the transaction's statement was not kept after the commit")
	}
	run() // through the kept statement
	if d.writeStmts.cached(upsert) != kept {
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
	a, err := c.get(ctx, "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.get(ctx, "SELECT 2"); err != nil {
		t.Fatal(err)
	}
	c.cached("SELECT 1") // used again: now SELECT 2 is the oldest
	if _, err := c.get(ctx, "SELECT 3"); err != nil {
		t.Fatal(err)
	}
	if c.len() != 2 || c.cached("SELECT 2") != nil || c.cached("SELECT 1") != a {
		t.Fatalf("kept %d; SELECT 2 kept %v", c.len(), c.cached("SELECT 2") != nil)
	}
	// Dropping a statement closes it; a closed statement refuses to run.
	if _, err := c.get(ctx, "SELECT 4"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.get(ctx, "SELECT 5"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := a.QueryRowContext(ctx).Scan(&n); err == nil {
		t.Fatal("an evicted statement still ran")
	}
}
