package region_test

import (
	"context"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/region"
)

// TestSeedGrids writes grids in bulk and reads them back as the store and
// the spatial index do.
func TestSeedGrids(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	mustImport(t, s, region.DemoSources()...)
	before, err := region.BoundaryRevision(ctx, s.DB)
	if err != nil {
		t.Fatal(err)
	}
	square := `{"type":"MultiPolygon","coordinates":[[[[113.3,33.7],[113.31,33.7],[113.31,33.71],[113.3,33.71],[113.3,33.7]]]]}`
	grids := []region.SeedGrid{
		{Code: "410411001001001", Name: "电力社区第1网格", Community: "410411001001", Boundary: square,
			MinLng: 113.3, MinLat: 33.7, MaxLng: 113.31, MaxLat: 33.71},
		{Code: "410411001001002", Name: "电力社区第2网格", Community: "410411001001", Boundary: square,
			MinLng: 113.3, MinLat: 33.7, MaxLng: 113.31, MaxLat: 33.71},
	}
	if err := region.SeedGrids(ctx, s.DB, grids, time.Now()); err != nil {
		t.Fatal(err)
	}
	g, err := s.Get(ctx, "410411001001002")
	if err != nil {
		t.Fatal(err)
	}
	if g.Level != region.Grid || g.ParentCode != "410411001001" || g.Name != "电力社区第2网格" || g.Boundary == "" {
		t.Errorf("seeded grid reads back as %+v", g)
	}
	if n, err := region.CountGrids(ctx, s.DB, "410411", "410412"); err != nil || n != 2 {
		t.Errorf("%d grids, %v", n, err)
	}
	if after, _ := region.BoundaryRevision(ctx, s.DB); after == before {
		t.Error("the boundary revision did not move: servers would not see the grids")
	}
	bs, err := region.Boundaries(ctx, s.DB)
	if err != nil || len(bs) != 2 {
		t.Errorf("%d boundaries, %v", len(bs), err)
	}
	// A code that is not a grid of its community is refused, and nothing
	// of the batch is written.
	bad := []region.SeedGrid{{Code: "410411001001003", Name: "好", Community: "410411001001", Boundary: square},
		{Code: "410411001002001", Name: "错", Community: "410411001001", Boundary: square}}
	if err := region.SeedGrids(ctx, s.DB, bad, time.Now()); err == nil {
		t.Error("a grid under the wrong community was seeded")
	}
	if n, _ := region.CountGrids(ctx, s.DB, "410411", "410412"); n != 2 {
		t.Errorf("%d grids after a refused batch", n)
	}
	// The codes must be free.
	if err := region.SeedGrids(ctx, s.DB, grids[:1], time.Now()); err == nil {
		t.Error("a grid was seeded twice")
	}
}
