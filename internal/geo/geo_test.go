package geo_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/wenming-civic/wenming/internal/geo"
)

// ring makes a closed ring from lng, lat pairs.
func ring(xy ...float64) []geo.Point {
	var r []geo.Point
	for i := 0; i+1 < len(xy); i += 2 {
		r = append(r, geo.Point{Lng: xy[i], Lat: xy[i+1]})
	}
	return append(r, r[0])
}

// rect is a closed counter-clockwise rectangle ring.
func rect(minLng, minLat, maxLng, maxLat float64) []geo.Point {
	return ring(minLng, minLat, maxLng, minLat, maxLng, maxLat, minLng, maxLat)
}

func TestContains(t *testing.T) {
	square := geo.MultiPolygon{{rect(0, 0, 10, 10)}}
	holed := geo.MultiPolygon{{rect(0, 0, 10, 10), rect(4, 4, 6, 6)}}
	// A U open to the north: the notch 3..7 × 3..10 is outside.
	concave := geo.MultiPolygon{{ring(0, 0, 10, 0, 10, 10, 7, 10, 7, 3, 3, 3, 3, 10, 0, 10)}}
	diamond := geo.MultiPolygon{{ring(5, 0, 10, 5, 5, 10, 0, 5)}}
	multi := geo.MultiPolygon{{rect(0, 0, 10, 10)}, {rect(20, 20, 25, 25), rect(21, 21, 22, 22)}}
	clockwise := geo.MultiPolygon{{slicesReversed(rect(0, 0, 10, 10))}}
	open := geo.MultiPolygon{{rect(0, 0, 10, 10)[:4]}}
	slanted := geo.MultiPolygon{{ring(113.3, 33.7, 113.3017, 33.7003, 113.3011, 33.7029, 113.2993, 33.7011)}}
	a, b := slanted[0][0][0], slanted[0][0][1]
	mid := geo.Point{Lng: (a.Lng + b.Lng) / 2, Lat: (a.Lat + b.Lat) / 2}

	tests := []struct {
		name  string
		shape geo.MultiPolygon
		p     geo.Point
		want  bool
	}{
		{"inside", square, geo.Point{Lng: 5, Lat: 5}, true},
		{"outside east", square, geo.Point{Lng: 11, Lat: 5}, false},
		{"outside west on the ray line", square, geo.Point{Lng: -1, Lat: 5}, false},
		{"outside diagonal", square, geo.Point{Lng: -1, Lat: -1}, false},
		{"vertex", square, geo.Point{Lng: 0, Lat: 0}, true},
		{"far vertex", square, geo.Point{Lng: 10, Lat: 10}, true},
		{"bottom edge", square, geo.Point{Lng: 5, Lat: 0}, true},
		{"east edge", square, geo.Point{Lng: 10, Lat: 5}, true},
		{"west edge", square, geo.Point{Lng: 0, Lat: 5}, true},
		{"within tolerance of an edge", square, geo.Point{Lng: 5, Lat: -geo.EdgeTolerance / 10}, true},
		{"beyond tolerance of an edge", square, geo.Point{Lng: 5, Lat: -1e-7}, false},
		{"in the hole", holed, geo.Point{Lng: 5, Lat: 5}, false},
		{"between hole and outer ring", holed, geo.Point{Lng: 2, Lat: 5}, true},
		{"east of the hole on its ray", holed, geo.Point{Lng: 8, Lat: 5}, true},
		{"on the hole's edge", holed, geo.Point{Lng: 4, Lat: 5}, true},
		{"on the hole's vertex", holed, geo.Point{Lng: 6, Lat: 6}, true},
		{"concave arm", concave, geo.Point{Lng: 1, Lat: 8}, true},
		{"concave other arm", concave, geo.Point{Lng: 9, Lat: 8}, true},
		{"concave base", concave, geo.Point{Lng: 5, Lat: 1}, true},
		{"concave notch", concave, geo.Point{Lng: 5, Lat: 5}, false},
		{"concave notch, ray along the base of the notch", concave, geo.Point{Lng: 5, Lat: 3}, true},
		{"concave inner corner", concave, geo.Point{Lng: 7, Lat: 3}, true},
		{"diamond, ray through a vertex", diamond, geo.Point{Lng: 2, Lat: 5}, true},
		{"diamond, ray through two vertices", diamond, geo.Point{Lng: -1, Lat: 5}, false},
		{"diamond corner outside", diamond, geo.Point{Lng: 1, Lat: 1}, false},
		{"multipolygon first part", multi, geo.Point{Lng: 5, Lat: 5}, true},
		{"multipolygon second part", multi, geo.Point{Lng: 24, Lat: 24}, true},
		{"multipolygon second part's hole", multi, geo.Point{Lng: 21.5, Lat: 21.5}, false},
		{"multipolygon gap", multi, geo.Point{Lng: 15, Lat: 15}, false},
		{"clockwise ring", clockwise, geo.Point{Lng: 5, Lat: 5}, true},
		{"clockwise ring, outside", clockwise, geo.Point{Lng: 15, Lat: 5}, false},
		{"open ring", open, geo.Point{Lng: 5, Lat: 5}, true},
		{"open ring, closing edge", open, geo.Point{Lng: 0, Lat: 5}, true},
		{"computed midpoint of a slanted edge", slanted, mid, true},
		{"real-world inside", slanted, geo.Point{Lng: 113.3005, Lat: 33.701}, true},
		{"real-world outside", slanted, geo.Point{Lng: 113.3016, Lat: 33.7025}, false},
		{"empty", geo.MultiPolygon{}, geo.Point{Lng: 0, Lat: 0}, false},
		{"NaN", square, geo.Point{Lng: math.NaN(), Lat: 5}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.shape.Contains(tt.p); got != tt.want {
				t.Errorf("Contains(%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func slicesReversed(r []geo.Point) []geo.Point {
	out := slices.Clone(r)
	slices.Reverse(out)
	return out
}

func TestBBox(t *testing.T) {
	mp := geo.MultiPolygon{{rect(1, 2, 3, 4), rect(1.5, 2.5, 2, 3)}, {rect(-5, 0, -4, 1)}}
	want := geo.BBox{MinLng: -5, MinLat: 0, MaxLng: 3, MaxLat: 4}
	if got := mp.BBox(); got != want {
		t.Fatalf("BBox = %+v, want %+v", got, want)
	}
	if want.Area() != 32 {
		t.Errorf("Area = %v, want 32", want.Area())
	}
	if !(geo.MultiPolygon{}).BBox().IsEmpty() {
		t.Error("empty multipolygon has a non-empty box")
	}
	if (geo.MultiPolygon{}).BBox().Area() != 0 {
		t.Error("empty box has an area")
	}
	for _, tt := range []struct {
		p    geo.Point
		want bool
	}{
		{geo.Point{Lng: 0, Lat: 2}, true},
		{geo.Point{Lng: -5, Lat: 0}, true}, // corner
		{geo.Point{Lng: 3, Lat: 4}, true},  // corner
		{geo.Point{Lng: 3.1, Lat: 2}, false},
		{geo.Point{Lng: 0, Lat: -0.1}, false},
	} {
		if got := want.Contains(tt.p); got != tt.want {
			t.Errorf("Contains(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	for _, tt := range []struct {
		o    geo.BBox
		want bool
	}{
		{geo.BBox{MinLng: 0, MinLat: 0, MaxLng: 1, MaxLat: 1}, true},
		{geo.BBox{MinLng: 3, MinLat: 4, MaxLng: 5, MaxLat: 5}, true},       // touching corner
		{geo.BBox{MinLng: -10, MinLat: -10, MaxLng: 10, MaxLat: 10}, true}, // around
		{geo.BBox{MinLng: 3.5, MinLat: 0, MaxLng: 5, MaxLat: 5}, false},
		{geo.BBox{MinLng: 0, MinLat: 4.5, MaxLng: 1, MaxLat: 5}, false},
		{(geo.MultiPolygon{}).BBox(), false},
	} {
		if got := want.Intersects(tt.o); got != tt.want {
			t.Errorf("Intersects(%+v) = %v, want %v", tt.o, got, tt.want)
		}
		if got := tt.o.Intersects(want); got != tt.want {
			t.Errorf("reverse Intersects(%+v) = %v, want %v", tt.o, got, tt.want)
		}
	}
}

func TestParseGeoJSON(t *testing.T) {
	square := `[[[113.3,33.7],[113.31,33.7],[113.31,33.71],[113.3,33.71],[113.3,33.7]]]`
	good := []struct {
		name  string
		raw   string
		parts int
		in    geo.Point
	}{
		{"polygon", `{"type":"Polygon","coordinates":` + square + `}`, 1, geo.Point{Lng: 113.305, Lat: 33.705}},
		{"multipolygon", `{"type":"MultiPolygon","coordinates":[` + square + `,[[[0,0],[1,0],[1,1],[0,0]]]]}`, 2, geo.Point{Lng: 0.9, Lat: 0.5}},
		{"feature", `{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":` + square + `}}`, 1, geo.Point{Lng: 113.305, Lat: 33.705}},
		{"altitude", `{"type":"Polygon","coordinates":[[[0,0,5],[2,0,5],[2,2,5],[0,0,5]]]}`, 1, geo.Point{Lng: 1.5, Lat: 0.5}},
		{"hole", `{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[2,1],[2,2],[1,1]]]}`, 1, geo.Point{Lng: 3, Lat: 3}},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			mp, err := geo.ParseGeoJSON([]byte(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if len(mp) != tt.parts {
				t.Fatalf("got %d polygons, want %d", len(mp), tt.parts)
			}
			if !mp.Contains(tt.in) {
				t.Errorf("%v not inside", tt.in)
			}
		})
	}
	bad := []struct{ name, raw string }{
		{"not json", `{"type":`},
		{"point", `{"type":"Point","coordinates":[1,2]}`},
		{"feature collection", `{"type":"FeatureCollection","features":[]}`},
		{"feature without geometry", `{"type":"Feature","geometry":null}`},
		{"feature with a line", `{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}`},
		{"empty multipolygon", `{"type":"MultiPolygon","coordinates":[]}`},
		{"polygon without rings", `{"type":"Polygon","coordinates":[]}`},
		{"short ring", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`},
		{"open ring", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`},
		{"one number", `{"type":"Polygon","coordinates":[[[0,0],[1],[1,1],[0,0]]]}`},
		{"latitude out of range", `{"type":"Polygon","coordinates":[[[0,0],[1,91],[1,1],[0,0]]]}`},
		{"strings", `{"type":"Polygon","coordinates":[[["0","0"],[1,0],[1,1],[0,0]]]}`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := geo.ParseGeoJSON([]byte(tt.raw))
			if !errors.Is(err, geo.ErrGeoJSON) {
				t.Fatalf("got %v, want ErrGeoJSON", err)
			}
		})
	}
}
