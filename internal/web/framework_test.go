package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func fwStore(app *servertest.App) *framework.Store { return &framework.Store{DB: app.DB} }

// fwUpload posts a file under its own name, as a browser does.
func fwUpload(b *servertest.Browser, path, filename string, data []byte, fields map[string]string) servertest.Response {
	b.T.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf", b.CSRF)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", filename)
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.App.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.Do(req)
}

// fwShape is a version's tree without ids.
func fwShape(v framework.Version) []string {
	var out []string
	var walk func(parent string, ns []*framework.Node)
	walk = func(parent string, ns []*framework.Node) {
		for _, n := range ns {
			out = append(out, fmt.Sprintf("%d|%s|%s|%s|%v|%s|%v|%v", n.Level, n.Code, parent, n.Text, n.Methods, n.ScoreText(), n.SiteTypes, n.Categories))
			walk(n.Code, n.Children)
		}
	}
	walk("", v.Items)
	return out
}

func fwVersions(t *testing.T, app *servertest.App) []framework.Version {
	t.Helper()
	vs, err := fwStore(app).Versions(context.Background(), access.System())
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

var fwVersionLink = regexp.MustCompile(`^/framework/(\d+)$`)

func TestFrameworkPagesAndScope(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	sample, err := fwStore(app).ActiveVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sample.IsSample || sample.CriterionCount() != 60 {
		t.Fatalf("the server did not install the sample: %+v", sample.Counts)
	}
	sid := servertest.Itoa(sample.ID)

	// Everyone who inspects or oversees reads; the navigation says so.
	for _, role := range []string{"admin", "office", "leader", "inspector"} {
		b := app.Browser(t)
		b.SignIn(role, servertest.DemoPassword(role))
		res := b.Get("/framework")
		if res.Status != http.StatusOK {
			t.Fatalf("%s: /framework %d", role, res.Status)
		}
		servertest.MustContain(t, res.Body, `href="/framework"`, "测评体系", "示例（非官方版本，请替换为正式测评体系）", "启用中",
			"5 个项目、10 个指标、", "60 条标准", "层级", "上级编码", "适用点位类型")
		res = b.Get("/framework/" + sid)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: tree %d", role, res.Status)
		}
		servertest.MustContain(t, res.Body, "<details", "2.1.2.1", "公共厕所", "实地考察", "2 分", "室外公共厕所", "SR04 公厕不洁",
			"每200米", "每500米", "不是官方版本")
		edit := strings.Contains(res.Body, `hx-get="/framework/`+sid+`/nodes/new"`) && strings.Contains(res.Body, `/edit"`)
		if want := role == "admin" || role == "office"; edit != want {
			t.Errorf("%s: edit forms shown %v", role, edit)
		}
		if role == "leader" || role == "inspector" {
			servertest.MustContain(t, res.Body, "只有文明办或系统管理员可以修改")
			servertest.MustNotContain(t, res.Body, `action="/framework/import"`, `/activate"`)
		}
		res = b.Get("/framework/site-types")
		if res.Status != http.StatusOK {
			t.Fatalf("%s: site types %d", role, res.Status)
		}
		servertest.MustContain(t, res.Body, "新时代文明实践中心", "主次干道", "urban_rural_fringe", "乡镇")
	}

	// A handler neither sees nor opens the framework.
	handler := app.Browser(t)
	handler.SignIn("handler", servertest.DemoPassword("handler"))
	if res := handler.Get("/"); strings.Contains(res.Body, `href="/framework"`) {
		t.Error("handler's navigation lists the framework")
	}
	for _, path := range []string{"/framework", "/framework/" + sid, "/framework/site-types", "/framework/" + sid + "/export?format=csv"} {
		if res := handler.Get(path); res.Status != http.StatusForbidden {
			t.Errorf("handler opened %s: %d", path, res.Status)
		}
	}
	res := handler.Post("/framework/versions", url.Values{"name": {"x"}})
	if res.Status != http.StatusForbidden {
		t.Errorf("handler created a version: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "只有文明办、领导、督导员和系统管理员可以查看测评体系")

	// Leaders and inspectors read only: every change is refused.
	node, _ := fwStore(app).NodeByCode(ctx, sample.ID, "2.1.2.1")
	nid := servertest.Itoa(node.ID)
	before := len(fwVersions(t, app))
	for _, role := range []string{"leader", "inspector"} {
		b := app.Browser(t)
		b.SignIn(role, servertest.DemoPassword(role))
		b.Get("/framework")
		posts := map[string]url.Values{
			"/framework/versions":                             {"name": {"x"}},
			"/framework/" + sid + "/activate":                 nil,
			"/framework/" + sid + "/delete":                   nil,
			"/framework/" + sid + "/update":                   {"name": {"x"}},
			"/framework/" + sid + "/nodes":                    {"code": {"9"}, "text": {"x"}},
			"/framework/" + sid + "/nodes/" + nid:             {"code": {"2.1.2.1"}, "text": {"x"}, "methods": {"field"}},
			"/framework/" + sid + "/nodes/" + nid + "/delete": nil,
			"/framework/site-types":                           {"name": {"夜市"}},
			"/framework/site-types/active":                    {"code": {"square"}, "active": {"0"}},
		}
		for path, form := range posts {
			if res := b.Post(path, form); res.Status != http.StatusForbidden {
				t.Errorf("%s posted to %s: %d", role, path, res.Status)
			}
		}
		if res := fwUpload(b, "/framework/import", "x.csv", []byte("层级,编码,内容\n项目,1,甲\n"), nil); res.Status != http.StatusForbidden {
			t.Errorf("%s imported: %d", role, res.Status)
		}
		if res := b.Get("/framework/" + sid + "/nodes/" + nid + "/edit"); res.Status != http.StatusForbidden {
			t.Errorf("%s opened the node form: %d", role, res.Status)
		}
		// Exports are reading.
		if res := b.Get("/framework/" + sid + "/export?format=csv"); res.Status != http.StatusOK {
			t.Errorf("%s export: %d", role, res.Status)
		}
	}
	if n := len(fwVersions(t, app)); n != before {
		t.Errorf("%d versions after refused changes, want %d", n, before)
	}
	if n, _ := fwStore(app).Node(ctx, access.System(), node.ID); n.Text != node.Text {
		t.Error("a refused edit changed the node")
	}
	if st, _ := fwStore(app).SiteType(ctx, "square"); !st.Active {
		t.Error("a refused change deactivated a site type")
	}

	// Without the form token nothing happens.
	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	if res := office.Post("/framework/versions", url.Values{"name": {"x"}, "csrf": {"forged"}}); res.Status != http.StatusForbidden {
		t.Errorf("forged token: %d", res.Status)
	}

	// The inline forms load into the tree (htmx) or open as a page.
	content, _ := fwStore(app).NodeByCode(ctx, sample.ID, "2.1.2")
	for _, path := range []string{"/framework/" + sid + "/nodes/" + nid + "/edit", "/framework/" + sid + "/nodes/new?parent=" + servertest.Itoa(content.ID)} {
		req, _ := http.NewRequest(http.MethodGet, app.URL+path, nil)
		req.Header.Set("HX-Request", "true")
		res := office.Do(req)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: %d", path, res.Status)
		}
		servertest.MustContain(t, res.Body, `name="csrf"`, `name="methods" value="field" checked`, `name="site_types" value="toilet"`, `name="score"`)
		servertest.MustNotContain(t, res.Body, "<html", "<nav")
		if full := office.Get(path); !strings.Contains(full.Body, "<html") || !strings.Contains(full.Body, "返回「示例") {
			t.Errorf("%s as a page lacks the layout", path)
		}
	}
	servertest.MustContain(t, office.Get("/framework/"+sid+"/nodes/"+nid+"/edit").Body, `value="2.1.2.1"`, `name="site_types" value="toilet" checked`, `value="SR04"`, "删除本条及下级")
	if res := office.Get("/framework/" + sid + "/nodes/new?parent=" + nid); res.Status != http.StatusNotFound {
		t.Errorf("a child of a criterion: %d", res.Status)
	}

	// The checklist of one site type.
	res = office.Get("/framework/" + sid + "?site=toilet")
	if res.Status != http.StatusOK {
		t.Fatalf("checklist: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "室外公共厕所的测评标准（4 条）", "2 市容环境卫生 › 2.1 道路与公共场所环境 › 2.1.2 公共厕所", "0.5 分")
	servertest.MustNotContain(t, res.Body, "每200米")
	if res := office.Get("/framework/" + sid + "?site=mars"); res.Status != http.StatusNotFound {
		t.Errorf("unknown site type: %d", res.Status)
	}
}

func TestFrameworkImportExportThroughTheRouter(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	sample, _ := fwStore(app).ActiveVersion(ctx)
	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	office.Get("/framework")

	for _, format := range []string{"xlsx", "csv"} {
		t.Run(format, func(t *testing.T) {
			res := office.Get("/framework/" + servertest.Itoa(sample.ID) + "/export?format=" + format)
			if res.Status != http.StatusOK {
				t.Fatalf("export: %d %s", res.Status, res.Body)
			}
			if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "."+format) {
				t.Errorf("disposition %q", cd)
			}
			if format == "csv" && !strings.HasPrefix(res.Body, "\xef\xbb\xbf层级,编码,上级编码,内容,测评方法,分值,适用点位类型,问题类别") {
				t.Errorf("csv starts %q", res.Body[:min(80, len(res.Body))])
			}
			office.Get("/framework")
			res = fwUpload(office, "/framework/import", "测评体系."+format, []byte(res.Body), map[string]string{"name": "往返 " + format})
			if res.Status != http.StatusSeeOther {
				t.Fatalf("import: %d\n%s", res.Status, res.Body)
			}
			m := fwVersionLink.FindStringSubmatch(res.Location)
			if m == nil {
				t.Fatalf("redirected to %q", res.Location)
			}
			got, err := fwStore(app).Version(ctx, access.System(), servertest.MustAtoi(t, m[1]))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(fwShape(got), fwShape(sample)) || got.Name != "往返 "+format || got.Active {
				t.Errorf("round trip changed the tree: %v / %v", got.Counts, sample.Counts)
			}
			servertest.MustContain(t, office.Get(res.Location).Body, "导入成功", "往返 "+format)
		})
	}

	// A bad file: every wrong row is listed by number, nothing is imported.
	before := len(fwVersions(t, app))
	bad := "层级,编码,上级编码,内容,测评方法,分值,适用点位类型,问题类别\n" +
		"项目,1,,公共环境,,,,\n" +
		"指标,1.1,1,环境卫生,,,,\n" +
		"内容,1.1.1,1.1,道路保洁,,,,\n" +
		"标准,1.1.1.1,1.1.9,无垃圾,实地考察,2,主次干道,SR01\n" +
		"标准,1.1.1.1,1.1.1,无垃圾,实地考察,2,火星基地,SR01\n" +
		"标准,1.1.1.3,1.1.1,无垃圾,掐指一算,两分,主次干道,ZZ99\n"
	res := fwUpload(office, "/framework/import", "坏.csv", []byte(bad), map[string]string{"name": "坏文件", "activate": "1"})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("bad file: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, res.Body, "未导入任何数据", "第 5 行「上级编码」：找不到上级编码「1.1.9」", "第 6 行「编码」：编码「1.1.1.1」与第 5 行重复",
		"第 6 行「适用点位类型」：没有点位类型「火星基地」", "第 7 行「测评方法」：没有测评方法「掐指一算」", "第 7 行「分值」",
		"第 7 行「问题类别」：没有问题类别「ZZ99」", `value="坏文件"`)
	if n := len(fwVersions(t, app)); n != before {
		t.Errorf("%d versions after a refused import, want %d", n, before)
	}
	if a, _ := fwStore(app).ActiveVersion(ctx); a.ID != sample.ID {
		t.Error("a refused import changed the active version")
	}
	for name, data := range map[string][]byte{
		"旧格式.xls": []byte("\xd0\xcf\x11\xe0 old excel"),
		"坏.xlsx":  []byte("PK\x03\x04 not a workbook"),
	} {
		res := fwUpload(office, "/framework/import", name, data, nil)
		if res.Status != http.StatusBadRequest {
			t.Errorf("%s: %d", name, res.Status)
		}
		servertest.MustContain(t, res.Body, "无法读取该文件")
	}
	if res := office.PostMultipart("/framework/import", map[string]string{"name": "x"}, nil); res.Status != http.StatusBadRequest {
		t.Errorf("no file: %d", res.Status)
	}
	// A good file with "activate" becomes the only active version.
	good := "层级,编码,上级编码,内容,测评方法,分值,适用点位类型,问题类别\n项目,1,,甲,,,,\n指标,1.1,1,乙,,,,\n内容,1.1.1,1.1,丙,,,,\n标准,1.1.1.1,1.1.1,丁,实地考察,1,公共广场,SR01\n"
	res = fwUpload(office, "/framework/import", "正式版.csv", []byte(good), map[string]string{"activate": "1"})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("good file: %d\n%s", res.Status, res.Body)
	}
	active := 0
	for _, v := range fwVersions(t, app) {
		if v.Active {
			active++
			if v.Name != "正式版" || v.SourceDetail != "正式版.csv" {
				t.Errorf("active %+v", v)
			}
		}
	}
	if active != 1 {
		t.Errorf("%d active versions", active)
	}
	body := office.Get("/framework").Body
	servertest.MustContain(t, body, "导入自 正式版.csv")
	servertest.MustNotContain(t, body, "当前启用的是系统自带的示例")
}

func TestFrameworkEditingByHand(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	store := fwStore(app)
	sample, _ := store.ActiveVersion(ctx)
	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	office.Get("/framework")

	// A new empty version, and a copy.
	if res := office.Post("/framework/versions", url.Values{"name": {""}}); res.Status != http.StatusBadRequest {
		t.Errorf("no name: %d", res.Status)
	} else {
		servertest.MustContain(t, res.Body, "请填写版本名称")
	}
	res := office.Post("/framework/versions", url.Values{"name": {"2026 年模拟测评版"}, "note": {"手工录入"}})
	m := fwVersionLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d %q", res.Status, res.Location)
	}
	vid := m[1]
	res = office.Post("/framework/versions", url.Values{"name": {"副本"}, "copy_of": {servertest.Itoa(sample.ID)}})
	cm := fwVersionLink.FindStringSubmatch(res.Location)
	if cm == nil {
		t.Fatalf("copy: %d", res.Status)
	}
	if cp, _ := store.Version(ctx, access.System(), servertest.MustAtoi(t, cm[1])); cp.CriterionCount() != 60 {
		t.Errorf("copy has %d criteria", cp.CriterionCount())
	}

	// Nodes, level by level.
	office.Get("/framework/" + vid)
	add := func(parent, code, text string, extra url.Values) servertest.Response {
		form := url.Values{"code": {code}, "text": {text}}
		if parent != "" {
			form.Set("parent_id", parent)
		}
		for k, v := range extra {
			form[k] = v
		}
		return office.Post("/framework/"+vid+"/nodes", form)
	}
	ids := map[string]string{}
	for _, step := range []struct{ parent, code, text string }{{"", "1", "公共环境"}, {"1", "1.1", "环境卫生"}, {"1.1", "1.1.1", "公共厕所"}} {
		res := add(ids[step.parent], step.code, step.text, nil)
		if res.Status != http.StatusSeeOther {
			t.Fatalf("add %s: %d\n%s", step.code, res.Status, res.Body)
		}
		n, err := store.NodeByCode(ctx, servertest.MustAtoi(t, vid), step.code)
		if err != nil {
			t.Fatal(err)
		}
		ids[step.code] = servertest.Itoa(n.ID)
	}
	criterion := url.Values{"methods": {"field", "dossier"}, "score": {"1.5"}, "site_types": {"toilet", "square"}, "categories": {"SR04、暴露垃圾"}}
	res = add(ids["1.1.1"], "1.1.1.1", "公厕干净无异味", criterion)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("add criterion: %d\n%s", res.Status, res.Body)
	}
	crit, err := store.NodeByCode(ctx, servertest.MustAtoi(t, vid), "1.1.1.1")
	if err != nil {
		t.Fatal(err)
	}
	if crit.ScoreText() != "1.5" || !slices.Equal(crit.SiteTypes, []string{"toilet", "square"}) || !slices.Equal(crit.Categories, []string{"SR01", "SR04"}) ||
		len(crit.Methods) != 2 {
		t.Errorf("criterion %+v", crit)
	}
	cid := servertest.Itoa(crit.ID)

	// Wrong input re-renders the form with the message and what was typed.
	tests := []struct {
		name   string
		form   url.Values
		status int
		msg    string
	}{
		{"bad score", url.Values{"code": {"1.1.1.1"}, "text": {"公厕干净"}, "methods": {"field"}, "score": {"两分"}}, http.StatusBadRequest, "分值应为 0–1000 之间的数字"},
		{"no method", url.Values{"code": {"1.1.1.1"}, "text": {"公厕干净"}, "score": {"1"}}, http.StatusBadRequest, "测评标准至少要有一种测评方法"},
		{"unknown category", url.Values{"code": {"1.1.1.1"}, "text": {"公厕干净"}, "methods": {"field"}, "categories": {"ZZ99"}}, http.StatusBadRequest, "没有问题类别「ZZ99」"},
		{"code taken", url.Values{"code": {"1.1"}, "text": {"公厕干净"}, "methods": {"field"}}, http.StatusConflict, "编码「1.1」在本版本中已被使用"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := office.Post("/framework/"+vid+"/nodes/"+cid, tc.form)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, tc.status, res.Body)
			}
			servertest.MustContain(t, res.Body, tc.msg, "公厕干净", `name="site_types"`)
		})
	}
	res = office.Post("/framework/"+vid+"/nodes/"+cid, url.Values{"code": {"1.1.1.1"}, "text": {"公厕干净、无异味"}, "methods": {"field"},
		"score": {"2"}, "site_types": {"toilet"}, "categories": {"SR04"}})
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/framework/"+vid+"#n-") {
		t.Fatalf("update: %d %q\n%s", res.Status, res.Location, res.Body)
	}
	if crit, _ = store.Node(ctx, access.System(), crit.ID); crit.Text != "公厕干净、无异味" || crit.ScoreText() != "2" || !slices.Equal(crit.SiteTypes, []string{"toilet"}) {
		t.Errorf("after update %+v", crit)
	}
	// A node of another version is not found under this one.
	other, _ := store.NodeByCode(ctx, sample.ID, "2.1.2.1")
	if res := office.Post("/framework/"+vid+"/nodes/"+servertest.Itoa(other.ID), url.Values{"code": {"x"}, "text": {"x"}}); res.Status != http.StatusNotFound {
		t.Errorf("node of another version: %d", res.Status)
	}
	if res := office.Get("/framework/" + vid + "/nodes/" + cid + "/edit"); res.Status != http.StatusOK {
		t.Errorf("edit form: %d", res.Status)
	} else {
		servertest.MustContain(t, res.Body, `value="1.1.1.1"`, "公厕干净、无异味", `value="toilet" checked`)
	}
	servertest.MustContain(t, office.Get("/framework/"+vid).Body, "公厕干净、无异味", "2 分", "1 个项目、1 个指标、1 项内容、1 条标准")

	// Activate: exactly one active version; the active one is not deleted.
	if res := office.Post("/framework/"+vid+"/activate", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("activate: %d", res.Status)
	}
	n := 0
	for _, v := range fwVersions(t, app) {
		if v.Active {
			n++
		}
	}
	if a, _ := store.ActiveVersion(ctx); n != 1 || servertest.Itoa(a.ID) != vid {
		t.Errorf("%d active, active is %d", n, a.ID)
	}
	res = office.Post("/framework/"+vid+"/delete", nil)
	if res.Status != http.StatusConflict {
		t.Errorf("deleted the active version: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "不能删除启用中的版本")
	if res := office.Post("/framework/"+cm[1]+"/delete", nil); res.Status != http.StatusSeeOther {
		t.Errorf("delete the copy: %d", res.Status)
	}
	// Removing a subtree.
	if res := office.Post("/framework/"+vid+"/nodes/"+ids["1.1"]+"/delete", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("delete node: %d", res.Status)
	}
	if v, _ := store.Version(ctx, access.System(), servertest.MustAtoi(t, vid)); v.Counts != [5]int{0, 1, 0, 0, 0} {
		t.Errorf("after deleting the indicator: %v", v.Counts)
	}
	// Rename.
	if res := office.Post("/framework/"+vid+"/update", url.Values{"name": {"2026 年正式版"}, "note": {""}}); res.Status != http.StatusSeeOther {
		t.Errorf("rename: %d", res.Status)
	}
	servertest.MustContain(t, office.Get("/framework").Body, "2026 年正式版")
}

func TestFrameworkSiteTypePage(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	res := office.Get("/framework/site-types")
	servertest.MustContain(t, res.Body, `action="/framework/site-types"`, "内置")
	res = office.Post("/framework/site-types", url.Values{"name": {"夜市"}})
	if res.Status != http.StatusSeeOther || res.Location != "/framework/site-types#t-custom_1" {
		t.Fatalf("add: %d %q\n%s", res.Status, res.Location, res.Body)
	}
	res = office.Post("/framework/site-types", url.Values{"name": {"公共广场"}})
	if res.Status != http.StatusConflict {
		t.Errorf("duplicate name: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "名称「公共广场」已被使用", `value="公共广场"`)
	res = office.Post("/framework/site-types", url.Values{"name": {"绿道"}, "code": {"Green Way"}})
	if res.Status != http.StatusBadRequest {
		t.Errorf("bad code: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "编码只能由小写字母")
	if res := office.Post("/framework/site-types/active", url.Values{"code": {"custom_1"}, "active": {"0"}}); res.Status != http.StatusSeeOther {
		t.Errorf("deactivate: %d", res.Status)
	}
	ctx := context.Background()
	types, _ := fwStore(app).SiteTypes(ctx, false)
	all, _ := fwStore(app).SiteTypes(ctx, true)
	if len(types) != 26 || len(all) != 27 || all[26].Name != "夜市" || all[26].Active {
		t.Errorf("%d active of %d; last %+v", len(types), len(all), all[len(all)-1])
	}
	body := office.Get("/framework/site-types").Body
	servertest.MustContain(t, body, `id="t-custom_1" class="off"`, "本市增加", "已停用")
	// The new type is offered on the tree's forms only while active.
	sample, _ := fwStore(app).ActiveVersion(ctx)
	if strings.Contains(office.Get("/framework/"+servertest.Itoa(sample.ID)).Body, `value="custom_1"`) {
		t.Error("an inactive type is offered")
	}
	office.Post("/framework/site-types/active", url.Values{"code": {"custom_1"}, "active": {"1"}})
	servertest.MustContain(t, office.Get("/framework/"+servertest.Itoa(sample.ID)).Body, `value="custom_1"`, "夜市")

	leader := app.Browser(t)
	leader.SignIn("leader", servertest.DemoPassword("leader"))
	body = leader.Get("/framework/site-types").Body
	servertest.MustContain(t, body, "夜市")
	servertest.MustNotContain(t, body, `action="/framework/site-types"`, `action="/framework/site-types/active"`)
}
