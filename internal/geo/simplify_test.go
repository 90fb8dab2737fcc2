package geo_test

import (
	"math"
	"testing"

	"github.com/wenming-civic/wenming/internal/geo"
)

func TestSimplify(t *testing.T) {
	t.Parallel()
	// A square whose edges carry 50 nearly collinear vertices each.
	var ring []geo.Point
	side := func(x0, y0, x1, y1 float64) {
		for i := 0; i < 50; i++ {
			f := float64(i) / 50
			wobble := 1e-6 * math.Sin(float64(i))
			ring = append(ring, geo.Point{Lng: x0 + f*(x1-x0) + wobble, Lat: y0 + f*(y1-y0) + wobble})
		}
	}
	side(0, 0, 1, 0)
	side(1, 0, 1, 1)
	side(1, 1, 0, 1)
	side(0, 1, 0, 0)
	ring = append(ring, ring[0])
	mp := geo.MultiPolygon{{ring}}
	for _, tc := range []struct {
		tol      float64
		min, max int
	}{{0, len(ring), len(ring)}, {1e-4, 5, 6}, {1e-8, 100, len(ring)}} {
		got := geo.Simplify(mp, tc.tol)
		n := len(got[0][0])
		if n < tc.min || n > tc.max {
			t.Errorf("tol %g: %d positions, want %d–%d", tc.tol, n, tc.min, tc.max)
		}
		if got[0][0][0] != got[0][0][n-1] {
			t.Errorf("tol %g: ring not closed", tc.tol)
		}
		if !got.Contains(geo.Point{Lng: 0.5, Lat: 0.5}) || got.Contains(geo.Point{Lng: 1.5, Lat: 0.5}) {
			t.Errorf("tol %g: the simplified square lost its shape", tc.tol)
		}
	}
}
