package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/site"
)

type areaCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Properties struct {
			Code  string     `json:"code"`
			Name  string     `json:"name"`
			Level int        `json:"level"`
			Label [2]float64 `json:"label"`
		} `json:"properties"`
		Geometry struct {
			Type        string          `json:"type"`
			Coordinates [][][][]float64 `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

// TestPlaceAreasGeoJSON: the base layer lists the district and streets
// zoomed out, the communities from zoom 13, answers 304 to its own ETag
// and a new ETag once a boundary changed; anyone may read it.
func TestPlaceAreasGeoJSON(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	anon := app.Browser(t)
	for _, tc := range []struct {
		z                  string
		levels             map[int]int
		communities, grids bool
	}{
		{"11", map[int]int{3: 1, 4: 10}, false, false},
		{"13", map[int]int{3: 1, 4: 10, 5: 104}, true, false},
		{"16", map[int]int{3: 1, 4: 10, 5: 104}, true, true},
	} {
		res := anon.Get("/places/areas.geojson?z=" + tc.z)
		if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/geo+json") {
			t.Fatalf("z=%s: %d %s", tc.z, res.Status, res.Header.Get("Content-Type"))
		}
		var fc areaCollection
		if err := json.Unmarshal([]byte(res.Body), &fc); err != nil {
			t.Fatal(err)
		}
		got := map[int]int{}
		names := map[string]bool{}
		for _, f := range fc.Features {
			got[f.Properties.Level]++
			names[f.Properties.Name] = true
			if f.Geometry.Type != "MultiPolygon" || len(f.Geometry.Coordinates) == 0 || len(f.Geometry.Coordinates[0][0]) < 4 {
				t.Errorf("z=%s %s: geometry %s", tc.z, f.Properties.Code, f.Geometry.Type)
			}
			if f.Properties.Label[0] < 113 || f.Properties.Label[0] > 114 {
				t.Errorf("z=%s %s: label at %v", tc.z, f.Properties.Code, f.Properties.Label)
			}
		}
		for lvl, n := range tc.levels {
			if got[lvl] != n {
				t.Errorf("z=%s: %d areas of level %d, want %d (%v)", tc.z, got[lvl], lvl, n, got)
			}
		}
		if names["电力社区居民委员会"] != tc.communities || !names["马庄街道"] {
			t.Errorf("z=%s: names %v", tc.z, len(names))
		}
		etag := res.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("z=%s: no ETag", tc.z)
		}
		req, _ := http.NewRequest(http.MethodGet, app.URL+"/places/areas.geojson?z="+tc.z, nil)
		req.Header.Set("If-None-Match", etag)
		if again := anon.Do(req); again.Status != http.StatusNotModified || again.Body != "" {
			t.Errorf("z=%s: revalidation answered %d with %d bytes", tc.z, again.Status, len(again.Body))
		}
	}

	// A grid drawn by the community changes the outlines and their tag.
	before := anon.Get("/places/areas.geojson?z=16")
	office := app.SignedIn(t, "office")
	office.Get("/regions/410411001001")
	res := office.Post("/regions/410411001001/grids", url.Values{"name": {"电力一网格"},
		"boundary": {`{"type":"Polygon","coordinates":[[[113.2705,33.7495],[113.2715,33.7495],[113.2715,33.7505],[113.2705,33.7495]]]}`}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("add grid: %d %s", res.Status, res.Body)
	}
	after := anon.Get("/places/areas.geojson?z=16")
	if after.Header.Get("ETag") == before.Header.Get("ETag") || !strings.Contains(after.Body, "电力一网格") {
		t.Errorf("a new grid kept the ETag %s or is missing", after.Header.Get("ETag"))
	}
	if zoomedOut := anon.Get("/places/areas.geojson?z=11"); strings.Contains(zoomedOut.Body, "电力一网格") {
		t.Error("grids are drawn zoomed out")
	}
}

type pickAnswer struct {
	Parent  string `json:"parent"`
	Regions []struct {
		Code  string      `json:"code"`
		Name  string      `json:"name"`
		Level int         `json:"level"`
		Label *[2]float64 `json:"label"`
	} `json:"regions"`
	Sites []map[string]any `json:"sites"`
}

func getPick(t *testing.T, b *servertest.Browser, path string) (pickAnswer, servertest.Response) {
	t.Helper()
	res := b.Get(path)
	var a pickAnswer
	if res.Status == http.StatusOK {
		if err := json.Unmarshal([]byte(res.Body), &a); err != nil {
			t.Fatalf("%s: %v in %s", path, err, res.Body)
		}
	}
	return a, res
}

// TestPlacePicker walks street → community → site as a signed-in
// reporter and as the public form, and searches; the public answers carry
// names and places only, never an inactive site, a code, an address or a
// contact.
func TestPlacePicker(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	withDemoSites(t, app)
	// One site is retired: nobody is offered it.
	retired := siteByCode(t, app, "S410411-0038") // 电力小区
	if err := app.Sites.SetActive(context.Background(), access.System(), retired.ID, false); err != nil {
		t.Fatal(err)
	}
	volunteer := app.SignedIn(t, "volunteer")
	anon := app.Browser(t)
	for _, tc := range []struct {
		name   string
		b      *servertest.Browser
		prefix string
		public bool
	}{{"volunteer", volunteer, "/places", false}, {"public", anon, "/public/places", true}} {
		streets, res := getPick(t, tc.b, tc.prefix+"/regions")
		if res.Status != http.StatusOK || streets.Parent != "410411" || len(streets.Regions) != 10 || streets.Regions[0].Name != "马庄街道" ||
			streets.Regions[0].Label == nil {
			t.Fatalf("%s: streets %d %+v", tc.name, res.Status, streets)
		}
		comms, _ := getPick(t, tc.b, tc.prefix+"/regions?parent="+streets.Regions[0].Code)
		if len(comms.Regions) != 10 || comms.Regions[0].Code != "410411001001" || comms.Regions[0].Name != "电力社区居民委员会" {
			t.Fatalf("%s: communities %+v", tc.name, comms)
		}
		sites, _ := getPick(t, tc.b, tc.prefix+"/sites?region=410411001001")
		names := map[string]map[string]any{}
		for _, x := range sites.Sites {
			names[x["name"].(string)] = x
			if x["region"] != "410411001001" {
				t.Errorf("%s: site %v of region %v", tc.name, x["name"], x["region"])
			}
		}
		dianli, ok := names["电力社区"]
		if !ok || names["电力小区"] != nil {
			t.Fatalf("%s: sites of 电力社区 %v", tc.name, names)
		}
		if lng, _ := dianli["lng"].(float64); lng < 113 || lng > 114 {
			t.Errorf("%s: 电力社区 at %v", tc.name, dianli["lng"])
		}
		_, hasCode := dianli["code"]
		_, hasAddress := dianli["address"]
		_, hasID := dianli["id"]
		if hasCode == tc.public || hasAddress == tc.public || hasID == tc.public {
			t.Errorf("%s: 电力社区 answered as %v", tc.name, dianli)
		}
		for _, bad := range []string{"head", "phone", "1370000", "1360000", "liaison", "qr", "S410411"} {
			if tc.public && strings.Contains(res.Body+mustJSON(sites), bad) {
				t.Errorf("public picker shows %q", bad)
			}
		}

		found, res := getPick(t, tc.b, tc.prefix+"/search?q="+url.QueryEscape("电力"))
		fnames := map[string]bool{}
		for _, x := range found.Sites {
			fnames[x["name"].(string)] = true
		}
		if res.Status != http.StatusOK || !fnames["电力社区"] || fnames["电力小区"] || len(found.Regions) == 0 || found.Regions[0].Name != "电力社区居民委员会" {
			t.Errorf("%s: search 电力: %v %+v", tc.name, fnames, found.Regions)
		}
		// An address is searched only for signed-in people.
		byAddress, _ := getPick(t, tc.b, tc.prefix+"/search?q="+url.QueryEscape("白龟湖湖滨"))
		if (len(byAddress.Sites) == 0) != tc.public {
			t.Errorf("%s: address search found %d sites", tc.name, len(byAddress.Sites))
		}
	}
	// The member routes need a session.
	if res := anon.Get("/places/sites?region=410411001001"); res.Status != http.StatusSeeOther {
		t.Errorf("anonymous member picker: %d", res.Status)
	}
}

// TestPublicPlacesThrottled: the public look-ups have their own budget
// per address, apart from the reports'.
func TestPublicPlacesThrottled(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	anon := app.Browser(t)
	limited := false
	for i := 0; i < 130 && !limited; i++ {
		limited = anon.Get("/public/places/regions").Status == http.StatusTooManyRequests
	}
	if !limited {
		t.Fatal("130 look-ups a minute were all answered")
	}
	if res := anon.Get("/public/report"); res.Status != http.StatusOK {
		t.Errorf("the public form shares the look-ups' budget: %d", res.Status)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

var _ = site.MaxPicks
