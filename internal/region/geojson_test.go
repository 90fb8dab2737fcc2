package region

import (
	"errors"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/apperr"
)

func TestParseBoundary(t *testing.T) {
	ring := `[[116.3,39.9],[116.4,39.9],[116.4,40],[116.3,39.9]]`
	tests := []struct {
		name string
		in   string
		code string // "" for valid
		geom string // normalised geometry of a valid boundary
		box  [4]float64
	}{
		{"polygon", `{"type":"Polygon","coordinates":[` + ring + `]}`, "", `{"type":"Polygon","coordinates":[` + ring + `]}`, [4]float64{116.3, 39.9, 116.4, 40}},
		{"polygon with hole and altitude", `{"type":"Polygon","coordinates":[[[0,0,5],[10,0,5],[10,10,5],[0,10,5],[0,0,5]],[[1,1],[2,1],[2,2],[1,1]]]}`, "",
			`{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[1,1],[2,1],[2,2],[1,1]]]}`, [4]float64{0, 0, 10, 10}},
		{"multipolygon", `{"type":"MultiPolygon","coordinates":[[` + ring + `],[[[-180,-90],[180,-90],[180,90],[-180,-90]]]]}`, "",
			`{"type":"MultiPolygon","coordinates":[[` + ring + `],[[[-180,-90],[180,-90],[180,90],[-180,-90]]]]}`, [4]float64{-180, -90, 180, 90}},
		{"feature", `{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[` + ring + `]}}`, "",
			`{"type":"Polygon","coordinates":[` + ring + `]}`, [4]float64{116.3, 39.9, 116.4, 40}},
		{"not JSON", `{"type":`, "region.geojson.invalid", "", [4]float64{}},
		{"point", `{"type":"Point","coordinates":[116.3,39.9]}`, "region.geojson.bad_type", "", [4]float64{}},
		{"collection", `{"type":"FeatureCollection","features":[]}`, "region.geojson.bad_type", "", [4]float64{}},
		{"feature without geometry", `{"type":"Feature","properties":{},"geometry":null}`, "region.geojson.no_geometry", "", [4]float64{}},
		{"feature holding a line", `{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}`, "region.geojson.bad_type", "", [4]float64{}},
		{"longitude out of range", `{"type":"Polygon","coordinates":[[[181,0],[1,0],[1,1],[181,0]]]}`, "region.geojson.out_of_range", "", [4]float64{}},
		{"latitude out of range", `{"type":"Polygon","coordinates":[[[0,-91],[1,0],[1,1],[0,-91]]]}`, "region.geojson.out_of_range", "", [4]float64{}},
		{"ring too short", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`, "region.geojson.ring_too_short", "", [4]float64{}},
		{"ring not closed", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`, "region.geojson.ring_not_closed", "", [4]float64{}},
		{"position of one number", `{"type":"Polygon","coordinates":[[[0],[1,0],[1,1],[0]]]}`, "region.geojson.bad_coordinates", "", [4]float64{}},
		{"coordinates as strings", `{"type":"Polygon","coordinates":[[["0","0"],[1,0],[1,1],["0","0"]]]}`, "region.geojson.bad_coordinates", "", [4]float64{}},
		{"wrong nesting", `{"type":"Polygon","coordinates":[[0,0],[1,0],[1,1],[0,0]]}`, "region.geojson.bad_coordinates", "", [4]float64{}},
		{"no rings", `{"type":"Polygon","coordinates":[]}`, "region.geojson.empty", "", [4]float64{}},
		{"empty multipolygon", `{"type":"MultiPolygon","coordinates":[[]]}`, "region.geojson.empty", "", [4]float64{}},
		{"too many points", `{"type":"Polygon","coordinates":[[[0,0]` + strings.Repeat(`,[1,1]`, maxPositions) + `,[0,0]]]}`, "region.geojson.too_many_points", "", [4]float64{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := parseBoundary([]byte(tc.in))
			if tc.code != "" {
				var ae *apperr.Error
				if !errors.As(err, &ae) || ae.Code != tc.code || ae.Kind != apperr.KindInvalid {
					t.Fatalf("got %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.geometry != tc.geom {
				t.Errorf("geometry %s, want %s", b.geometry, tc.geom)
			}
			if got := [4]float64{b.minLng, b.minLat, b.maxLng, b.maxLat}; got != tc.box {
				t.Errorf("box %v, want %v", got, tc.box)
			}
		})
	}
}

func TestNextPrefix(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"410411", "410412", true},
		{"4199", "42", true},
		{"0", "1", true},
		{"99", "", false},
	}
	for _, tc := range tests {
		got, ok := NextPrefix(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("nextPrefix(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
