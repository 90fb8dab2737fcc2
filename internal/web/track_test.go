package web_test

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

var trackLink = regexp.MustCompile(`id="track-link"[^>]*>https?://[^<]*/track/([A-Za-z0-9_-]+)<`)

// publicCase reports through the public form as b and returns the case
// and the token of its status link.
func publicCase(t *testing.T, app *servertest.App, b *servertest.Browser, desc string) (*problem.Case, string) {
	t.Helper()
	b.Get("/public/report")
	res := b.PostMultipart("/public/report", map[string]string{"description": desc, "region_code": "410411001001",
		"reporter_name": "王小明", "reporter_phone": "13812345678"}, nil)
	if res.Status != http.StatusCreated {
		t.Fatalf("public report: status %d", res.Status)
	}
	m := trackLink.FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatalf("no status link in the confirmation:\n%s", res.Body)
	}
	if res.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Error("the confirmation may leak its link through the referrer")
	}
	cases, _, err := app.Problems.List(context.Background(), access.System(), problem.Filter{Text: desc})
	if err != nil || len(cases) != 1 {
		t.Fatalf("the reported case: %v %v", cases, err)
	}
	servertest.MustContain(t, res.Body, cases[0].Code)
	return cases[0], m[1]
}

// ingest stores a photo and returns its hash.
func ingest(t *testing.T, app *servertest.App, seed int) string {
	t.Helper()
	p, err := app.Media.Ingest(context.Background(), bytes.NewReader(servertest.JPEGBytes(seed)), "after.jpg")
	if err != nil {
		t.Fatal(err)
	}
	return p.Hash
}

// lifeCycle lists the moves from report to closure, with internal notes.
func lifeCycle(t *testing.T, app *servertest.App, after string) []struct {
	who string
	in  problem.MoveInput
} {
	cat := servertest.MustAtoi(t, servertest.CategoryID(t, app, "SR02"))
	return []struct {
		who string
		in  problem.MoveInput
	}{
		{"office", problem.MoveInput{Action: problem.ActFile, CategoryID: cat, Note: "内部备注甲"}},
		{"office", problem.MoveInput{Action: problem.ActDispatch, Note: "内部备注乙"}},
		{"shequ", problem.MoveInput{Action: problem.ActAccept}},
		{"shequ", problem.MoveInput{Action: problem.ActRectify, Note: "内部备注丙", Photos: []string{after}}},
		{"inspector", problem.MoveInput{Action: problem.ActVerifyPass, Note: "内部备注丁"}},
	}
}

// demoPeople lists what must never reach a status page: every demo
// user's name, username and phone, and every unit's name.
func demoPeople(t *testing.T, app *servertest.App) []string {
	t.Helper()
	ctx := context.Background()
	users, _, err := app.Org.ListUsers(ctx, access.System(), org.UserFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	units, _, err := app.Org.ListUnits(ctx, access.System(), org.UnitFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	out := []string{"王小明", "13812345678"}
	for _, u := range users {
		out = append(out, u.DisplayName, ">"+u.Username+"<")
		if u.Phone != "" {
			out = append(out, u.Phone)
		}
	}
	for _, u := range units {
		out = append(out, u.Name)
	}
	if len(users) < 8 || len(units) < 10 {
		t.Fatalf("the demo has %d users and %d units: not loaded?", len(users), len(units))
	}
	return out
}

// TestTrackPage: the private link shows the case at every step, with the
// unit's type, the public steps only, no one's name or phone, and the
// after-photo (served through the token) only once closed.
func TestTrackPage(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	cat := catalogue(t)
	citizen := app.Browser(t)
	c, token := publicCase(t, app, citizen, "广场东侧垃圾桶满溢")
	after := ingest(t, app, 71)
	people := demoPeople(t, app)
	page, photo := "/track/"+token, "/track/"+token+"/photos/"+after+"/thumb"
	internal := []string{"内部备注", cat.T("problem.action.accept"), cat.T("problem.action.verify_pass"), cat.T("problem.state.dispatched")}
	stages := []string{"reported", "filed", "dispatched", "in_progress", "rectified", "closed"}
	moves := lifeCycle(t, app, after)
	for i, stage := range stages {
		if i > 0 {
			m := moves[i-1]
			if _, err := app.Problems.Move(ctx, servertest.Actor(t, app, m.who), c.ID, m.in); err != nil {
				t.Fatalf("%s: %v", m.in.Action, err)
			}
		}
		res := app.Browser(t).Get(page) // a fresh browser: the link is all it takes
		if res.Status != http.StatusOK {
			t.Fatalf("%s: status %d", stage, res.Status)
		}
		body := html.UnescapeString(res.Body)
		servertest.MustContain(t, body, c.Code, cat.T("citizen.state."+stage), "广场东侧垃圾桶满溢", cat.T("citizen.step.reported"))
		servertest.MustNotContain(t, body, append(internal, people...)...)
		if i >= 2 {
			servertest.MustContain(t, body, cat.T("citizen.unit.community"), cat.T("citizen.step.dispatched"))
		}
		closed := stage == "closed"
		if strings.Contains(body, photo) != closed {
			t.Errorf("%s: after-photo shown %v", stage, !closed)
		}
		if got := app.Browser(t).Get(photo); (got.Status == http.StatusOK) != closed || (closed && got.Header.Get("Content-Type") != "image/jpeg") {
			t.Errorf("%s: photo status %d", stage, got.Status)
		}
		if closed {
			servertest.MustContain(t, body, cat.T("citizen.step.verified"), cat.T("citizen.step.closed"), cat.T("citizen.rate_question"))
		}
		if res.Header.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
			t.Errorf("%s: headers %v", stage, res.Header)
		}
	}
	// The member photo route stays closed to the link's holder.
	if res := citizen.Get("/photos/" + after + "/thumb"); res.Status == http.StatusOK {
		t.Error("the member photo route served a signed-out visitor")
	}
	unknown := []struct{ name, path string }{
		{"one character changed", "/track/" + token[:len(token)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(token, "A")]},
		{"shortened", "/track/" + token[:20]},
		{"the code", "/track/" + c.Code},
		{"photo of another token", "/track/" + strings.Repeat("A", len(token)) + "/photos/" + after + "/thumb"},
		{"a before-photo", "/track/" + token + "/photos/" + strings.Repeat("0", 64) + "/thumb"},
	}
	for _, tc := range unknown {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := app.Browser(t).Get(tc.path)
			if res.Status != http.StatusNotFound {
				t.Fatalf("status %d, want 404", res.Status)
			}
			if !strings.Contains(tc.path, "/photos/") {
				servertest.MustContain(t, html.UnescapeString(res.Body), cat.T("citizen.track_unknown"))
			}
		})
	}
}

// TestTrackFeedback: a closed case takes one answer on its status page;
// 不满意 asking to reopen tells the office, whose ledger counts the
// answers per unit.
func TestTrackFeedback(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	cat := catalogue(t)
	citizen := app.Browser(t)
	c, token := publicCase(t, app, citizen, "人行道井盖缺失")
	page := "/track/" + token
	citizen.Get(page)
	if res := citizen.Post(page+"/feedback", url.Values{"rating": {"satisfied"}}); res.Status != http.StatusConflict {
		t.Errorf("an open case was rated: status %d", res.Status)
	}
	for _, m := range lifeCycle(t, app, ingest(t, app, 72)) {
		if _, err := app.Problems.Move(ctx, servertest.Actor(t, app, m.who), c.ID, m.in); err != nil {
			t.Fatalf("%s: %v", m.in.Action, err)
		}
	}
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"no rating", url.Values{"comment": {"太慢"}}, http.StatusBadRequest, cat.T("citizen.rating_required")},
		{"unsatisfied, reopen", url.Values{"rating": {"unsatisfied"}, "comment": {"垃圾又堆起来了"}, "reopen": {"1"}}, http.StatusSeeOther, ""},
		{"again", url.Values{"rating": {"satisfied"}}, http.StatusConflict, cat.T("citizen.already_rated")},
	}
	for _, tc := range tests { // in order: the answer is once only
		citizen.Get(page)
		res := citizen.Post(page+"/feedback", tc.form)
		if res.Status != tc.status {
			t.Fatalf("%s: status %d, want %d", tc.name, res.Status, tc.status)
		}
		servertest.MustContain(t, html.UnescapeString(res.Body), tc.want)
	}
	body := html.UnescapeString(citizen.Get(page).Body)
	servertest.MustContain(t, body, cat.T("citizen.your_rating", cat.T("citizen.rating.unsatisfied")), cat.T("citizen.reopen_sent"))
	servertest.MustNotContain(t, body, cat.T("citizen.rate_question"))

	office := app.SignedIn(t, "office")
	servertest.MustContain(t, html.UnescapeString(office.Get("/notifications").Body), cat.T("problem.notice.citizen_unsatisfied", c.Code))
	servertest.MustContain(t, html.UnescapeString(office.Get("/problems/"+servertest.Itoa(c.ID)).Body),
		cat.T("problem.action.feedback"), "垃圾又堆起来了", cat.T("problem.action.reopen"))
	got, err := app.Problems.Get(ctx, access.System(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	kpis := html.UnescapeString(office.Get("/problems/kpis").Body)
	servertest.MustContain(t, kpis, cat.T("citizen.satisfaction_title"), "<td>"+got.UnitName+"</td><td>0</td><td>0</td><td>1</td><td>0.0%</td>")
}

// TestCitizenLedger: a signed-in citizen's ledger is 我的上报, their own
// reports with state and date and no internal rates; their case opens as
// its public status and takes their answer once closed.
func TestCitizenLedger(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	cat := catalogue(t)
	citizen := app.SignedIn(t, "citizen")
	mine, _ := publicCase(t, app, citizen, "公交站台广告牌破损")
	other, _ := publicCase(t, app, app.Browser(t), "河道漂浮垃圾")
	ledger := html.UnescapeString(citizen.Get("/problems").Body)
	servertest.MustContain(t, ledger, cat.T("citizen.mine_title"), mine.Code, cat.T("citizen.state.reported"), "公交站台广告牌破损")
	servertest.MustNotContain(t, ledger, other.Code, cat.T("kpi.rework_rate"), cat.T("kpi.extension_rate"), `hx-get="/problems/kpis`)
	office := html.UnescapeString(app.SignedIn(t, "office").Get("/problems").Body)
	servertest.MustContain(t, office, `hx-get="/problems/kpis`)
	servertest.MustNotContain(t, office, cat.T("citizen.mine_title"))

	for _, m := range lifeCycle(t, app, ingest(t, app, 73)) {
		if _, err := app.Problems.Move(ctx, servertest.Actor(t, app, m.who), mine.ID, m.in); err != nil {
			t.Fatalf("%s: %v", m.in.Action, err)
		}
	}
	path := "/problems/" + servertest.Itoa(mine.ID)
	page := html.UnescapeString(citizen.Get(path).Body)
	servertest.MustContain(t, page, mine.Code, cat.T("citizen.state.closed"), cat.T("citizen.rate_question"))
	for _, p := range append(demoPeople(t, app), "内部备注") {
		if p != ">citizen<" { // the citizen's own username heads their pages
			servertest.MustNotContain(t, page, p)
		}
	}
	tests := []struct {
		name   string
		who    *servertest.Browser
		status int
	}{
		{"the office does not answer for the citizen", app.SignedIn(t, "office"), http.StatusForbidden},
		{"the reporter", citizen, http.StatusSeeOther},
		{"the reporter again", citizen, http.StatusConflict},
	}
	for _, tc := range tests {
		tc.who.Get("/problems")
		if res := tc.who.Post(path+"/feedback", url.Values{"rating": {"satisfied"}}); res.Status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, res.Status, tc.status)
		}
	}
	if res := citizen.Get("/problems/" + servertest.Itoa(other.ID)); res.Status != http.StatusNotFound {
		t.Errorf("the citizen opened someone else's case: %d", res.Status)
	}
}

var keptTicket = regexp.MustCompile(`name="kept_photo" value="([^"]+)"`)

// TestFormKeepsPhoto: a refused report comes back with its photo kept by
// ticket, on the public form and on 随手拍; the ticket attaches the photo
// for the same client only, and a bare hash attaches nothing.
func TestFormKeepsPhoto(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	category := servertest.CategoryID(t, app, "SR02")
	tests := []struct {
		name, path, role string
		ok               int
	}{
		{"public form", "/public/report", "", http.StatusCreated},
		{"随手拍", "/report", "inspector", http.StatusSeeOther},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			browser := func() *servertest.Browser {
				if tc.role == "" {
					return app.Browser(t)
				}
				return app.SignedIn(t, tc.role)
			}
			owner, stranger := browser(), browser()
			desc := "围墙小广告 " + tc.name
			fields := func(phone string) map[string]string {
				f := map[string]string{"description": desc, "region_code": "410411001001", "category_id": category,
					"source": "snapshot", "reporter_phone": phone, "address": "建设路 8 号"}
				if tc.role == "" {
					f["reporter_name"] = "王小明"
				}
				return f
			}
			owner.Get(tc.path)
			stranger.Get(tc.path)
			photo := servertest.JPEGBytes(500 + i)
			bad := fields("12345")
			if tc.role != "" {
				delete(bad, "category_id") // 随手拍 has no phone field: the category is missing instead
			}
			res := owner.PostMultipart(tc.path, bad, map[string][][]byte{"photos": {photo}})
			if res.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", res.Status)
			}
			body := html.UnescapeString(res.Body)
			m := keptTicket.FindStringSubmatch(body)
			if m == nil || !strings.HasPrefix(m[1], photoHash(photo)+".") {
				t.Fatalf("the photo was not kept:\n%s", body)
			}
			ticket := m[1]
			servertest.MustContain(t, body, desc, `value="建设路 8 号"`, `src="/report/kept/`+ticket+`"`)
			if got := owner.Get("/report/kept/" + ticket); got.Status != http.StatusOK || got.Header.Get("Content-Type") != "image/jpeg" {
				t.Errorf("the owner's thumbnail: %d", got.Status)
			}
			if got := stranger.Get("/report/kept/" + ticket); got.Status != http.StatusNotFound {
				t.Errorf("a stranger saw the kept photo: %d", got.Status)
			}
			attached := func(who *servertest.Browser, kept, suffix string) int {
				t.Helper()
				f := fields("13812345678")
				f["description"], f["kept_photo"] = desc+suffix, kept
				if res := who.PostMultipart(tc.path, f, nil); res.Status != tc.ok {
					t.Fatalf("%s: status %d, want %d", suffix, res.Status, tc.ok)
				}
				cases, _, err := app.Problems.List(ctx, access.System(), problem.Filter{Text: desc + suffix})
				if err != nil || len(cases) != 1 {
					t.Fatalf("%s: %v %v", suffix, cases, err)
				}
				events, err := app.Problems.Timeline(ctx, access.System(), cases[0].ID)
				if err != nil {
					t.Fatal(err)
				}
				return len(events[0].Photos)
			}
			if n := attached(stranger, ticket, " 他人"); n != 0 {
				t.Errorf("a stranger attached the owner's photo with its ticket (%d photos)", n)
			}
			if n := attached(owner, photoHash(photo), " 仅哈希"); n != 0 {
				t.Errorf("a bare hash attached a photo (%d photos)", n)
			}
			if n := attached(owner, ticket, " 本人"); n != 1 {
				t.Errorf("the owner's kept photo: %d photos attached, want 1", n)
			}
		})
	}
}
