package region

import (
	"context"
	"fmt"

	"github.com/wenming-civic/wenming/internal/db"
)

// CountGrids counts the grids whose code lies in [from, to).
func CountGrids(ctx context.Context, c db.Conn, from, to string) (int, error) {
	var n int
	if err := c.QueryRow(ctx, "SELECT COUNT(*) FROM region WHERE level = ? AND code >= ? AND code < ?", int(Grid), from, to).Scan(&n); err != nil {
		return 0, fmt.Errorf("count grids: %w", err)
	}
	return n, nil
}

// SetBoundaryIfMissing stores a boundary (normalised GeoJSON) and its box
// for a region that has none, and tells whether it did. Generators use it;
// the spatial index notices through BoundaryRevision.
func SetBoundaryIfMissing(ctx context.Context, c db.Conn, code, geojson string, minLng, minLat, maxLng, maxLat float64) (bool, error) {
	res, err := c.Exec(ctx, `UPDATE region SET boundary = ?, min_lng = ?, min_lat = ?, max_lng = ?, max_lat = ?
		WHERE code = ? AND boundary IS NULL`, geojson, minLng, minLat, maxLng, maxLat, code)
	if err != nil {
		return false, fmt.Errorf("boundary of %s: %w", code, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("boundary of %s: %w", code, err)
	}
	if n == 1 {
		if err := boundariesChanged(ctx, c); err != nil {
			return false, err
		}
	}
	return n == 1, nil
}
