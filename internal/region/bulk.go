package region

// Bulk writes for generators (the synthetic city): tens of thousands of
// grids at once, without the checks and the one-grid-at-a-time cost of
// AddGrid.

import (
	"context"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
)

// SeedGrid is a grid for SeedGrids: Boundary is a GeoJSON geometry
// (WGS-84) and the Min/Max fields its box.
type SeedGrid struct {
	Code, Name, Community          string
	Boundary                       string
	MinLng, MinLat, MaxLng, MaxLat float64
}

// SeedGrids writes grids under stored communities in one transaction. The
// codes must be free; the caller keeps them unique. A server running on
// the database notices the new boundaries through BoundaryRevision.
func SeedGrids(ctx context.Context, d *db.DB, grids []SeedGrid, now time.Time) error {
	t := db.NewBatch("region", "", "code", "name", "level", "parent_code", "boundary",
		"min_lng", "min_lat", "max_lng", "max_lat", "created_at", "updated_at")
	ms := db.Millis(now)
	args := make([]any, 0, len(grids)*t.Columns())
	for _, g := range grids {
		if len(g.Code) != Grid.CodeLen() || ParentOf(g.Code) != g.Community {
			return fmt.Errorf("seed grid %s: not a grid code under %s", g.Code, g.Community)
		}
		args = append(args, g.Code, g.Name, int(Grid), g.Community, g.Boundary, g.MinLng, g.MinLat, g.MaxLng, g.MaxLat, ms, ms)
	}
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		if err := t.Insert(ctx, tx, args); err != nil {
			return err
		}
		return boundariesChanged(ctx, tx)
	}); err != nil {
		return fmt.Errorf("seed grids: %w", err)
	}
	return nil
}
