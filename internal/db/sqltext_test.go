package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
)

// TestPlaceholderRewriteRefusesUnsafeQueries: a ? the rewrite cannot tell
// from a placeholder fails every way of running a query, with
// ErrUnsafeQuery, on both databases; placeholders around quoted text and
// comments are numbered right.
func TestPlaceholderRewriteRefusesUnsafeQueries(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	unsafe := map[string]string{
		"in a string":       "SELECT COUNT(*) FROM setting WHERE name = 'why?' AND value = ?",
		"in a quoted name":  `SELECT COUNT(*) AS "how many?" FROM setting WHERE name = ?`,
		"in a line comment": "SELECT COUNT(*) FROM setting -- which ones?\nWHERE name = ?",
		"in a comment":      "SELECT COUNT(*) FROM setting /* which? */ WHERE name = ?",
		"numbered":          "SELECT COUNT(*) FROM setting WHERE name = ?1",
		"beside a $":        "SELECT COUNT(*) FROM setting WHERE name = ? AND value = $1",
		"unterminated":      "SELECT COUNT(*) FROM setting WHERE name = ? AND value = 'x",
		"open comment":      "SELECT COUNT(*) FROM setting WHERE name = ? /* x",
	}
	for name, q := range unsafe {
		t.Run(name, func(t *testing.T) {
			var n int
			err := d.QueryRow(ctx, q, "a").Scan(&n)
			if !errors.Is(err, db.ErrUnsafeQuery) {
				t.Errorf("QueryRow: %v, want ErrUnsafeQuery", err)
			}
			if _, err := d.Query(ctx, q, "a"); !errors.Is(err, db.ErrUnsafeQuery) {
				t.Errorf("Query: %v", err)
			}
			if _, err := d.Exec(ctx, "DELETE"+q[len("SELECT COUNT(*)"):], "a"); !errors.Is(err, db.ErrUnsafeQuery) {
				t.Errorf("Exec: %v", err)
			}
			if err := d.ExecReturning(ctx, q, "a").Scan(&n); !errors.Is(err, db.ErrUnsafeQuery) {
				t.Errorf("ExecReturning: %v", err)
			}
			err = d.InTx(ctx, func(tx *db.Tx) error {
				if _, err := tx.Exec(ctx, "DELETE"+q[len("SELECT COUNT(*)"):], "a"); !errors.Is(err, db.ErrUnsafeQuery) {
					t.Errorf("Tx.Exec: %v", err)
				}
				if _, err := tx.Query(ctx, q, "a"); !errors.Is(err, db.ErrUnsafeQuery) {
					t.Errorf("Tx.Query: %v", err)
				}
				return tx.QueryRow(ctx, q, "a").Scan(&n)
			})
			if !errors.Is(err, db.ErrUnsafeQuery) {
				t.Errorf("Tx.QueryRow: %v", err)
			}
		})
	}

	// Quoted text, doubled quotes, a $ and comments without a ? are fine, and
	// the placeholders after them keep their order.
	if _, err := d.Exec(ctx, "INSERT INTO setting (name, value) VALUES (?, ?)", "it's", "$5"); err != nil {
		t.Fatal(err)
	}
	var value, joined string
	err := d.QueryRow(ctx, `SELECT value, ? || 'it''s "x" -- $1' || ? FROM setting /* one row */
		WHERE name = ? -- by name
		AND value = '$5'`, "<", ">", "it's").Scan(&value, &joined)
	if err != nil || value != "$5" || joined != `<it's "x" -- $1>` {
		t.Errorf("query with quotes and comments: %q %q %v", value, joined, err)
	}
}

// TestHintsAndLocksRun: the hints and locks make valid SQL on either
// database, and write nothing on the one that takes none.
func TestHintsAndLocksRun(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	h := d.Dialect().Hints()
	if on := d.Dialect() == db.SQLite; h.On() != on {
		t.Errorf("hints on %v for %s", h.On(), d.Dialect())
	}
	if off := (db.Hints{}); off.On() || off.IndexedBy("problem p", "problem_state") != "problem p" || off.NoIndex("p.unit_id") != "p.unit_id" {
		t.Error("the zero Hints writes hints")
	}
	var n int
	q := "SELECT COUNT(*) FROM " + h.IndexedBy("problem p", "problem_state") + " WHERE p.state = ? AND " + h.NoIndex("p.unit_id") + " = ?"
	if err := d.QueryRow(ctx, q, "filed", 1).Scan(&n); err != nil || n != 0 {
		t.Errorf("%s: %d, %v", q, n, err)
	}
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO setting (name, value) VALUES (?, ?)", "lock", "1"); err != nil {
			return err
		}
		var v string
		if err := tx.QueryRow(ctx, "SELECT value FROM setting WHERE name = ?"+tx.ForUpdate(), "lock").Scan(&v); err != nil {
			return err
		}
		if (tx.ForUpdate() != "") != (d.Dialect() == db.Postgres) {
			t.Errorf("ForUpdate %q on %s", tx.ForUpdate(), d.Dialect())
		}
		if err := tx.LockShared(ctx, "setting"); err != nil {
			return err
		}
		return tx.Analyze(ctx, "setting")
	})
	if err != nil {
		t.Fatal(err)
	}
}
