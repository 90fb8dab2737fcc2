package db_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	d := dbtest.OpenEmpty(t)
	first, err := d.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := db.Migrations()
	if len(first.Applied) != len(all) || first.Current != all[len(all)-1].Version {
		t.Fatalf("first run applied %d of %d, current %d", len(first.Applied), len(all), first.Current)
	}
	second, err := d.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Applied) != 0 || second.Current != first.Current {
		t.Fatalf("second run applied %d, current %d", len(second.Applied), second.Current)
	}
}

func TestTransactionRollsBackAndUniqueViolation(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	boom := errors.New("boom")
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO setting (name, value) VALUES (?, ?)", "a", "1"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v", err)
	}
	var n int
	if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM setting WHERE name = ?", "a").Scan(&n); err != nil || n != 0 {
		t.Fatalf("rolled-back row visible: n=%d err=%v", n, err)
	}
	if _, err := d.Exec(ctx, "INSERT INTO setting (name, value) VALUES (?, ?)", "b", "1"); err != nil {
		t.Fatal(err)
	}
	_, err = d.Exec(ctx, "INSERT INTO setting (name, value) VALUES (?, ?)", "b", "2")
	if !db.IsUniqueViolation(err) {
		t.Fatalf("duplicate insert: want unique violation, got %v", err)
	}
}

// A failed statement inside a savepoint undoes only the savepoint's
// writes: the transaction goes on and commits what came before and after
// (on PostgreSQL the failure would otherwise abort the transaction).
func TestSavepointKeepsTheTransaction(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	if _, err := d.Exec(ctx, "INSERT INTO setting (name, value) VALUES (?, ?)", "taken", "1"); err != nil {
		t.Fatal(err)
	}
	var inner error
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO setting (name, value) VALUES (?, ?)", "before", "1"); err != nil {
			return err
		}
		inner = tx.Savepoint(ctx, "probe", func() error {
			if _, err := tx.Exec(ctx, "INSERT INTO setting (name, value) VALUES (?, ?)", "inside", "1"); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO setting (name, value) VALUES (?, ?)", "taken", "2")
			return err
		})
		if err := tx.Savepoint(ctx, "kept", func() error {
			_, err := tx.Exec(ctx, "INSERT INTO setting (name, value) VALUES (?, ?)", "kept", "1")
			return err
		}); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO setting (name, value) VALUES (?, ?)", "after", "1")
		return err
	})
	if err != nil {
		t.Fatalf("transaction: %v", err)
	}
	if !db.IsUniqueViolation(inner) {
		t.Fatalf("savepoint returned %v, want the unique violation", inner)
	}
	for name, want := range map[string]int{"before": 1, "inside": 0, "kept": 1, "after": 1, "taken": 1} {
		var n int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM setting WHERE name = ?", name).Scan(&n); err != nil || n != want {
			t.Errorf("setting %q: %d rows (err %v), want %d", name, n, err, want)
		}
	}
}

// TestWALIsCheckpointedBesideTheWriter: what the writer commits reaches
// the database file without a checkpoint of its own (its automatic one
// is set far off): the background checkpoint copies it.
func TestWALIsCheckpointedBesideTheWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wal.db")
	d, err := db.Open(ctx, db.Options{SQLitePath: path, CheckpointEvery: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec(ctx, "CREATE TABLE filler (body BLOB)"); err != nil {
		t.Fatal(err)
	}
	for range 64 { // 2 MB in the WAL, far below the writer's own line
		if _, err := d.Exec(ctx, "INSERT INTO filler (body) VALUES (randomblob(32768))"); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() >= 2<<20 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the database file holds %d bytes 5 s after 2 MB were committed: nothing checkpointed", st.Size())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAppendedRows: rows appended in a transaction are seen by its next
// statement, committed with it, undone with a failed savepoint or a
// rolled-back transaction, and a failing appended insert fails the
// transaction (on PostgreSQL they go as one statement; on SQLite at once).
func TestAppendedRows(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	count := func(c interface {
		QueryRow(context.Context, string, ...any) *sql.Row
	}, prefix string) int {
		t.Helper()
		var n int
		if err := c.QueryRow(ctx, "SELECT COUNT(*) FROM setting WHERE name LIKE ?", prefix+"%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	put := "INSERT INTO setting (name, value) VALUES (?, ?)"
	err := d.InTx(ctx, func(tx *db.Tx) error {
		for i := range 3 {
			if err := tx.Append(ctx, put, "seen-"+strconv.Itoa(i), "1"); err != nil {
				return err
			}
		}
		if n := count(tx, "seen-"); n != 3 {
			t.Errorf("the transaction's next statement saw %d appended rows, want 3", n)
		}
		for i := range 2 {
			if err := tx.Append(ctx, put, "committed-"+strconv.Itoa(i), "1"); err != nil {
				return err
			}
		}
		inner := tx.Savepoint(ctx, "probe", func() error {
			if err := tx.Append(ctx, put, "undone-1", "1"); err != nil {
				return err
			}
			return tx.Append(ctx, put, "seen-0", "again") // taken
		})
		if !db.IsUniqueViolation(inner) {
			t.Errorf("the savepoint returned %v, want the unique violation", inner)
		}
		return tx.Append(ctx, put, "committed-last", "1") // sent with the commit
	})
	if err != nil {
		t.Fatal(err)
	}
	for prefix, want := range map[string]int{"seen-": 3, "committed-": 3, "undone-": 0} {
		if n := count(d, prefix); n != want {
			t.Errorf("%s: %d rows, want %d", prefix, n, want)
		}
	}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.Append(ctx, put, "lost-1", "1"); err != nil {
			return err
		}
		// Taken: on SQLite it fails at once; on PostgreSQL it is queued and
		// fails with the commit.
		err := tx.Append(ctx, put, "seen-1", "again")
		if queued := tx.Dialect() == db.Postgres; queued != (err == nil) {
			t.Errorf("%s: the failing append returned %v at once", tx.Dialect(), err)
		}
		return err
	})
	if !db.IsUniqueViolation(err) {
		t.Fatalf("a transaction with a failing appended row returned %v", err)
	}
	if n := count(d, "lost-"); n != 0 {
		t.Errorf("%d rows of the failed transaction kept", n)
	}
}
