package geo_test

import (
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/geo"
)

func TestMultiPolygonJSONReadsBack(t *testing.T) {
	mp := geo.MultiPolygon{{{{113.1234567891, 33.7}, {113.2, 33.7}, {113.2, 33.8}, {113.1234567891, 33.7}}}}
	full, err := geo.ParseGeoJSON(geo.MultiPolygonJSON(mp, -1))
	if err != nil {
		t.Fatal(err)
	}
	if full[0][0][0] != mp[0][0][0] {
		t.Fatalf("full precision: got %v, want %v", full[0][0][0], mp[0][0][0])
	}
	six := string(geo.MultiPolygonJSON(mp, 6))
	if !strings.Contains(six, "[113.123457,33.700000]") {
		t.Fatalf("six decimals: %s", six)
	}
	if _, err := geo.ParseGeoJSON([]byte(six)); err != nil {
		t.Fatal(err)
	}
}
