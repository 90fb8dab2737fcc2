package server_test

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
	"github.com/wenming-civic/wenming/internal/problem"
)

var bulletinNotice = regexp.MustCompile(`通报下发：〔\d{4}〕第\d+期《[^》]+》已下发，请查看本单位排名和问题清单。`)

// TestBulletinIssuedNotifications: issuing a bulletin tells the handlers
// of the units it lists and the leader, in the bell and on the
// notifications page, with a way to the bulletin; units it does not list
// hear nothing; re-issuing tells them again.
func TestBulletinIssuedNotifications(t *testing.T) {
	app := newTestApp(t)
	office, handler, shequ, leader := app.browser(t), app.browser(t), app.browser(t), app.browser(t)
	office.signIn("office", demoPassword("office"))
	handler.signIn("handler", demoPassword("handler"))
	shequ.signIn("shequ", "wenming-shequ-2026")
	leader.signIn("leader", demoPassword("leader"))
	now := time.Now().In(calendar.Shanghai())
	today, yesterday := now.Format("2006-01-02"), now.AddDate(0, 0, -1).Format("2006-01-02")
	year := today[:4]
	notices := func(b *browser) []string {
		t.Helper()
		res := b.get("/notifications")
		if res.Status != http.StatusOK {
			t.Fatalf("notifications: %d", res.Status)
		}
		return bulletinNotice.FindAllString(res.Body, -1)
	}
	for _, b := range []*browser{handler, shequ, leader} {
		if got := notices(b); len(got) != 0 {
			t.Fatalf("before any bulletin: %v", got)
		}
	}

	// The district: its street and community are listed.
	office.get("/bulletins")
	res := office.post("/bulletins", composeForm("410411", "custom", yesterday, today))
	m := bulletinLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("issue: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	id := m[1]
	for _, b := range []*browser{handler, shequ, leader} {
		res := b.get("/notifications")
		mustContain(t, res.Body, "通报下发：〔"+year+"〕第1期《湛河区创建文明城市问题整改情况通报（", `href="/bulletins/`+id+`"`,
			`name="bulletin_id" value="`+id+`"`, "查看通报")
		// The bell counts it.
		mustContain(t, b.get("/").Body, `id="unread">`)
		// The link opens the bulletin, which the person may read.
		if res := b.get("/bulletins/" + id); res.Status != http.StatusOK {
			t.Fatalf("notified reader opens the bulletin: %d", res.Status)
		}
	}
	// Clicking the message marks it read and opens the bulletin.
	res = handler.get("/notifications")
	nid := regexp.MustCompile(`name="id" value="(\d+)"><input type="hidden" name="problem_id" value="0"><input type="hidden" name="bulletin_id" value="` + id + `"`).
		FindStringSubmatch(res.Body)
	if nid == nil {
		t.Fatalf("no form for the bulletin notice:\n%s", res.Body)
	}
	res = handler.post("/notifications/read", url.Values{"id": {nid[1]}, "problem_id": {"0"}, "bulletin_id": {id}})
	if res.Status != http.StatusSeeOther || res.Location != "/bulletins/"+id {
		t.Fatalf("open from the bell: %d %s", res.Status, res.Location)
	}
	mustNotContain(t, handler.get("/").Body, `id="unread">`)

	// A group of units naming only the community: the street's handler
	// is not told; the community and the leader are.
	community := unitIDByCode(t, app, "410411001001")
	office.get("/bulletins")
	res = office.post("/bulletins", url.Values{"mode": {"units"}, "units": {community}, "kind": {"custom"}, "from": {yesterday}, "to": {today},
		"title": {"电力社区专项通报"}})
	g := bulletinLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || g == nil {
		t.Fatalf("issue for a unit: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	for _, tc := range []struct {
		name string
		b    *browser
		want int
	}{{"street handler", handler, 1}, {"community", shequ, 2}, {"leader", leader, 2}} {
		if got := notices(tc.b); len(got) != tc.want {
			t.Errorf("%s has %d bulletin notices, want %d: %v", tc.name, len(got), tc.want, got)
		}
	}
	mustNotContain(t, handler.get("/notifications").Body, "电力社区专项通报", `href="/bulletins/`+g[1]+`"`)
	mustContain(t, shequ.get("/notifications").Body, "〔"+year+"〕第2期《电力社区专项通报》", `href="/bulletins/`+g[1]+`"`)

	// Re-issued: a new number, told again.
	office.get("/bulletins/" + id)
	res = office.post("/bulletins/"+id+"/reissue", nil)
	re := bulletinLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || re == nil || re[1] == id {
		t.Fatalf("reissue: %d %s", res.Status, res.Location)
	}
	for _, b := range []*browser{handler, shequ, leader} {
		mustContain(t, b.get("/notifications").Body, "通报下发：〔"+year+"〕第3期《", `href="/bulletins/`+re[1]+`"`)
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
	return url.Values{"problem": {strconvI(id)}, "action": {action}, "back": {"/problems/" + strconvI(id)}}
}

// TestCaseMarks: the office sets its marks on the case page itself, which
// offers only the marks the case allows and comes back to the case; others
// see the marks read-only and may not set them.
func TestCaseMarks(t *testing.T) {
	app := newTestApp(t)
	open := bulletinCases(t, app)
	ctx := context.Background()
	office, shequ, leader := app.browser(t), app.browser(t), app.browser(t)
	office.signIn("office", demoPassword("office"))
	shequ.signIn("shequ", "wenming-shequ-2026")
	leader.signIn("leader", demoPassword("leader"))
	actor := func(name string) access.Actor {
		a, _, err := app.Org.Actor(ctx, mustAtoi(t, userIDByName(t, app, name)))
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
	closed := "/problems/" + strconvI(closedID)

	// A closed case: it may be marked falsified; without returns, no
	// return can be judged.
	res := office.get(closed)
	mustContain(t, res.Body, `id="marks"`, "考核标记", `action="/bulletins/marks"`, `name="back" value="`+closed+`"`,
		`name="action" value="falsified"`, "认定为虚假整改", "已认定0次（共退回0次）")
	mustNotContain(t, res.Body, `name="action" value="unjustified"`, `name="action" value="not_falsified"`)
	// An open case without returns: nothing to mark yet.
	res = office.get("/problems/" + strconvI(open.ID))
	mustContain(t, res.Body, `id="marks"`, "暂无可作的标记")
	mustNotContain(t, res.Body, `name="action" value="falsified"`, `name="action" value="unjustified"`)

	// The community, whose case it is, sees no buttons, and its post is
	// refused.
	res = shequ.get(closed)
	if res.Status != http.StatusOK {
		t.Fatalf("community opens its case: %d", res.Status)
	}
	mustNotContain(t, res.Body, `action="/bulletins/marks"`, "认定为虚假整改")
	res = shequ.post("/bulletins/marks", markForm(closedID, "falsified"))
	if res.Status != http.StatusForbidden {
		t.Fatalf("community marks: %d", res.Status)
	}
	mustContain(t, res.Body, "只有问题所在辖区的创文办可以作考核标记")

	// A forged token is refused before anything happens.
	form := markForm(closedID, "falsified")
	form.Set("csrf", "forged-"+strings.Repeat("x", 40))
	if res := office.post("/bulletins/marks", form); res.Status != http.StatusForbidden {
		t.Fatalf("forged token: %d", res.Status)
	}
	if m, err := app.Bulletins.Marks(ctx, officeActor, closedID); err != nil || m.Falsified || len(m.History) != 0 {
		t.Fatalf("after refused posts: %+v %v", m, err)
	}

	// The office marks it falsified from the case page and comes back.
	office.get(closed)
	res = office.post("/bulletins/marks", markForm(closedID, "falsified"))
	if res.Status != http.StatusSeeOther || res.Location != closed {
		t.Fatalf("mark from the case page: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	res = office.get(res.Location)
	mustContain(t, res.Body, "标记已保存。", "已认定虚假整改", `name="action" value="not_falsified"`, "撤销虚假整改认定")
	mustNotContain(t, res.Body, `name="action" value="falsified"`)
	m, err := app.Bulletins.Marks(ctx, officeActor, closedID)
	if err != nil || !m.Falsified || len(m.History) != 1 || m.History[0].Kind != "falsified" {
		t.Fatalf("marks after the case page: %+v %v", m, err)
	}
	mustContain(t, office.get("/bulletins/marks?problem="+code).Body, "已认定虚假整改", "王创文")

	// Now marked, the others see it read-only.
	for _, b := range []*browser{shequ, leader} {
		res := b.get(closed)
		mustContain(t, res.Body, `id="marks"`, "已认定虚假整改", "考核标记由问题所在辖区的创文办认定")
		mustNotContain(t, res.Body, `action="/bulletins/marks"`)
	}
	// The street's handler does not see the community's case at all.
	handler := app.browser(t)
	handler.signIn("handler", demoPassword("handler"))
	if res := handler.get(closed); res.Status != http.StatusNotFound {
		t.Fatalf("street handler opens the community's case: %d", res.Status)
	}

	// back must be a case page of this site; anything else is ignored and
	// the marks page is shown instead.
	for _, back := range []string{"https://evil.example/problems/1", "//evil.example/problems/1", "/\\evil.example/problems/1",
		"/problems/1/../../logout", "/problems/+1", "/problems/", "/bulletins", "javascript:alert(1)"} {
		office.get(closed)
		form := markForm(closedID, "falsified")
		form.Set("back", back)
		res := office.post("/bulletins/marks", form)
		if res.Status != http.StatusSeeOther || res.Location != "/bulletins/marks?problem="+url.QueryEscape(code) {
			t.Errorf("back %q: %d %s", back, res.Status, res.Location)
		}
	}

	// A returned case: the return may be judged unjustified, then undone.
	cat := mustAtoi(t, categoryID(t, app, "SR02"))
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
	page := "/problems/" + strconvI(c.ID)
	res = office.get(page)
	mustContain(t, res.Body, "已认定0次（共退回1次）", `name="action" value="unjustified"`, "认定最近一次退回为无故退回")
	mustNotContain(t, res.Body, `name="action" value="falsified"`, `name="action" value="undo_unjustified"`)
	res = office.post("/bulletins/marks", markForm(c.ID, "unjustified"))
	if res.Status != http.StatusSeeOther || res.Location != page {
		t.Fatalf("unjustified from the case page: %d %s", res.Status, res.Location)
	}
	res = office.get(page)
	mustContain(t, res.Body, "已认定1次（共退回1次）", `name="action" value="undo_unjustified"`)
	mustNotContain(t, res.Body, `name="action" value="unjustified"`)
	// Judged once already: a second judgement is refused on the case page.
	res = office.post("/bulletins/marks", markForm(c.ID, "unjustified"))
	if res.Status != http.StatusBadRequest {
		t.Fatalf("second judgement of one return: %d", res.Status)
	}
	mustContain(t, res.Body, `id="marks"`, "该问题没有尚未认定的退回")
	if m, err := app.Bulletins.Marks(ctx, officeActor, c.ID); err != nil || m.UnjustifiedReturns != 1 || m.ReturnCount != 1 {
		t.Fatalf("returned case marks: %+v %v", m, err)
	}
}
