package geo_test

import (
	"testing"

	"github.com/wenming-civic/wenming/internal/geo"
)

func TestInteriorPoint(t *testing.T) {
	t.Parallel()
	square := geo.MultiPolygon{{{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {0, 0}}}}
	// A U: its centroid and its box's centre lie in the gap.
	u := geo.MultiPolygon{{{{0, 0}, {3, 0}, {3, 3}, {2, 3}, {2, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}}}}
	// A square with a hole in the middle.
	holed := geo.MultiPolygon{{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{1, 1}, {3, 1}, {3, 3}, {1, 3}, {1, 1}}}}
	two := geo.MultiPolygon{{{{10, 10}, {10.1, 10}, {10.1, 10.1}, {10, 10}}}, square[0]}
	for _, tc := range []struct {
		name string
		mp   geo.MultiPolygon
	}{{"square", square}, {"U", u}, {"hole", holed}, {"two parts", two}} {
		p, ok := geo.InteriorPoint(tc.mp)
		if !ok || !tc.mp.Contains(p) {
			t.Errorf("%s: interior point %v (ok %v) is not inside", tc.name, p, ok)
		}
	}
	if _, ok := geo.InteriorPoint(nil); ok {
		t.Error("an empty shape has an interior point")
	}
}
