package geo_test

import (
	"context"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/region"
)

// A grid edited on this server places cases at once; another server's
// cache sees the edit within its poll interval.
func TestCacheSeesBoundaryEdits(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	now := db.Millis(time.Now().Add(-time.Hour))
	for _, r := range []struct {
		code, name string
		level      int
		parent     any
	}{
		{"41", "Henan", 1, nil},
		{"4104", "Pingdingshan", 2, "41"},
		{"410411", "Zhanhe", 3, "4104"},
		{"410411001", "Street 1", 4, "410411"},
		{"410411001001", "Community 1", 5, "410411001"},
		{"410411001001001", "Grid 1", 6, "410411001001"},
	} {
		if _, err := d.Exec(ctx, `INSERT INTO region (code, name, level, parent_code, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, r.code, r.name, r.level, r.parent, now, now); err != nil {
			t.Fatalf("insert %s: %v", r.code, err)
		}
	}
	const poll = 200 * time.Millisecond
	here := &geo.Cache{DB: d, Poll: time.Hour} // only Invalidate refreshes it
	other := &geo.Cache{DB: d, Poll: poll}
	store := &region.Store{DB: d, Changed: here.Invalidate}
	p := geo.Point{Lng: 113.305, Lat: 33.71}
	for _, c := range []*geo.Cache{here, other} {
		ix, err := c.Index(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if code, ok := ix.Locate(p); ok {
			t.Fatalf("before the edit the point is in %s", code)
		}
	}

	shape := `{"type":"Polygon","coordinates":[[[113.30,33.70],[113.31,33.70],[113.31,33.72],[113.30,33.72],[113.30,33.70]]]}`
	if _, err := store.UpdateGrid(ctx, access.System(), "410411001001001", "Grid 1", []byte(shape)); err != nil {
		t.Fatal(err)
	}
	ix, err := here.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if code, ok := ix.Locate(p); !ok || code != "410411001001001" {
		t.Fatalf("right after the edit: located %q, %v; want the edited grid", code, ok)
	}

	time.Sleep(poll + 50*time.Millisecond)
	ix, err = other.Index(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if code, ok := ix.Locate(p); !ok || code != "410411001001001" {
		t.Fatalf("another server after its poll interval: located %q, %v; want the edited grid", code, ok)
	}

	// Removing the boundary is seen as well.
	if _, err := store.UpdateGrid(ctx, access.System(), "410411001001001", "Grid 1", []byte("null")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(poll + 50*time.Millisecond)
	for name, c := range map[string]*geo.Cache{"here": here, "other": other} {
		ix, err := c.Index(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if code, ok := ix.Locate(p); ok {
			t.Fatalf("%s: after removing the boundary the point is still in %s", name, code)
		}
	}
}
