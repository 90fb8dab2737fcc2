package geo_test

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/wenming-civic/wenming/internal/geo"
)

// Codes of a small tree: a street, a community and its grids.
const (
	street    = "410411001"
	community = "410411001001"
	grid1     = "410411001001001"
	grid2     = "410411001001002"
	grid3     = "410411001001003"
)

// smallAreas: the community is the square 113.30–113.32 × 33.70–33.72;
// grid1 is its western half, grid2 the south-east quarter, the north-east
// quarter has no grid, and grid3 (far off) has a hole.
func smallAreas() []geo.Area {
	return []geo.Area{
		{Code: street, Level: 4, Shape: geo.MultiPolygon{{rect(113.2, 33.6, 113.4, 33.8)}}},
		{Code: community, Level: 5, Shape: geo.MultiPolygon{{rect(113.30, 33.70, 113.32, 33.72)}}},
		{Code: grid1, Level: 6, Shape: geo.MultiPolygon{{rect(113.30, 33.70, 113.31, 33.72)}}},
		{Code: grid2, Level: 6, Shape: geo.MultiPolygon{{rect(113.31, 33.70, 113.32, 33.71)}}},
		{Code: grid3, Level: 6, Shape: geo.MultiPolygon{
			{rect(113.25, 33.65, 113.27, 33.67), rect(113.255, 33.655, 113.265, 33.665)},
			{rect(113.35, 33.75, 113.36, 33.76)},
		}},
		{Code: "410411001001004", Level: 6}, // no boundary drawn: not indexed
	}
}

func TestLocate(t *testing.T) {
	ix := geo.NewIndex(smallAreas())
	if ix.Len() != 5 {
		t.Fatalf("Len = %d, want 5", ix.Len())
	}
	tests := []struct {
		name string
		p    geo.Point
		want string
	}{
		{"grid over its community", geo.Point{Lng: 113.305, Lat: 33.715}, grid1},
		{"other grid", geo.Point{Lng: 113.315, Lat: 33.705}, grid2},
		{"community outside every grid", geo.Point{Lng: 113.315, Lat: 33.715}, community},
		{"street outside every community", geo.Point{Lng: 113.33, Lat: 33.73}, street},
		{"shared edge goes to the smaller grid", geo.Point{Lng: 113.31, Lat: 33.705}, grid2},
		{"community edge, no grid", geo.Point{Lng: 113.32, Lat: 33.715}, community},
		{"grid's hole falls back to the street", geo.Point{Lng: 113.26, Lat: 33.66}, street},
		{"grid's ring around the hole", geo.Point{Lng: 113.252, Lat: 33.66}, grid3},
		{"grid's second part", geo.Point{Lng: 113.355, Lat: 33.755}, grid3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ix.Locate(tt.p)
			if !ok || got != tt.want {
				t.Errorf("Locate(%v) = %q, %v; want %q", tt.p, got, ok, tt.want)
			}
		})
	}
	if code, ok := ix.Locate(geo.Point{Lng: 116.4, Lat: 39.9}); ok {
		t.Errorf("Locate outside everything = %q, want none", code)
	}
	if code, ok := geo.NewIndex(nil).Locate(geo.Point{Lng: 113.3, Lat: 33.7}); ok {
		t.Errorf("empty index located %q", code)
	}
	if s := ix.Skipped(); len(s) != 0 {
		t.Errorf("Skipped = %v, want none", s)
	}
}

func TestLocateTieIsStable(t *testing.T) {
	// Two grids with the same box: the smaller code wins, in any order.
	a := geo.Area{Code: "410411001001002", Level: 6, Shape: geo.MultiPolygon{{rect(0, 0, 1, 1)}}}
	b := geo.Area{Code: "410411001001001", Level: 6, Shape: geo.MultiPolygon{{rect(0, 0, 1, 1)}}}
	for _, areas := range [][]geo.Area{{a, b}, {b, a}} {
		if got, _ := geo.NewIndex(areas).Locate(geo.Point{Lng: 0.5, Lat: 0.5}); got != b.Code {
			t.Errorf("got %s, want %s", got, b.Code)
		}
	}
	// A deeper level beats a smaller box.
	big := geo.Area{Code: "410411001001009", Level: 6, Shape: geo.MultiPolygon{{rect(0, 0, 2, 2)}}}
	small := geo.Area{Code: "410411001001", Level: 5, Shape: geo.MultiPolygon{{rect(0, 0, 1, 1)}}}
	if got, _ := geo.NewIndex([]geo.Area{small, big}).Locate(geo.Point{Lng: 0.5, Lat: 0.5}); got != big.Code {
		t.Errorf("got %s, want the grid %s", got, big.Code)
	}
}

// bruteLocate is Locate without the index: every area, same ranking.
func bruteLocate(areas []geo.Area, p geo.Point) (string, bool) {
	var best *geo.Area
	for i := range areas {
		a := &areas[i]
		if !a.Shape.Contains(p) {
			continue
		}
		if best == nil || cmp.Or(
			cmp.Compare(best.Level, a.Level),
			cmp.Compare(a.Shape.BBox().Area(), best.Shape.BBox().Area()),
			strings.Compare(a.Code, best.Code),
		) < 0 {
			best = a
		}
	}
	if best == nil {
		return "", false
	}
	return best.Code, true
}

func TestLocateMatchesBruteForce(t *testing.T) {
	center := geo.Point{Lng: 113.3, Lat: 33.7}
	areas := withCommunities(geo.SyntheticGrids(7, 2000, center, 0.05))
	ix := geo.NewIndex(areas)
	if ix.Len() != 2000+20 {
		t.Fatalf("Len = %d, want 2020", ix.Len())
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		// A little beyond the square, to hit misses too.
		p := geo.Point{Lng: center.Lng + 0.06*(rng.Float64()-0.5), Lat: center.Lat + 0.06*(rng.Float64()-0.5)}
		got, gotOK := ix.Locate(p)
		want, wantOK := bruteLocate(areas, p)
		if got != want || gotOK != wantOK {
			t.Fatalf("Locate(%v) = %q, %v; brute force %q, %v", p, got, gotOK, want, wantOK)
		}
	}
	// Every vertex of every grid is on an edge: it must be located to a
	// grid, never fall through to a community or to nothing.
	for _, a := range areas[:200] {
		if a.Level != 6 {
			continue
		}
		for _, v := range a.Shape[0][0] {
			got, ok := ix.Locate(v)
			if want, _ := bruteLocate(areas, v); !ok || got != want || len(got) != 15 {
				t.Fatalf("vertex %v of %s: Locate = %q, brute force %q", v, a.Code, got, want)
			}
		}
	}
}

func TestLocateConcurrent(t *testing.T) {
	center := geo.Point{Lng: 113.3, Lat: 33.7}
	grids := geo.SyntheticGrids(3, 1000, center, 0.05)
	ix := geo.NewIndex(grids)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			for range 2000 {
				p := geo.Point{Lng: center.Lng + 0.05*(rng.Float64()-0.5), Lat: center.Lat + 0.05*(rng.Float64()-0.5)}
				if _, ok := ix.Locate(p); !ok {
					t.Errorf("point %v inside the tiling not located", p)
					return
				}
			}
		})
	}
	wg.Wait()
}

// withCommunities adds, for each community code the grids share, a
// rectangle around its grids, like a community drawn a little loosely.
func withCommunities(grids []geo.Area) []geo.Area {
	out := slices.Clone(grids)
	boxes := map[string]geo.BBox{}
	var order []string
	for _, g := range grids {
		c := g.Code[:12]
		b, seen := boxes[c]
		gb := g.Shape.BBox()
		if !seen {
			order = append(order, c)
			b = gb
		}
		boxes[c] = geo.BBox{
			MinLng: min(b.MinLng, gb.MinLng), MinLat: min(b.MinLat, gb.MinLat),
			MaxLng: max(b.MaxLng, gb.MaxLng), MaxLat: max(b.MaxLat, gb.MaxLat),
		}
	}
	for _, c := range order {
		b := boxes[c]
		out = append(out, geo.Area{Code: c, Level: 5, Shape: geo.MultiPolygon{{rect(b.MinLng, b.MinLat, b.MaxLng, b.MaxLat)}}})
	}
	return out
}

// ringArea is the unsigned shoelace area of a ring, in square degrees.
func ringArea(r []geo.Point) float64 {
	var s float64
	for i := range r {
		j := (i + 1) % len(r)
		s += r[i].Lng*r[j].Lat - r[j].Lng*r[i].Lat
	}
	return math.Abs(s) / 2
}

func TestSyntheticGrids(t *testing.T) {
	center := geo.Point{Lng: 113.3, Lat: 33.7}
	const span = 0.04
	for _, n := range []int{1, 2, 7, 150, 1000} {
		grids := geo.SyntheticGrids(42, n, center, span)
		if len(grids) != n {
			t.Fatalf("n=%d: got %d grids", n, len(grids))
		}
		codes := map[string]bool{}
		var total float64
		for _, g := range grids {
			if len(g.Code) != 15 || g.Level != 6 || codes[g.Code] {
				t.Fatalf("n=%d: bad or repeated code %q level %d", n, g.Code, g.Level)
			}
			codes[g.Code] = true
			r := g.Shape[0][0]
			if v := len(r) - 1; v < 8 || v > 20 {
				t.Errorf("n=%d: %s has %d vertices", n, g.Code, v)
			}
			if r[0] != r[len(r)-1] {
				t.Errorf("n=%d: %s ring not closed", n, g.Code)
			}
			total += ringArea(r)
		}
		// No gaps and no overlaps: the areas add up to the square, and
		// a random point is in exactly one grid.
		if math.Abs(total-span*span) > 1e-9*span*span {
			t.Errorf("n=%d: grids cover %.12g, want %.12g", n, total, span*span)
		}
		rng := rand.New(rand.NewPCG(uint64(n), 5))
		for range 500 {
			p := geo.Point{Lng: center.Lng + span*(rng.Float64()-0.5), Lat: center.Lat + span*(rng.Float64()-0.5)}
			in := 0
			for _, g := range grids {
				if g.Shape.Contains(p) {
					in++
				}
			}
			if in != 1 {
				t.Fatalf("n=%d: %v is in %d grids", n, p, in)
			}
		}
	}
	a := geo.SyntheticGrids(1, 100, center, span)
	b := geo.SyntheticGrids(1, 100, center, span)
	c := geo.SyntheticGrids(2, 100, center, span)
	if !slices.EqualFunc(a, b, sameArea) {
		t.Error("same seed, different grids")
	}
	if slices.EqualFunc(a, c, sameArea) {
		t.Error("different seeds, same grids")
	}
	if geo.SyntheticGrids(1, 0, center, span) != nil || geo.SyntheticGrids(1, 5, center, 0) != nil {
		t.Error("degenerate arguments gave grids")
	}
}

func sameArea(a, b geo.Area) bool {
	return a.Code == b.Code && slices.Equal(a.Shape[0][0], b.Shape[0][0])
}
