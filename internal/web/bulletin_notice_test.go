package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

var bulletinNotice = regexp.MustCompile(`通报下发：〔\d{4}〕第\d+期《[^》]+》已下发，请查看本单位排名和问题清单。`)

// TestBulletinIssuedNotifications: issuing a bulletin tells the handlers
// of the units it lists and the leader, in the bell and on the
// notifications page, with a way to the bulletin; units it does not list
// hear nothing; re-issuing tells them again.
func TestBulletinIssuedNotifications(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office, handler, shequ, leader := app.Browser(t), app.Browser(t), app.Browser(t), app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	handler.SignIn("handler", servertest.DemoPassword("handler"))
	shequ.SignIn("shequ", "wenming-shequ-2026")
	leader.SignIn("leader", servertest.DemoPassword("leader"))
	now := time.Now().In(calendar.Shanghai())
	today, yesterday := now.Format("2006-01-02"), now.AddDate(0, 0, -1).Format("2006-01-02")
	year := today[:4]
	notices := func(b *servertest.Browser) []string {
		t.Helper()
		res := b.Get("/notifications")
		if res.Status != http.StatusOK {
			t.Fatalf("notifications: %d", res.Status)
		}
		return bulletinNotice.FindAllString(res.Body, -1)
	}
	for _, b := range []*servertest.Browser{handler, shequ, leader} {
		if got := notices(b); len(got) != 0 {
			t.Fatalf("before any bulletin: %v", got)
		}
	}

	// The district: its street and community are listed.
	office.Get("/bulletins")
	res := office.Post("/bulletins", composeForm("410411", "custom", yesterday, today))
	m := bulletinLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("issue: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	id := m[1]
	for _, b := range []*servertest.Browser{handler, shequ, leader} {
		res := b.Get("/notifications")
		servertest.MustContain(t, res.Body, "通报下发：〔"+year+"〕第1期《湛河区创建文明城市问题整改情况通报（", `href="/bulletins/`+id+`"`,
			`name="bulletin_id" value="`+id+`"`, "查看通报")
		// The bell counts it.
		servertest.MustContain(t, b.Get("/").Body, `id="unread">`)
		// The link opens the bulletin, which the person may read.
		if res := b.Get("/bulletins/" + id); res.Status != http.StatusOK {
			t.Fatalf("notified reader opens the bulletin: %d", res.Status)
		}
	}
	// Clicking the message marks it read and opens the bulletin.
	res = handler.Get("/notifications")
	nid := regexp.MustCompile(`name="id" value="(\d+)"><input type="hidden" name="problem_id" value="0"><input type="hidden" name="bulletin_id" value="` + id + `"`).
		FindStringSubmatch(res.Body)
	if nid == nil {
		t.Fatalf("no form for the bulletin notice:\n%s", res.Body)
	}
	res = handler.Post("/notifications/read", url.Values{"id": {nid[1]}, "problem_id": {"0"}, "bulletin_id": {id}})
	if res.Status != http.StatusSeeOther || res.Location != "/bulletins/"+id {
		t.Fatalf("open from the bell: %d %s", res.Status, res.Location)
	}
	servertest.MustNotContain(t, handler.Get("/").Body, `id="unread">`)

	// A group of units naming only the community: the street's handler
	// is not told; the community and the leader are.
	community := unitIDByCode(t, app, "410411001001")
	office.Get("/bulletins")
	res = office.Post("/bulletins", url.Values{"mode": {"units"}, "units": {community}, "kind": {"custom"}, "from": {yesterday}, "to": {today},
		"title": {"电力社区专项通报"}})
	g := bulletinLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || g == nil {
		t.Fatalf("issue for a unit: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	for _, tc := range []struct {
		name string
		b    *servertest.Browser
		want int
	}{{"street handler", handler, 1}, {"community", shequ, 2}, {"leader", leader, 2}} {
		if got := notices(tc.b); len(got) != tc.want {
			t.Errorf("%s has %d bulletin notices, want %d: %v", tc.name, len(got), tc.want, got)
		}
	}
	servertest.MustNotContain(t, handler.Get("/notifications").Body, "电力社区专项通报", `href="/bulletins/`+g[1]+`"`)
	servertest.MustContain(t, shequ.Get("/notifications").Body, "〔"+year+"〕第2期《电力社区专项通报》", `href="/bulletins/`+g[1]+`"`)

	// Re-issued: a new number, told again.
	office.Get("/bulletins/" + id)
	res = office.Post("/bulletins/"+id+"/reissue", nil)
	re := bulletinLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || re == nil || re[1] == id {
		t.Fatalf("reissue: %d %s", res.Status, res.Location)
	}
	for _, b := range []*servertest.Browser{handler, shequ, leader} {
		servertest.MustContain(t, b.Get("/notifications").Body, "通报下发：〔"+year+"〕第3期《", `href="/bulletins/`+re[1]+`"`)
	}
	if got := notices(handler); len(got) != 2 {
		t.Fatalf("street handler after the re-issue: %v", got)
	}
	var n int
	if err := app.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM notification WHERE bulletin_id IS NOT NULL").Scan(&n); err != nil || n != 3+2+3 {
		t.Fatalf("%d bulletin notifications (%v), want 8", n, err)
	}
}

// markForm is what the case page posts to mark a case.
func markForm(id int64, action string) url.Values {
	return url.Values{"problem": {servertest.Itoa(id)}, "action": {action}, "back": {"/problems/" + servertest.Itoa(id)}}
}

// TestCaseMarks: the office sets its marks on the case page itself, which
// offers only the marks the case allows and comes back to the case; others
// see the marks read-only and may not set them.
func TestCaseMarks(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	open := bulletinCases(t, app)
	ctx := context.Background()
	office, shequ, leader := app.Browser(t), app.Browser(t), app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	shequ.SignIn("shequ", "wenming-shequ-2026")
	leader.SignIn("leader", servertest.DemoPassword("leader"))
	actor := func(name string) access.Actor {
		a, _, err := app.Org.Actor(ctx, servertest.MustAtoi(t, servertest.UserIDByName(t, app, name)))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	officeActor := actor("office")
	var closedID int64
	var code string
	if err := app.DB.QueryRow(ctx, "SELECT id, code FROM problem WHERE state = 'closed' ORDER BY id LIMIT 1").Scan(&closedID, &code); err != nil {
		t.Fatal(err)
	}
	closed := "/problems/" + servertest.Itoa(closedID)

	// A closed case: it may be marked falsified; without returns, no
	// return can be judged.
	res := office.Get(closed)
	servertest.MustContain(t, res.Body, `id="marks"`, "考核标记", `action="/bulletins/marks"`, `name="back" value="`+closed+`"`,
		`name="action" value="falsified"`, "认定为虚假整改", "已认定0次（共退回0次）")
	servertest.MustNotContain(t, res.Body, `name="action" value="unjustified"`, `name="action" value="not_falsified"`)
	// An open case without returns: nothing to mark yet.
	res = office.Get("/problems/" + servertest.Itoa(open.ID))
	servertest.MustContain(t, res.Body, `id="marks"`, "暂无可作的标记")
	servertest.MustNotContain(t, res.Body, `name="action" value="falsified"`, `name="action" value="unjustified"`)

	// The community, whose case it is, sees no buttons, and its post is
	// refused.
	res = shequ.Get(closed)
	if res.Status != http.StatusOK {
		t.Fatalf("community opens its case: %d", res.Status)
	}
	servertest.MustNotContain(t, res.Body, `action="/bulletins/marks"`, "认定为虚假整改")
	res = shequ.Post("/bulletins/marks", markForm(closedID, "falsified"))
	if res.Status != http.StatusForbidden {
		t.Fatalf("community marks: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "只有问题所在辖区的创文办可以作考核标记")

	// A forged token is refused before anything happens.
	form := markForm(closedID, "falsified")
	form.Set("csrf", "forged-"+strings.Repeat("x", 40))
	if res := office.Post("/bulletins/marks", form); res.Status != http.StatusForbidden {
		t.Fatalf("forged token: %d", res.Status)
	}
	if m, err := app.Problems.Marks(ctx, officeActor, closedID); err != nil || m.Falsified || len(m.History) != 0 {
		t.Fatalf("after refused posts: %+v %v", m, err)
	}

	// The office marks it falsified from the case page and comes back.
	office.Get(closed)
	res = office.Post("/bulletins/marks", markForm(closedID, "falsified"))
	if res.Status != http.StatusSeeOther || res.Location != closed {
		t.Fatalf("mark from the case page: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	res = office.Get(res.Location)
	servertest.MustContain(t, res.Body, "标记已保存。", "已认定虚假整改", `name="action" value="not_falsified"`, "撤销虚假整改认定")
	servertest.MustNotContain(t, res.Body, `name="action" value="falsified"`)
	m, err := app.Problems.Marks(ctx, officeActor, closedID)
	if err != nil || !m.Falsified || len(m.History) != 1 || m.History[0].Kind != "falsified" {
		t.Fatalf("marks after the case page: %+v %v", m, err)
	}
	servertest.MustContain(t, office.Get("/bulletins/marks?problem="+code).Body, "已认定虚假整改", "王创文")

	// Now marked, the others see it read-only, the street's handler too:
	// it supervises the community.
	handler := app.Browser(t)
	handler.SignIn("handler", servertest.DemoPassword("handler"))
	for _, b := range []*servertest.Browser{shequ, leader, handler} {
		res := b.Get(closed)
		servertest.MustContain(t, res.Body, `id="marks"`, "已认定虚假整改", "考核标记由问题所在辖区的创文办认定")
		servertest.MustNotContain(t, res.Body, `action="/bulletins/marks"`)
	}
	// A handler of another street does not see the case at all.
	other := app.Browser(t)
	if _, _, err := app.Org.CreateUser(ctx, access.System(), org.UserInput{Username: "linjie", DisplayName: "邻街承办",
		UnitID: servertest.MustAtoi(t, servertest.UnitID(t, app, "410411002")), Roles: []access.Role{access.RoleHandler},
		Password: "linjie-pass-2026"}); err != nil {
		t.Fatal(err)
	}
	other.SignIn("linjie", "linjie-pass-2026")
	if res := other.Get(closed); res.Status != http.StatusNotFound {
		t.Fatalf("another street's handler opens the community's case: %d", res.Status)
	}

	// back must be a case page of this site; anything else is ignored and
	// the marks page is shown instead.
	for _, back := range []string{"https://evil.example/problems/1", "//evil.example/problems/1", "/\\evil.example/problems/1",
		"/problems/1/../../logout", "/problems/+1", "/problems/", "/bulletins", "javascript:alert(1)"} {
		office.Get(closed)
		form := markForm(closedID, "falsified")
		form.Set("back", back)
		res := office.Post("/bulletins/marks", form)
		if res.Status != http.StatusSeeOther || res.Location != "/bulletins/marks?problem="+url.QueryEscape(code) {
			t.Errorf("back %q: %d %s", back, res.Status, res.Location)
		}
	}

	// A returned case: the return may be judged unjustified, then undone.
	cat := servertest.MustAtoi(t, servertest.CategoryID(t, app, "SR02"))
	insp, shequA := actor("inspector"), actor("shequ")
	c, err := app.Problems.Report(ctx, insp, problem.ReportInput{Source: problem.SourceInspection, CategoryID: cat,
		Description: "楼道堆放杂物", RegionCode: "410411001001"})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		a  access.Actor
		in problem.MoveInput
	}{{officeActor, problem.MoveInput{Action: problem.ActFile}}, {officeActor, problem.MoveInput{Action: problem.ActDispatch}},
		{shequA, problem.MoveInput{Action: problem.ActReturn, Note: "不属于本社区"}}} {
		if c, err = app.Problems.Move(ctx, step.a, c.ID, step.in); err != nil {
			t.Fatalf("%s: %v", step.in.Action, err)
		}
	}
	page := "/problems/" + servertest.Itoa(c.ID)
	res = office.Get(page)
	servertest.MustContain(t, res.Body, "已认定0次（共退回1次）", `name="action" value="unjustified"`, "认定最近一次退回为无故退回")
	servertest.MustNotContain(t, res.Body, `name="action" value="falsified"`, `name="action" value="undo_unjustified"`)
	res = office.Post("/bulletins/marks", markForm(c.ID, "unjustified"))
	if res.Status != http.StatusSeeOther || res.Location != page {
		t.Fatalf("unjustified from the case page: %d %s", res.Status, res.Location)
	}
	res = office.Get(page)
	servertest.MustContain(t, res.Body, "已认定1次（共退回1次）", `name="action" value="undo_unjustified"`)
	servertest.MustNotContain(t, res.Body, `name="action" value="unjustified"`)
	// Judged once already: a second judgement is refused on the case page.
	res = office.Post("/bulletins/marks", markForm(c.ID, "unjustified"))
	if res.Status != http.StatusBadRequest {
		t.Fatalf("second judgement of one return: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, `id="marks"`, "该问题没有尚未认定的退回")
	if m, err := app.Problems.Marks(ctx, officeActor, c.ID); err != nil || m.UnjustifiedReturns != 1 || m.ReturnCount != 1 {
		t.Fatalf("returned case marks: %+v %v", m, err)
	}
}
