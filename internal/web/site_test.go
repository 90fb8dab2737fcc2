package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/site"
)

// withDemoSites loads the demo sites into the test app and returns how
// many there are.
func withDemoSites(t *testing.T, app *servertest.App) int {
	t.Helper()
	n, err := site.DemoSites(context.Background(), &site.Store{DB: app.DB})
	if err != nil {
		t.Fatal(err)
	}
	if n < 38 {
		t.Fatalf("demo made %d sites", n)
	}
	return n
}

func siteByCode(t *testing.T, app *servertest.App, code string) site.Site {
	t.Helper()
	st := &site.Store{DB: app.DB}
	list, _, err := st.List(context.Background(), access.System(), site.Filter{Query: code})
	if err != nil || len(list) != 1 {
		t.Fatalf("site %s: %v %d", code, err, len(list))
	}
	return list[0]
}

var siteLink = regexp.MustCompile(`^/sites/(\d+)$`)

func TestSiteListFormAndDetail(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	withDemoSites(t, app)
	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))

	res := office.Get("/")
	servertest.MustContain(t, res.Body, `href="/sites"`)
	res = office.Get("/sites")
	if res.Status != http.StatusOK {
		t.Fatalf("list: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "点位管理", "湛河区新时代文明实践中心", "S410411-0001", `class="table stack"`, `data-label="点位类型"`, "未测评")
	res = office.Get("/sites?type=main_road")
	servertest.MustContain(t, res.Body, "姚孟大道", "建设路（湛河区段）")
	servertest.MustNotContain(t, res.Body, "湛河区实验小学")

	office.Get("/sites/new")
	form := url.Values{"name": {"湛河北路<b>公厕</b>"}, "type_code": {"toilet"}, "lng": {"113.3168"}, "lat": {"33.7115"},
		"region_code": {"410411"}, "address": {"湛河北路滨河游园东门"}, "head_name": {"马文明"}, "head_phone": {"13700009999"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("lat", "")
	res = office.Post("/sites", bad)
	if res.Status != http.StatusBadRequest {
		t.Fatalf("half a point: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "经度和纬度须同时填写", "湛河北路&lt;b&gt;公厕&lt;/b&gt;")
	bad.Set("lat", "33.7115")
	bad.Set("head_phone", "12345")
	if res = office.Post("/sites", bad); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "电话号码格式不正确") {
		t.Fatalf("bad phone: %d", res.Status)
	}
	res = office.Post("/sites", form)
	m := siteLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d %q\n%s", res.Status, res.Location, res.Body)
	}
	path := res.Location
	res = office.Get(path)
	servertest.MustContain(t, res.Body, "湛河北路&lt;b&gt;公厕&lt;/b&gt;", "室外公共厕所", "S410411-", "/qr.svg", "data-site-shape", app.URL+"/s/", "点位已创建")
	servertest.MustNotContain(t, res.Body, "<b>公厕")

	// Edit: a line instead of the point.
	office.Get(path + "/edit")
	form.Set("geometry", `{"type":"LineString","coordinates":[[113.316,33.7115],[113.3176,33.7115]]}`)
	if res = office.Post(path, form); res.Status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.Status, res.Body)
	}
	res = office.Get(path)
	servertest.MustContain(t, res.Body, "线（道路、街巷）", "113.316800")
	office.Get(path)
	if res = office.Post(path+"/active", url.Values{"active": {"0"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", res.Status)
	}
	servertest.MustContain(t, office.Get(path).Body, "已停用", "重新启用")
	servertest.MustNotContain(t, office.Get("/sites?q=%E5%85%AC%E5%8E%95").Body, "湛河北路&lt;b&gt;公厕") // q=公厕
	servertest.MustContain(t, office.Get("/sites?state=all&q=%E5%85%AC%E5%8E%95").Body, "湛河北路&lt;b&gt;公厕")
}

func TestSiteScope(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	withDemoSites(t, app)
	ctx := context.Background()
	x := siteByCode(t, app, "S410411-0002") // 马庄街道新时代文明实践所
	path := "/sites/" + servertest.Itoa(x.ID)

	handler := app.Browser(t)
	handler.SignIn("handler", servertest.DemoPassword("handler"))
	servertest.MustNotContain(t, handler.Get("/").Body, `href="/sites"`)
	for _, p := range []string{"/sites", path, path + "/qr.png", "/sites/map.geojson", "/sites/qr-sheet", "/sites/export.xlsx"} {
		if res := handler.Get(p); res.Status != http.StatusForbidden && res.Status != http.StatusNotFound {
			t.Errorf("handler GET %s: %d", p, res.Status)
		}
	}

	// The office of another street (河滨街道) neither sees nor edits it.
	units, _, err := app.Org.ListUnits(ctx, access.System(), org.UnitFilter{Query: "410411009"})
	if err != nil || len(units) == 0 {
		t.Fatalf("street unit: %v", err)
	}
	if _, _, err := app.Org.CreateUser(ctx, access.System(), org.UserInput{Username: "hebin", DisplayName: "河滨创文办",
		UnitID: units[0].ID, Roles: []access.Role{access.RoleOffice}, Password: "wenming-hebin-2026"}); err != nil {
		t.Fatal(err)
	}
	other := app.Browser(t)
	other.SignIn("hebin", "wenming-hebin-2026")
	if res := other.Get(path); res.Status != http.StatusNotFound {
		t.Errorf("other street read the site: %d", res.Status)
	}
	servertest.MustNotContain(t, other.Get("/sites").Body, x.Name)
	other.Get("/sites/new")
	res := other.Post(path, url.Values{"name": {"改名"}, "type_code": {x.TypeCode}, "region_code": {x.RegionCode}})
	if res.Status != http.StatusNotFound {
		t.Errorf("other street updated the site: %d", res.Status)
	}
	res = other.Post("/sites", url.Values{"name": {"越界点位"}, "type_code": {"toilet"}, "region_code": {"410411001001"}})
	if res.Status != http.StatusForbidden || !strings.Contains(res.Body, "不在您的管辖范围内") {
		t.Errorf("other street created a site in 马庄街道: %d", res.Status)
	}

	// Leaders and inspectors read but do not edit.
	leader := app.Browser(t)
	leader.SignIn("leader", servertest.DemoPassword("leader"))
	res = leader.Get(path)
	servertest.MustContain(t, res.Body, x.Name)
	servertest.MustNotContain(t, res.Body, path+"/edit")
	if res := leader.Get(path + "/edit"); res.Status != http.StatusForbidden {
		t.Errorf("leader edit form: %d", res.Status)
	}
	if res := leader.Get("/sites/new"); res.Status != http.StatusForbidden {
		t.Errorf("leader new form: %d", res.Status)
	}
}

func TestSiteQRCodes(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	withDemoSites(t, app)
	x := siteByCode(t, app, "S410411-0003")
	path := "/sites/" + servertest.Itoa(x.ID)
	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))

	res := office.Get(path + "/qr.png")
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("png: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	if _, err := png.Decode(strings.NewReader(res.Body)); err != nil {
		t.Fatalf("png does not decode: %v", err)
	}
	res = office.Get(path + "/qr.png?download=1&scale=12")
	if !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %q", res.Header.Get("Content-Disposition"))
	}
	res = office.Get(path + "/qr.svg")
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("svg: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	wellFormed(t, res.Body)

	res = office.Get("/sites/qr-sheet?type=bus_stop")
	if res.Status != http.StatusOK {
		t.Fatalf("sheet: %d", res.Status)
	}
	if n := strings.Count(res.Body, "<svg "); n != 3 {
		t.Errorf("sheet has %d codes, want the 3 bus stops", n)
	}
	servertest.MustContain(t, res.Body, "建设路开源路口公交站", "扫码反映文明问题", `class="qr-sheet"`)
	for _, m := range regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(res.Body, -1) {
		wellFormed(t, m)
	}

	// Where a scan lands depends on who scans.
	scan := "/s/" + x.QRToken
	cases := []struct {
		login, password, want string
	}{
		{"", "", "/public/report?site=" + url.QueryEscape(x.QRToken)},
		{"inspector", servertest.DemoPassword("inspector"), path + "/check"},
		{"office", servertest.DemoPassword("office"), path + "/check"},
		{"leader", servertest.DemoPassword("leader"), path},
		{"handler", servertest.DemoPassword("handler"), "/public/report?site=" + url.QueryEscape(x.QRToken)},
	}
	for _, c := range cases {
		b := app.Browser(t)
		if c.login != "" {
			b.SignIn(c.login, c.password)
		}
		res := b.Get(scan)
		if res.Status != http.StatusFound || res.Location != c.want {
			t.Errorf("%q scans: %d %q, want %q", c.login, res.Status, res.Location, c.want)
		}
	}
	inspector := app.Browser(t)
	inspector.SignIn("inspector", servertest.DemoPassword("inspector"))
	res = inspector.Get(path + "/check")
	servertest.MustContain(t, res.Body, "检查表来自当前启用的检查计划", x.Name)
	if res := app.Browser(t).Get("/public/report?site=" + x.QRToken); res.Status != http.StatusOK {
		t.Errorf("public form with a site: %d", res.Status)
	}
	if res := app.Browser(t).Get("/s/no-such-token-0000000"); res.Status != http.StatusNotFound {
		t.Errorf("unknown token: %d", res.Status)
	}

	// A new code: only the office of the area makes one, and the old
	// code stops working.
	servertest.MustContain(t, office.Get(path).Body, `action="`+path+`/qr"`, "重新生成二维码")
	servertest.MustNotContain(t, inspector.Get(path).Body, `action="`+path+`/qr"`)
	if res := inspector.Post(path+"/qr", nil); res.Status != http.StatusForbidden {
		t.Errorf("inspector made a new code: %d", res.Status)
	}
	if res := office.Post(path+"/qr", url.Values{"csrf": {"forged"}}); res.Status != http.StatusForbidden {
		t.Errorf("forged token: %d", res.Status)
	}
	if y := siteByCode(t, app, "S410411-0003"); y.QRToken != x.QRToken {
		t.Fatal("a refused request changed the code")
	}
	office.Get(path)
	if res := office.Post(path+"/qr", nil); res.Status != http.StatusSeeOther || res.Location != path {
		t.Fatalf("new code: %d %q", res.Status, res.Location)
	}
	y := siteByCode(t, app, "S410411-0003")
	if y.QRToken == x.QRToken || len(y.QRToken) < 20 {
		t.Fatalf("token %q after %q", y.QRToken, x.QRToken)
	}
	if res := app.Browser(t).Get(scan); res.Status != http.StatusNotFound {
		t.Errorf("the old code still opens the site: %d", res.Status)
	}
	if res := app.Browser(t).Get("/s/" + y.QRToken); res.Status != http.StatusFound {
		t.Errorf("the new code: %d", res.Status)
	}
	servertest.MustContain(t, office.Get(path).Body, "/s/"+y.QRToken, "旧二维码已失效")
}

func wellFormed(t *testing.T, doc string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG not well-formed: %v", err)
		}
		if el, ok := tok.(xml.StartElement); ok && root == "" {
			root = el.Name.Local
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q", root)
	}
}

func TestSiteMapGeoJSON(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	n := withDemoSites(t, app)
	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	servertest.MustContain(t, office.Get("/sites/map").Body, "data-sites-map", "/sites/map.geojson", "最近测评得分")
	res := office.Get("/sites/map.geojson")
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/geo+json") {
		t.Fatalf("geojson: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry struct {
				Type        string     `json:"type"`
				Coordinates [2]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(res.Body), &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != n-2 { // the bus and the taxis have no place
		t.Fatalf("%s with %d features, want %d", fc.Type, len(fc.Features), n-2)
	}
	names := map[string]bool{}
	for _, f := range fc.Features {
		p := f.Properties
		names[p["name"].(string)] = true
		if f.Geometry.Type != "Point" || f.Geometry.Coordinates[0] < 113.25 || f.Geometry.Coordinates[0] > 113.41 {
			t.Errorf("%v at %v", p["name"], f.Geometry.Coordinates)
		}
		if v, ok := p["score"]; !ok || v != nil {
			t.Errorf("%v score %v", p["name"], v)
		}
		if _, ok := p["open_problems"].(float64); !ok || p["type"] == "" {
			t.Errorf("properties %v", p)
		}
	}
	if !names["湛河区政务服务中心"] || !names["建设路（湛河区段）"] {
		t.Errorf("map lacks sites: %v", names)
	}
	res = office.Get("/sites/map.geojson?type=market")
	json.Unmarshal([]byte(res.Body), &fc)
	if len(fc.Features) != 2 {
		t.Errorf("markets on the map: %d", len(fc.Features))
	}
}

func TestSiteImportExport(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	n := withDemoSites(t, app)
	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	res := office.Get("/sites/export.xlsx")
	if res.Status != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "xlsx") {
		t.Fatalf("export: %d %q", res.Status, res.Header.Get("Content-Disposition"))
	}
	exported := []byte(res.Body)

	servertest.MustContain(t, office.Get("/sites/import").Body, "导入点位", "包保领导")
	res = office.PostMultipart("/sites/import", nil, map[string][][]byte{"file": {exported}})
	if res.Status != http.StatusOK {
		t.Fatalf("re-import: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, res.Body, "导入完成：新建 0 个，更新 "+servertest.Itoa(int64(n))+" 个。")

	bad := workbookBytes(t, []any{"编码", "名称", "点位类型", "经度", "纬度"},
		[]any{"", "新点位", "公园", 113.31, 33.71},
		[]any{"", "", "不存在的类型", "", ""})
	office.Get("/sites/import")
	res = office.PostMultipart("/sites/import", nil, map[string][][]byte{"file": {bad}})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("bad import: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "第 4 行「名称」：名称必填。", "第 4 行「点位类型」：没有点位类型「不存在的类型」。", "未导入任何点位")
	if _, total, _ := (&site.Store{DB: app.DB}).List(context.Background(), access.System(), site.Filter{Limit: 1}); total != n {
		t.Errorf("a failed import wrote: %d sites, want %d", total, n)
	}
	inspector := app.Browser(t)
	inspector.SignIn("inspector", servertest.DemoPassword("inspector"))
	if res := inspector.Get("/sites/import"); res.Status != http.StatusForbidden {
		t.Errorf("inspector import form: %d", res.Status)
	}
}

// workbookBytes builds an .xlsx with a title row and the rows given.
func workbookBytes(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetRow("Sheet1", "A1", &[]any{"点位清单"})
	for i, r := range rows {
		cell := "A" + servertest.Itoa(int64(i+2))
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
