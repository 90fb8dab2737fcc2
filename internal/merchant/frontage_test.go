package merchant

import (
	"math"
	"testing"

	"github.com/wenming-civic/wenming/internal/geo"
)

// At latitude 33.72 (湛河区), one metre is 1/111,195 of a degree of
// latitude and 1/(111,195·cos 33.72°) = 1/92,504 of a degree of longitude.
const lat0, lng0 = 33.72, 113.30

func east(m float64) float64  { return m / (metresPerDegree * math.Cos(lat0*math.Pi/180)) }
func north(m float64) float64 { return m / metresPerDegree }

func at(e, n float64) geo.Point { return geo.Point{Lng: lng0 + east(e), Lat: lat0 + north(n)} }

func TestFrontageWorkedGeometry(t *testing.T) {
	place := at(0, 0)
	radius, err := ParseFrontage(FrontRadius, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	// A shop front along a street running east: from 20 m west to 20 m
	// east of the shop, 5 m either side.
	line, err := ParseFrontage(FrontLine, `{"type":"LineString","coordinates":[[`+ff(at(-20, 0).Lng)+`,`+ff(lat0)+`],[`+ff(at(20, 0).Lng)+`,`+ff(lat0)+`]]}`, 5)
	if err != nil {
		t.Fatal(err)
	}
	// A 30 m × 20 m forecourt east of the shop, with the corner at the shop.
	sq := [][2]float64{{at(0, 0).Lng, at(0, 0).Lat}, {at(30, 0).Lng, at(30, 0).Lat}, {at(30, 20).Lng, at(30, 20).Lat}, {at(0, 20).Lng, at(0, 20).Lat}, {at(0, 0).Lng, at(0, 0).Lat}}
	poly, err := ParseFrontage(FrontPolygon, geometryJSON("Polygon", [][][2]float64{sq}), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    Frontage
		p    geo.Point
		want bool
	}{
		{"radius: 6 m east, 8 m north is 10 m away (3-4-5)", radius, at(6, 7.99), true},
		{"radius: 6 m east, 8.1 m north is 10.08 m away", radius, at(6, 8.1), false},
		{"radius: on the shop", radius, at(0, 0), true},
		{"line: 4.9 m north of its middle", line, at(0, 4.9), true},
		{"line: 5.1 m north of its middle", line, at(0, 5.1), false},
		{"line: 3 m beyond its east end, 4 m south: 5 m from the end point", line, at(23, -3.99), true},
		{"line: 4 m beyond its east end on the axis", line, at(24, 0), true},
		{"line: 6 m beyond its east end on the axis", line, at(26, 0), false},
		{"polygon: inside", poly, at(15, 10), true},
		{"polygon: on its edge", poly, at(30, 10), true},
		{"polygon: 1 m outside", poly, at(31, 10), false},
		{"polygon: west of the shop", poly, at(-1, 5), false},
	} {
		if got := tc.f.Contains(place, tc.p); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		// The index never loses a point the exact test accepts.
		ix := NewIndex([]Entry{{ID: 7, Place: place, Frontage: tc.f}})
		if got := len(ix.Match(tc.p, nil)) == 1; got != tc.want {
			t.Errorf("%s through the index: %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, err := ParseFrontage(FrontLine, `{"type":"Point","coordinates":[113.3,33.7]}`, 5); err == nil {
		t.Error("a point accepted as a line")
	}
	if _, err := ParseFrontage(FrontRadius, "", 500); err == nil {
		t.Error("a radius of 500 m accepted")
	}
	if _, err := ParseFrontage(FrontPolygon, `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`, 0); err == nil {
		t.Error("a polygon outside China accepted")
	}
}

func TestIndexPicksTheRightFrontages(t *testing.T) {
	// Three shops 15 m apart on one street with 10 m radii: a point 7 m
	// east of the middle one is in its frontage and in the east
	// neighbour's (8 m away), not in the west one's (22 m).
	var es []Entry
	for i, e := range []float64{-15, 0, 15} {
		f, _ := ParseFrontage(FrontRadius, "", 10)
		es = append(es, Entry{ID: int64(i + 1), Place: at(e, 0), Frontage: f})
	}
	got := NewIndex(es).Match(at(7, 0), nil)
	if len(got) != 2 || got[0]+got[1] != 5 {
		t.Errorf("matched %v, want merchants 2 and 3", got)
	}
}

func ff(x float64) string { return fmtFloat(x) }
