package problem

// What a domain that links cases to places of its own (a merchant's
// frontage, 门前三包) asks of the ledger: the filed cases with a place, in
// filing order from a watermark, and a few facts of given cases for its
// counts. The ledger alone reads its tables.

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
)

// PlacedCase is a filed case's place and category.
type PlacedCase struct {
	ID, CategoryID int64
	Lng, Lat       float64
	FiledAt        time.Time
}

// FiledPlaced returns up to limit cases with a place and a category filed
// after (filedAt, afterID) in (filed_at, id) order: a caller keeps the last
// one as its watermark. Rejected cases are never filed; merged ones are
// returned (the caller counts states through Facts).
func (s *Store) FiledPlaced(ctx context.Context, filedAt time.Time, afterID int64, limit int) ([]PlacedCase, error) {
	ms := db.Millis(filedAt)
	rows, err := s.DB.Query(ctx, `SELECT id, category_id, lng, lat, filed_at FROM problem
		WHERE filed_at >= ? AND (filed_at > ? OR id > ?) AND lng IS NOT NULL AND lat IS NOT NULL AND category_id IS NOT NULL
		ORDER BY filed_at, id LIMIT ?`, ms, ms, afterID, limit)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (PlacedCase, error) {
		var c PlacedCase
		var filed int64
		err := r.Scan(&c.ID, &c.CategoryID, &c.Lng, &c.Lat, &filed)
		c.FiledAt = db.FromMillis(filed)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("filed cases with a place: %w", err)
	}
	return out, nil
}

// Fact is what another domain counts of a case it links to: its state,
// source, deadline and reworks.
type Fact struct {
	ID           int64
	Code         string
	CategoryID   int64
	Source       Source
	State        State
	Description  string
	Deadline     time.Time
	FiledAt      time.Time
	RectifiedAt  time.Time
	ClosedAt     time.Time
	ReworkCount  int
	ReturnCount  int
	EscalationLv int
}

// Late reports whether the case missed its deadline: rectified after it,
// or still not rectified at asOf past it.
func (f Fact) Late(asOf time.Time) bool {
	if f.Deadline.IsZero() || f.State == Rejected || f.State == Duplicate {
		return false
	}
	done := f.RectifiedAt
	if done.IsZero() {
		done = f.ClosedAt
	}
	if done.IsZero() {
		done = asOf
	}
	return done.After(f.Deadline)
}

// Facts returns the facts of the cases with the ids; unknown ids are left out.
func (s *Store) Facts(ctx context.Context, ids []int64) (map[int64]Fact, error) {
	rows, err := db.CollectIn(ctx, s.DB, `SELECT id, code, COALESCE(category_id, 0), source, state, description, deadline, filed_at,
		rectified_at, closed_at, rework_count, return_count, escalation_level FROM problem WHERE id IN (`+db.ListMarker+")", ids,
		func(r *sql.Rows) (Fact, error) {
			var f Fact
			var deadline, filed, rectified, closed sql.NullInt64
			err := r.Scan(&f.ID, &f.Code, &f.CategoryID, &f.Source, &f.State, &f.Description, &deadline, &filed, &rectified, &closed,
				&f.ReworkCount, &f.ReturnCount, &f.EscalationLv)
			f.Deadline, f.FiledAt = db.FromNullMillis(deadline), db.FromNullMillis(filed)
			f.RectifiedAt, f.ClosedAt = db.FromNullMillis(rectified), db.FromNullMillis(closed)
			return f, err
		})
	if err != nil {
		return nil, fmt.Errorf("case facts: %w", err)
	}
	out := make(map[int64]Fact, len(rows))
	for _, f := range rows {
		out[f.ID] = f
	}
	return out, nil
}
