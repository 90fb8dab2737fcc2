package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func TestRegionPages(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	b := app.Browser(t)
	b.SignIn("inspector", servertest.DemoPassword("inspector"))

	res := b.Get("/regions/410411001")
	servertest.MustContain(t, res.Body, "马庄街道", "电力社区居民委员会", "湛河区")
	req, _ := http.NewRequest("GET", app.URL+"/regions/410411001/children", nil)
	req.Header.Set("HX-Request", "true")
	res = b.Do(req)
	if res.Status != 200 || strings.Contains(res.Body, "<html") {
		t.Fatalf("children partial: %d, full page: %v", res.Status, strings.Contains(res.Body, "<html"))
	}
	servertest.MustContain(t, res.Body, `href="/regions/410411001001"`)

	res = b.Get("/regions/search?q=" + url.QueryEscape("姚孟"))
	servertest.MustContain(t, res.Body, "姚孟街道", "410411003")
	res = b.Get("/regions/search?q=" + url.QueryEscape("%"))
	servertest.MustContain(t, res.Body, "没有找到")
	if res := b.Get("/regions/999999999"); res.Status != http.StatusNotFound {
		t.Fatalf("unknown region: %d", res.Status)
	}
	// The inspector may look but not add grids.
	res = b.Get("/regions/410411001001")
	servertest.MustNotContain(t, res.Body, "新增网格")
	res = b.Post("/regions/410411001001/grids", url.Values{"name": {"第一网格"}})
	if res.Status != http.StatusForbidden {
		t.Fatalf("inspector added a grid: %d", res.Status)
	}
}

func TestGridsByOffice(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	b := app.Browser(t)
	b.SignIn("office", servertest.DemoPassword("office"))
	res := b.Get("/regions/410411001001")
	servertest.MustContain(t, res.Body, "新增网格", "批量导入网格")

	polygon := `{"type":"Polygon","coordinates":[[[113.30,33.70],[113.31,33.70],[113.31,33.71],[113.30,33.70]]]}`
	res = b.Post("/regions/410411001001/grids", url.Values{"name": {"电力一网格"}, "boundary": {polygon}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("add grid: %d\n%s", res.Status, res.Body)
	}
	res = b.Get("/regions/410411001001")
	servertest.MustContain(t, res.Body, "电力一网格", "410411001001001", "网格已添加")

	bad := []struct{ name, boundary, msg string }{
		{"电力二网格", `{"type":"Point","coordinates":[113.3,33.7]}`, "应为多边形"},
		{"电力二网格", `{"type":"Polygon","coordinates":[[[113.30,33.70],[113.31,33.70],[113.31,33.71],[113.32,33.72]]]}`, "未闭合"},
		{"电力二网格", `{"type":"Polygon","coordinates":[[[200,33.70],[113.31,33.70],[113.31,33.71],[200,33.70]]]}`, "超出范围"},
		{"电力一网格", ``, "已有名为"},
		{"", ``, "请填写网格名称"},
	}
	for _, tc := range bad {
		res := b.Post("/regions/410411001001/grids", url.Values{"name": {tc.name}, "boundary": {tc.boundary}})
		if res.Status != http.StatusBadRequest && res.Status != http.StatusConflict {
			t.Errorf("%s %s: status %d", tc.name, tc.boundary, res.Status)
		}
		servertest.MustContain(t, res.Body, tc.msg)
	}

	// Import: one bad feature rejects the whole file.
	badFile := `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"name":"北区网格"},"geometry":` + polygon + `},
		{"type":"Feature","properties":{},"geometry":` + polygon + `}]}`
	res = upload(t, b, "/regions/410411001001/grids/import", badFile)
	if res.Status != http.StatusBadRequest {
		t.Fatalf("bad import: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, res.Body, "第 2 个要素")
	servertest.MustNotContain(t, b.Get("/regions/410411001001").Body, "北区网格")

	goodFile := strings.Replace(badFile, `"properties":{}`, `"properties":{"name":"南区网格"}`, 1)
	res = upload(t, b, "/regions/410411001001/grids/import", goodFile)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("import: %d\n%s", res.Status, res.Body)
	}
	res = b.Get("/regions/410411001001")
	servertest.MustContain(t, res.Body, "北区网格", "南区网格")

	// Edit and delete the first grid.
	b.Get("/grids/410411001001001/edit")
	res = b.Post("/grids/410411001001001", url.Values{"name": {"电力东网格"}, "boundary": {polygon}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.Status, res.Body)
	}
	b.Get("/regions/410411001001")
	res = b.Post("/grids/410411001001001/delete", nil)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.Status)
	}
	res = b.Get("/regions/410411001001")
	servertest.MustNotContain(t, res.Body, "电力东网格")
	if !regexp.MustCompile(`网格已删除`).MatchString(res.Body) {
		t.Error("no flash after delete")
	}
}

func upload(t *testing.T, b *servertest.Browser, path, content string) servertest.Response {
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
