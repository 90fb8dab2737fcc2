package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/site"
)

// TestDemoGeographyIsConsistent checks the demo as a reviewer would: every
// community lies inside its street and every street inside the district;
// every site lies inside the community it is filed under, whose street its
// address names; every case lies inside its community.
func TestDemoGeographyIsConsistent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	app := servertest.New(t)
	deps := demo.CaseDeps{DB: app.DB, Problems: app.Problems, Media: app.Media, Categories: app.Categories, Org: app.Org, Regions: app.Regions}
	if n, err := demo.LoadCases(ctx, deps, time.Now(), 80, 30); err != nil || n < 40 {
		t.Fatalf("demo cases: %d, %v", n, err)
	}
	if _, _, err := demo.LoadInspections(ctx, demo.InspectDeps{CaseDeps: deps, Sites: app.Sites, Inspect: app.Inspect}, time.Now()); err != nil {
		t.Fatal(err)
	}

	bounds, err := region.Boundaries(ctx, app.DB)
	if err != nil {
		t.Fatal(err)
	}
	shapes := map[string]geo.MultiPolygon{}
	for _, b := range bounds {
		mp, err := geo.ParseGeoJSON([]byte(b.GeoJSON))
		if err != nil {
			t.Fatalf("boundary of %s: %v", b.Code, err)
		}
		shapes[b.Code] = mp
	}
	streets, err := demo.Streets(ctx, app.Regions)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	// inside reports the first vertex of inner outside outer, if any.
	inside := func(inner, outer geo.MultiPolygon) (geo.Point, bool) {
		for _, pg := range inner {
			for _, ring := range pg {
				for _, p := range ring {
					if !outer.Contains(p) {
						return p, false
					}
				}
			}
		}
		return geo.Point{}, true
	}
	for _, st := range streets {
		names[st.Code] = st.Name
		ss, ok := shapes[st.Code]
		if !ok {
			t.Fatalf("street %s %s has no boundary", st.Code, st.Name)
		}
		if p, ok := inside(ss, shapes[demo.District]); !ok {
			t.Errorf("street %s leaves the district at %v", st.Name, p)
		}
		for _, c := range st.Communities {
			names[c.Code] = c.Name
			cs, ok := shapes[c.Code]
			if !ok {
				t.Fatalf("community %s %s has no boundary", c.Code, c.Name)
			}
			if p, ok := inside(cs, ss); !ok {
				t.Errorf("community %s leaves its street %s at %v", c.Name, st.Name, p)
			}
			// Neighbours do not overlap: the inside point of one is in no other.
			if p, ok := geo.InteriorPoint(cs); ok {
				for _, o := range st.Communities {
					if o.Code != c.Code && shapes[o.Code].Contains(p) && !onEdge(shapes[o.Code], p) {
						t.Errorf("communities %s and %s overlap at %v", c.Name, o.Name, p)
					}
				}
			}
		}
	}

	sites, n, err := app.Sites.List(ctx, access.System(), site.Filter{Limit: 1000})
	if err != nil || n < 30 {
		t.Fatalf("demo sites: %d, %v", n, err)
	}
	placed := 0
	for _, x := range sites {
		if !x.HasPlace {
			continue
		}
		placed++
		if len(x.RegionCode) != 12 {
			t.Errorf("site %s is filed under %s, not a community", x.Name, x.RegionCode)
			continue
		}
		cs := shapes[x.RegionCode]
		if !cs.Contains(geo.Point{Lng: x.Lng, Lat: x.Lat}) {
			t.Errorf("site %s (%v, %v) is outside its community %s", x.Name, x.Lng, x.Lat, names[x.RegionCode])
		}
		g, err := geo.ParseGeoJSON([]byte(x.Geometry))
		if err == nil {
			if p, ok := inside(g, cs); !ok {
				t.Errorf("site %s's area leaves its community %s at %v", x.Name, names[x.RegionCode], p)
			}
		}
		// An address that names a street names the site's own.
		for _, st := range streets {
			if strings.Contains(x.Address, st.Name) && st.Code != x.RegionCode[:9] {
				t.Errorf("site %s: address %q names %s, but it is filed under %s of %s",
					x.Name, x.Address, st.Name, names[x.RegionCode], names[x.RegionCode[:9]])
			}
		}
		if x.TerritorialUnitName != "" && x.TerritorialUnitName != names[x.RegionCode] {
			t.Errorf("site %s in %s answers to %s", x.Name, names[x.RegionCode], x.TerritorialUnitName)
		}
	}
	if placed < 30 {
		t.Fatalf("only %d demo sites have a place", placed)
	}

	rows, err := app.DB.Query(ctx, "SELECT code, region_code, lng, lat FROM problem WHERE lng IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cases := 0
	for rows.Next() {
		var code, rc string
		var p geo.Point
		if err := rows.Scan(&code, &rc, &p.Lng, &p.Lat); err != nil {
			t.Fatal(err)
		}
		cases++
		if len(rc) < 12 || !shapes[rc[:12]].Contains(p) {
			t.Errorf("case %s at %v is outside its community %s", code, p, rc)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if cases < 20 {
		t.Fatalf("only %d demo cases have a place", cases)
	}
}

// onEdge reports whether p lies on mp's outline (shared by neighbours).
func onEdge(mp geo.MultiPolygon, p geo.Point) bool {
	for _, d := range [][2]float64{{1e-6, 0}, {-1e-6, 0}, {0, 1e-6}, {0, -1e-6}} {
		if !mp.Contains(geo.Point{Lng: p.Lng + d[0], Lat: p.Lat + d[1]}) {
			return true
		}
	}
	return false
}
