package db_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
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
