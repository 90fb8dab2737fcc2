package geo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/geo"
)

func TestLoadIndex(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	now := db.Millis(time.Now())
	const (
		streetShape    = `{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[113.2,33.6],[113.4,33.6],[113.4,33.8],[113.2,33.8],[113.2,33.6]]]}}`
		communityShape = `{"type":"MultiPolygon","coordinates":[[[[113.30,33.70],[113.32,33.70],[113.32,33.72],[113.30,33.72],[113.30,33.70]]]]}`
		gridShape      = `{"type":"Polygon","coordinates":[[[113.30,33.70],[113.31,33.70],[113.31,33.72],[113.30,33.72],[113.30,33.70]]]}`
	)
	rows := []struct {
		code, name string
		level      int
		parent     any
		boundary   any
	}{
		{"41", "Henan", 1, nil, nil},
		{"4104", "Pingdingshan", 2, "41", nil},
		{"410411", "Zhanhe", 3, "4104", nil},
		{"410411001", "Street 1", 4, "410411", streetShape},
		{"410411001001", "Community 1", 5, "410411001", communityShape},
		{"410411001001001", "Grid 1", 6, "410411001001", gridShape},
		{"410411001001002", "Grid 2", 6, "410411001001", `{"type":"Polygon","coordinates":[[[113.31,33.70]`},
		{"410411001001003", "Grid 3", 6, "410411001001", `{"type":"Point","coordinates":[113.31,33.70]}`},
		{"410411001001004", "Grid 4", 6, "410411001001", nil},
	}
	for _, r := range rows {
		if _, err := d.Exec(ctx, `INSERT INTO region (code, name, level, parent_code, boundary, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.code, r.name, r.level, r.parent, r.boundary, now, now); err != nil {
			t.Fatalf("insert %s: %v", r.code, err)
		}
	}

	ix, err := geo.LoadIndex(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 3 {
		t.Errorf("Len = %d, want 3", ix.Len())
	}
	if got, want := ix.Skipped(), []string{"410411001001002", "410411001001003"}; !slices.Equal(got, want) {
		t.Errorf("Skipped = %v, want %v", got, want)
	}
	for _, tt := range []struct {
		p    geo.Point
		want string
	}{
		{geo.Point{Lng: 113.305, Lat: 33.71}, "410411001001001"},
		{geo.Point{Lng: 113.315, Lat: 33.71}, "410411001001"},
		{geo.Point{Lng: 113.35, Lat: 33.75}, "410411001"},
	} {
		if got, ok := ix.Locate(tt.p); !ok || got != tt.want {
			t.Errorf("Locate(%v) = %q, %v; want %q", tt.p, got, ok, tt.want)
		}
	}
	if code, ok := ix.Locate(geo.Point{Lng: 116.4, Lat: 39.9}); ok {
		t.Errorf("Locate in Beijing = %q", code)
	}
}

func TestLoadIndexEmpty(t *testing.T) {
	ix, err := geo.LoadIndex(context.Background(), dbtest.Open(t))
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 0 || len(ix.Skipped()) != 0 {
		t.Errorf("Len %d, Skipped %v; want an empty index", ix.Len(), ix.Skipped())
	}
	if _, ok := ix.Locate(geo.Point{Lng: 113.3, Lat: 33.7}); ok {
		t.Error("empty index located a point")
	}
}

func TestLoadIndexCancelled(t *testing.T) {
	d := dbtest.Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := geo.LoadIndex(ctx, d); err == nil {
		t.Error("LoadIndex with a cancelled context succeeded")
	}
}
