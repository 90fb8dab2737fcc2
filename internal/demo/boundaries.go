package demo

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/region"
)

// districtCenter is roughly the middle of 湛河区 (WGS-84).
var districtCenter = geo.Point{Lng: 113.33, Lat: 33.70}

// drawBoundaries gives each demo community that has none an illustrative
// boundary: a tiling of the district's area into irregular cells, in code
// order. They are not the real community limits — none are published — but
// they let the demo find a report's community from its coordinates.
func drawBoundaries(ctx context.Context, d *db.DB, communities []region.Region) (int, error) {
	cells := geo.SyntheticGrids(410411, len(communities), districtCenter, 0.12)
	drawn := 0
	for i, c := range communities {
		if i >= len(cells) {
			break
		}
		shape := cells[i].Shape
		raw, err := json.Marshal(polygonJSON(shape))
		if err != nil {
			return drawn, fmt.Errorf("boundary of %s: %w", c.Code, err)
		}
		b := shape.BBox()
		set, err := region.SetBoundaryIfMissing(ctx, d, c.Code, string(raw), b.MinLng, b.MinLat, b.MaxLng, b.MaxLat)
		if err != nil {
			return drawn, err
		}
		if set {
			drawn++
		}
	}
	return drawn, nil
}

type geometry struct {
	Type        string           `json:"type"`
	Coordinates [][][][2]float64 `json:"coordinates"`
}

func polygonJSON(mp geo.MultiPolygon) geometry {
	g := geometry{Type: "MultiPolygon"}
	for _, pg := range mp {
		var rings [][][2]float64
		for _, ring := range pg {
			var pts [][2]float64
			for _, p := range ring {
				pts = append(pts, [2]float64{p.Lng, p.Lat})
			}
			rings = append(rings, pts)
		}
		g.Coordinates = append(g.Coordinates, rings)
	}
	return g
}
