package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

var caseLink = regexp.MustCompile(`^/problems/(\d+)$`)

// TestLedgerLoop drives report → file → dispatch → accept → rectify →
// verify → closed through the real router, as the four people who do it.
func TestLedgerLoop(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	inspector, office, shequ, street := app.Browser(t), app.Browser(t), app.Browser(t), app.Browser(t)
	inspector.SignIn("inspector", servertest.DemoPassword("inspector"))
	office.SignIn("office", servertest.DemoPassword("office"))
	shequ.SignIn("shequ", "wenming-shequ-2026")
	street.SignIn("handler", servertest.DemoPassword("handler"))

	inspector.Get("/report")
	res := inspector.PostMultipart("/report", map[string]string{
		"source": "inspection", "category_id": servertest.CategoryID(t, app, "SR01"), "description": "人行道上<script>alert(1)</script>堆着两袋生活垃圾",
		"address": "建设路电力小区门口", "region_code": "410411001001",
	}, map[string][][]byte{"photos": {servertest.JPEGBytes(1)}})
	m := caseLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("report: %d %q\n%s", res.Status, res.Location, res.Body)
	}
	id := m[1]
	path := "/problems/" + id

	res = office.Get(path)
	servertest.MustContain(t, res.Body, "待立案", "暴露垃圾", "&lt;script&gt;", "立案", "整改前")
	servertest.MustNotContain(t, res.Body, "<script>alert(1)")
	act := func(b *servertest.Browser, action string, fields map[string]string, files map[string][][]byte) servertest.Response {
		t.Helper()
		b.Get(path)
		if fields == nil {
			fields = map[string]string{}
		}
		fields["action"] = action
		return b.PostMultipart(path+"/act", fields, files)
	}
	mustMove := func(b *servertest.Browser, action string, fields map[string]string, files map[string][][]byte) {
		t.Helper()
		if res := act(b, action, fields, files); res.Status != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", action, res.Status, res.Body)
		}
	}
	// The community handler cannot see the case before it is dispatched.
	if res := shequ.Get(path); res.Status != http.StatusNotFound {
		t.Fatalf("handler saw an undispatched case: %d", res.Status)
	}
	mustMove(office, "file", map[string]string{"category_id": servertest.CategoryID(t, app, "SR01")}, nil)
	mustMove(office, "dispatch", map[string]string{"unit_id": "0"}, nil)
	res = office.Get(path)
	servertest.MustContain(t, res.Body, "电力社区居民委员会", "属地管理")

	// The street office above the community reads the case but does not
	// move it (属地管理: it supervises its communities).
	if res := street.Get(path); res.Status != http.StatusOK || !strings.Contains(res.Body, "本案由下级单位") {
		t.Fatalf("street handler on the community's case: %d", res.Status)
	}
	if res := act(street, "accept", nil, nil); res.Status != http.StatusForbidden {
		t.Fatalf("street handler accepted: %d", res.Status)
	}
	// The right handler sees a notification and accepts.
	res = shequ.Get("/notifications")
	servertest.MustContain(t, res.Body, "新派遣")
	mustMove(shequ, "accept", nil, nil)
	// Rectifying without a photo is refused with a reason; with one it works.
	res = act(shequ, "rectify", map[string]string{"note": "已清理"}, nil)
	if res.Status != http.StatusBadRequest {
		t.Fatalf("rectify without photo: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "须上传照片")
	mustMove(shequ, "rectify", map[string]string{"note": "已清运并清扫"}, map[string][][]byte{"photos": {servertest.JPEGBytes(2)}})
	// An illegal move is a conflict.
	if res := act(shequ, "accept", nil, nil); res.Status != http.StatusConflict {
		t.Fatalf("accept a rectified case: %d", res.Status)
	}
	res = inspector.Get(path)
	servertest.MustContain(t, res.Body, "已整改待核查", "整改后", "照片核验提示")
	mustMove(inspector, "verify_pass", map[string]string{"note": "现场已整洁"}, nil)

	c, err := app.Problems.Get(context.Background(), access.System(), servertest.MustAtoi(t, id))
	if err != nil || c.State != problem.Closed {
		t.Fatalf("final state: %+v %v", c, err)
	}
	events, err := app.Problems.Timeline(context.Background(), access.System(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, string(e.Action))
	}
	if got := strings.Join(actions, ","); got != "report,file,dispatch,accept,rectify,verify_pass" {
		t.Fatalf("timeline %s", got)
	}
	// Photos are served, EXIF-free, to those who may see the case only.
	res = office.Get(path)
	ph := regexp.MustCompile(`src="(/photos/[0-9a-f]{64}/thumb)"`).FindStringSubmatch(res.Body)
	if ph == nil {
		t.Fatal("no photo on the case page")
	}
	if r := office.Get(ph[1]); r.Status != 200 || r.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("photo: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if r := street.Get(ph[1]); r.Status != 200 {
		t.Fatalf("photo withheld from the supervising street: %d", r.Status)
	}
	if r := app.SignedIn(t, "citizen").Get(ph[1]); r.Status != http.StatusNotFound {
		t.Fatalf("photo shown to a citizen who did not report it: %d", r.Status)
	}
	// The ledger lists it and its KPIs count it.
	res = office.Get("/problems?q=" + c.Code)
	servertest.MustContain(t, res.Body, c.Code, "已结案", `hx-get="/problems/kpis?q=`)
	// The rates load after the list, as a partial.
	req, _ := http.NewRequest("GET", app.URL+"/problems/kpis?q="+c.Code, nil)
	req.Header.Set("HX-Request", "true")
	res = office.Do(req)
	servertest.MustContain(t, res.Body, "结案率", "100.0%")
	servertest.MustNotContain(t, res.Body, "<html")
}

func TestPublicReportForm(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	citizen := app.Browser(t)
	res := citizen.Get("/public/report")
	servertest.MustContain(t, res.Body, "我要随手拍", `name="csrf"`)
	// A file that is not an image is refused and nothing is stored.
	res = citizen.PostMultipart("/public/report", map[string]string{"description": "路灯不亮", "region_code": "410411001001"},
		map[string][][]byte{"photos": {[]byte("MZ this is an exe, not a photo")}})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("non-image: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "不是")
	if _, n, _ := app.Problems.List(context.Background(), access.System(), problem.Filter{}); n != 0 {
		t.Fatalf("%d cases stored from a refused report", n)
	}
	res = citizen.PostMultipart("/public/report", map[string]string{"description": "小区门口路灯不亮三天了", "region_code": "410411001001",
		"reporter_phone": "13812345678"}, map[string][][]byte{"photos": {servertest.JPEGBytes(9)}})
	if res.Status != http.StatusCreated {
		t.Fatalf("public report: %d\n%s", res.Status, res.Body)
	}
	code := regexp.MustCompile(`id="receipt">([^<]+)<`).FindStringSubmatch(res.Body)
	if code == nil {
		t.Fatal("no receipt")
	}
	// The office sees it as reported, source citizen, phone masked.
	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	res = office.Get("/problems?q=" + code[1])
	servertest.MustContain(t, res.Body, code[1], "市民举报", "待立案")
	id, _ := app.Problems.IDByCode(context.Background(), access.System(), code[1])
	res = office.Get("/problems/" + servertest.Itoa(id))
	servertest.MustContain(t, res.Body, "138****5678")
	servertest.MustNotContain(t, res.Body, "13812345678")
}

func TestPublicFormIsRateLimited(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	citizen := app.Browser(t)
	citizen.Get("/public/report")
	var last servertest.Response
	for i := 0; i <= app.Config.PublicPerHour; i++ {
		last = citizen.PostMultipart("/public/report", map[string]string{"description": "测试 " + strconv.Itoa(i), "region_code": "410411001001"}, nil)
	}
	if last.Status != http.StatusTooManyRequests {
		t.Fatalf("report %d from one address: %d", app.Config.PublicPerHour+1, last.Status)
	}
	servertest.MustContain(t, last.Body, "提交过于频繁")
}

func TestFixOnTheSpot(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	inspector := app.Browser(t)
	inspector.SignIn("inspector", servertest.DemoPassword("inspector"))
	inspector.Get("/report")
	res := inspector.PostMultipart("/report", map[string]string{
		"source": "inspection", "category_id": servertest.CategoryID(t, app, "JM04"), "description": "配电箱上贴满小广告",
		"region_code": "410411001002", "fixed": "1", "fix_note": "已当场铲除",
	}, map[string][][]byte{"photos": {servertest.JPEGBytes(3)}, "after_photos": {servertest.JPEGBytes(4)}})
	m := caseLink.FindStringSubmatch(res.Location)
	if m == nil {
		t.Fatalf("report: %d %s", res.Status, res.Body)
	}
	c, err := app.Problems.Get(context.Background(), access.System(), servertest.MustAtoi(t, m[1]))
	if err != nil || c.State != problem.Rectified {
		t.Fatalf("fixed on the spot: %+v %v", c, err)
	}
	// The one who fixed it cannot also verify it; the office can.
	if r := inspector.PostMultipart("/problems/"+m[1]+"/act", map[string]string{"action": "verify_pass"}, nil); r.Status != http.StatusForbidden {
		t.Fatalf("self-verification: %d", r.Status)
	}
}
