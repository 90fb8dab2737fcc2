package problem

// Small queries other domains make about cases: the open cases near a
// place, the held cases of an inspection round.

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/wenming-civic/wenming/internal/db"
)

// OpenPlacesIn calls fn with the place of every case inside the box that
// still needs something done: everything but closed, rejected and merged
// duplicates.
func OpenPlacesIn(ctx context.Context, c db.Conn, minLng, maxLng, minLat, maxLat float64, fn func(lng, lat float64)) error {
	rows, err := c.Query(ctx, `SELECT lng, lat FROM problem WHERE lng IS NOT NULL AND lat IS NOT NULL
		AND lng >= ? AND lng <= ? AND lat >= ? AND lat <= ?
		AND state IN ('reported', 'filed', 'dispatched', 'in_progress', 'parked', 'rectified')`, minLng, maxLng, minLat, maxLat)
	if err != nil {
		return fmt.Errorf("open cases in box: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var lng, lat float64
		if err := rows.Scan(&lng, &lat); err != nil {
			return fmt.Errorf("open cases in box: %w", err)
		}
		fn(lng, lat)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("open cases in box: %w", err)
	}
	return nil
}

// ReportedAmong returns, in id order, those of the cases that are still
// reported (held back, e.g. by a covert inspection round).
func ReportedAmong(ctx context.Context, c db.Conn, ids []int64) ([]int64, error) {
	out, err := db.CollectIn(ctx, c, "SELECT id FROM problem WHERE state = 'reported' AND id IN ("+db.ListMarker+")", ids,
		func(r *sql.Rows) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		})
	if err != nil {
		return nil, fmt.Errorf("reported cases: %w", err)
	}
	slices.Sort(out)
	return out, nil
}

// HasCases tells whether any case is stored.
func HasCases(ctx context.Context, c db.Conn) (bool, error) {
	var n int
	if err := c.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM problem LIMIT 1) x").Scan(&n); err != nil {
		return false, fmt.Errorf("count cases: %w", err)
	}
	return n > 0, nil
}

// Release lifts the hold of the cases with the ids (see ReportInput.Held),
// in the caller's transaction; their version moves so that a page opened
// before shows they changed.
func Release(ctx context.Context, c db.Conn, ids []int64) error {
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		if _, err := c.Exec(ctx, "UPDATE problem SET held = FALSE, version = version + 1 WHERE held AND id IN ("+
			db.Placeholders(len(part))+")", args...); err != nil {
			return fmt.Errorf("release held cases: %w", err)
		}
	}
	return nil
}
