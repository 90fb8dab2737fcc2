package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
)

// TestCollectInBatches: keys beyond one batch, repeats and zero values.
func TestCollectInBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	var keys []string
	err := d.InTx(ctx, func(tx *db.Tx) error {
		for i := range 1234 {
			k := fmt.Sprintf("t.key%04d", i)
			keys = append(keys, k, k)
			if _, err := tx.Exec(ctx, "INSERT INTO setting (name, value) VALUES (?, ?)", k, fmt.Sprint(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	keys = append(keys, "", "t.missing")
	got, err := db.CollectIn(ctx, d, "SELECT name FROM setting WHERE name IN ("+db.ListMarker+")", keys,
		func(r *sql.Rows) (string, error) {
			var s string
			return s, r.Scan(&s)
		})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if len(got) != 1234 || got[0] != "t.key0000" || got[1233] != "t.key1233" {
		t.Fatalf("CollectIn returned %d rows (%v … %v), want each of the 1234 keys once", len(got), got[:1], got[len(got)-1:])
	}
	if _, err := db.CollectIn(ctx, d, "SELECT nope FROM setting WHERE name IN ("+db.ListMarker+")", keys[:1],
		func(r *sql.Rows) (string, error) { return "", nil }); err == nil {
		t.Fatal("a failing query returned no error")
	}
}
