package geo

import (
	"context"
	"fmt"
	"slices"

	"github.com/wenming-civic/wenming/internal/db"
)

// LoadIndex builds an index of every region that has a boundary. A boundary
// that does not parse is left out rather than failing the load — one badly
// drawn grid must not stop every other point from being located — and its
// code is listed by Index.Skipped for the caller to log.
func LoadIndex(ctx context.Context, d *db.DB) (*Index, error) {
	rows, err := d.Query(ctx, `SELECT code, level, boundary FROM region WHERE boundary IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("load region boundaries: %w", err)
	}
	defer rows.Close()
	var (
		areas   []Area
		skipped []string
	)
	for rows.Next() {
		var (
			a   Area
			raw string
		)
		if err := rows.Scan(&a.Code, &a.Level, &raw); err != nil {
			return nil, fmt.Errorf("load region boundaries: %w", err)
		}
		shape, err := ParseGeoJSON([]byte(raw))
		if err != nil {
			skipped = append(skipped, a.Code)
			continue
		}
		a.Shape = shape
		areas = append(areas, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load region boundaries: %w", err)
	}
	ix := NewIndex(areas)
	slices.Sort(skipped) // rows come in no particular order
	ix.skipped = skipped
	return ix, nil
}
