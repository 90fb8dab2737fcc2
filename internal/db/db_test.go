package db_test

import (
	"context"
	"errors"
	"testing"

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
