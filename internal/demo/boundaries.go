package demo

import (
	"context"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/region"
)

// drawBoundaries gives each demo community that has none an illustrative
// boundary: a tiling of the district's area into irregular cells, in code
// order. They are not the real community limits — none are published — but
// they let the demo find a report's community from its coordinates.
func drawBoundaries(ctx context.Context, d *db.DB, communities []region.Region) (int, error) {
	cells := geo.SyntheticGrids(410411, len(communities), Center(), 0.12)
	drawn := 0
	// One transaction: a commit per community costs more than the writes.
	err := d.InTx(ctx, func(tx *db.Tx) error {
		for i, c := range communities {
			if i >= len(cells) {
				break
			}
			shape := cells[i].Shape
			b := shape.BBox()
			set, err := region.SetBoundaryIfMissing(ctx, tx, c.Code, BoundaryJSON(shape), b.MinLng, b.MinLat, b.MaxLng, b.MaxLat)
			if err != nil {
				return err
			}
			if set {
				drawn++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return drawn, nil
}
