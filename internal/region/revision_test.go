package region_test

import (
	"context"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/region"
)

// TestBoundaryRevisionChangesWithEveryGridChange: every way grids change
// gives BoundaryRevision a new value, also when the rows' updated_at does
// not move forward (written by a server whose clock runs ahead), which a
// fingerprint of the rows would miss.
func TestBoundaryRevisionChangesWithEveryGridChange(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, testdata()...)
	a := office("410411")
	const community = "410411001001"
	seen := map[string]string{}
	check := func(step string) {
		t.Helper()
		rev, err := region.BoundaryRevision(ctx, s.DB)
		if err != nil {
			t.Fatal(err)
		}
		if prev, dup := seen[rev]; dup {
			t.Errorf("%s: revision %q unchanged since %s", step, rev, prev)
		}
		seen[rev] = step
	}
	// Another server, its clock an hour ahead, wrote a region last: the
	// changes below do not raise the latest updated_at.
	ahead := db.Millis(time.Now().Add(time.Hour))
	if _, err := s.DB.Exec(ctx, "UPDATE region SET updated_at = ? WHERE code = ?", ahead, community); err != nil {
		t.Fatal(err)
	}
	check("start")
	g, err := s.AddGrid(ctx, a, community, "第一网格", []byte(square))
	if err != nil {
		t.Fatal(err)
	}
	check("add")
	moved := `{"type":"Polygon","coordinates":[[[113.4,33.7],[113.41,33.7],[113.41,33.71],[113.4,33.71],[113.4,33.7]]]}`
	if _, err := s.UpdateGrid(ctx, a, g.Code, "第一网格", []byte(moved)); err != nil {
		t.Fatal(err)
	}
	check("redraw")
	if _, err := s.ImportGrids(ctx, a, community, []byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"name":"第二网格"},"geometry":`+square+`}]}`)); err != nil {
		t.Fatal(err)
	}
	check("import")
	if err := s.DeleteGrid(ctx, a, g.Code); err != nil {
		t.Fatal(err)
	}
	check("delete")
	if set, err := region.SetBoundaryIfMissing(ctx, s.DB, community, square, 113.3, 33.7, 113.31, 33.71); err != nil || !set {
		t.Fatalf("set boundary: %v %v", set, err)
	}
	check("a generator's boundary")
}
