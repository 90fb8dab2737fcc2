package region_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// TestGridEditsPlaceCasesAtOnce: a grid imported or redrawn through the
// pages places the next case filed at a point inside it at once on the
// server that took the edit, and within its short check interval on a
// second server sharing the database.
func TestGridEditsPlaceCasesAtOnce(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	const poll = 200 * time.Millisecond
	other := app.Another(t, func(c *config.Config) { c.BoundaryPoll = poll })
	admin := app.SignedIn(t, "admin")
	token := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "office"), "热线")
	cat := servertest.CategoryID(t, app, "SR02")
	// file reports a case at (lng, lat) through the API of a and returns
	// the region it was placed in.
	file := func(a *servertest.App, lng, lat float64) string {
		t.Helper()
		status, body := servertest.APICall(t, a, "POST", "/api/v1/problems", token,
			fmt.Sprintf(`{"source":"hotline","category_id":%s,"description":"路面破损","lng":%v,"lat":%v}`, cat, lng, lat))
		var out struct {
			RegionCode string `json:"region_code"`
		}
		if status != http.StatusCreated || json.Unmarshal(body, &out) != nil {
			t.Fatalf("file a case: %d %s", status, body)
		}
		return out.RegionCode
	}
	const lng, lat = 113.3405, 33.7255
	square := func(x, y float64) string {
		return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%v,%v],[%v,%v],[%v,%v],[%v,%v],[%v,%v]]]}`,
			x-0.001, y-0.001, x+0.001, y-0.001, x+0.001, y+0.001, x-0.001, y+0.001, x-0.001, y-0.001)
	}
	// Both servers have built their index before the grid exists.
	for _, a := range []*servertest.App{app, other} {
		if code := file(a, lng, lat); len(code) > 12 {
			t.Fatalf("before the import the point is in grid %s", code)
		}
	}

	office := app.SignedIn(t, "office")
	office.Get("/regions/410411001001")
	collection := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"测试新网格"},"geometry":` + square(lng, lat) + `}]}`
	if res := uploadGrids(t, office, "/regions/410411001001/grids/import", collection); res.Status != http.StatusSeeOther {
		t.Fatalf("import: %d\n%s", res.Status, res.Body)
	}
	grid := gridNamed(t, app, "410411001001", "测试新网格")
	if code := file(app, lng, lat); code != grid {
		t.Fatalf("right after the import this server placed the case in %q, want the new grid %s", code, grid)
	}
	time.Sleep(poll + 100*time.Millisecond)
	if code := file(other, lng, lat); code != grid {
		t.Fatalf("after its check interval the other server placed the case in %q, want the new grid %s", code, grid)
	}

	// Redrawn elsewhere through the edit page: the point is no longer in it,
	// and a point in the new place is.
	const lng2, lat2 = 113.3505, 33.7355
	office.Get("/grids/" + grid + "/edit")
	if res := office.Post("/grids/"+grid, url.Values{"name": {"测试新网格"}, "boundary": {square(lng2, lat2)}}); res.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", res.Status, res.Body)
	}
	if code := file(app, lng, lat); code == grid {
		t.Fatalf("right after the edit the old place is still in %s", grid)
	}
	if code := file(app, lng2, lat2); code != grid {
		t.Fatalf("right after the edit the new place is in %q, want %s", code, grid)
	}
	time.Sleep(poll + 100*time.Millisecond)
	if old, moved := file(other, lng, lat), file(other, lng2, lat2); old == grid || moved != grid {
		t.Fatalf("the other server after its check interval: old place in %q, new place in %q, want the grid %s only at the new place", old, moved, grid)
	}
}

func gridNamed(t *testing.T, app *servertest.App, community, name string) string {
	t.Helper()
	grids, _, err := app.Regions.Children(context.Background(), community, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range grids {
		if g.Name == name {
			return g.Code
		}
	}
	t.Fatalf("no grid %s under %s", name, community)
	return ""
}

func uploadGrids(t *testing.T, b *servertest.Browser, path, content string) servertest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf", b.CSRF)
	f, _ := w.CreateFormFile("file", "grids.geojson")
	f.Write([]byte(content))
	w.Close()
	req, _ := http.NewRequest("POST", b.App.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.Do(req)
}
