package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// spokenDispatch is the dispatch confirmation as the issue asks for it.
var spokenDispatch = regexp.MustCompile(`^已派至电力社区居民委员会，整改时限 (\d{4} 年 )?\d{1,2} 月 \d{1,2} 日 \d\d:\d\d。$`)

var flashText = regexp.MustCompile(`<p class="flash" role="status">([^<]*)</p>`)

// TestMoveConfirmations: after each action the case page says in words what
// happened, with the unit and the deadline in Beijing time, not "已办理。".
func TestMoveConfirmations(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	cat := catalogue(t)
	ctx := context.Background()
	sys := access.System()
	report := func(desc string) *problem.Case {
		c, err := app.Problems.Report(ctx, sys, problem.ReportInput{Source: problem.SourceHotline,
			CategoryID: servertest.MustAtoi(t, servertest.CategoryID(t, app, "SR02")), Description: desc, RegionCode: "410411001001"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	main, other, dup, spot := report("楼道堆放杂物"), report("路边乱扔垃圾"), report("楼道堆放杂物（重复）"), report("广告乱贴")
	people := map[string]*servertest.Browser{}
	for _, name := range []string{"office", "inspector"} {
		people[name] = app.SignedIn(t, name)
	}
	people["shequ"] = app.Browser(t)
	people["shequ"].SignIn("shequ", "wenming-shequ-2026")
	sh := calendar.Shanghai()
	// when is how a person says a time: "12 月 7 日 17:30".
	when := func(ti time.Time) string {
		ti = ti.In(sh)
		if ti.Year() != app.Problems.Now().In(sh).Year() {
			return cat.T("field.when_year", ti.Year(), int(ti.Month()), ti.Day(), ti.Format("15:04"))
		}
		return cat.T("field.when", int(ti.Month()), ti.Day(), ti.Format("15:04"))
	}
	later := app.Problems.Now().Add(30 * 24 * time.Hour).In(sh).Format("2006-01-02T15:04")
	photo := 700
	tests := []struct {
		who    string
		c      *problem.Case
		action string
		fields map[string]string
		photo  bool
		// want is the confirmation, from the case as the move left it.
		want func(c *problem.Case) string
	}{
		{"office", main, "file", nil, false, func(c *problem.Case) string { return cat.T("field.done.file", c.CategoryName) }},
		{"office", main, "dispatch", map[string]string{"unit_id": "0"}, false, func(c *problem.Case) string {
			return cat.T("field.done.dispatch", "电力社区居民委员会", when(c.Deadline))
		}},
		{"shequ", main, "accept", nil, false, func(c *problem.Case) string { return cat.T("field.done.accept", when(c.Deadline)) }},
		{"shequ", main, "request_extension", map[string]string{"note": "需协调物业", "deadline": later}, false, func(c *problem.Case) string {
			return cat.T("field.done.request_extension", when(c.ExtRequestedDeadline))
		}},
		{"office", main, "refuse_extension", map[string]string{"note": "时限内可完成"}, false, func(c *problem.Case) string {
			return cat.T("field.done.refuse_extension", when(c.Deadline))
		}},
		{"shequ", main, "request_extension", map[string]string{"note": "物业已答复", "deadline": later}, false, func(c *problem.Case) string {
			return cat.T("field.done.request_extension", when(c.ExtRequestedDeadline))
		}},
		{"office", main, "approve_extension", nil, false, func(c *problem.Case) string { return cat.T("field.done.approve_extension", when(c.Deadline)) }},
		{"shequ", main, "park", map[string]string{"note": "待资金到位", "deadline": later}, false, func(c *problem.Case) string {
			return cat.T("field.done.park", when(c.ParkedUntil))
		}},
		{"shequ", main, "resume", nil, false, func(c *problem.Case) string { return cat.T("field.done.resume", when(c.Deadline)) }},
		{"shequ", main, "rectify", map[string]string{"note": "已清理"}, true, func(*problem.Case) string { return cat.T("field.done.rectify") }},
		{"inspector", main, "verify_fail", map[string]string{"note": "仍有杂物"}, false, func(c *problem.Case) string {
			return cat.T("field.done.verify_fail", "电力社区居民委员会", when(c.Deadline))
		}},
		{"shequ", main, "rectify", map[string]string{"note": "已全部清理"}, true, func(*problem.Case) string { return cat.T("field.done.rectify") }},
		{"inspector", main, "verify_pass", nil, false, func(*problem.Case) string { return cat.T("field.done.verify_pass") }},
		{"office", main, "reopen", map[string]string{"note": "群众再次反映"}, true, func(c *problem.Case) string {
			return cat.T("field.done.reopen", "电力社区居民委员会", when(c.Deadline))
		}},
		{"shequ", main, "return", map[string]string{"note": "不属本单位职责"}, false, func(*problem.Case) string { return cat.T("field.done.return") }},
		{"office", other, "reject", map[string]string{"note": "非文明城市创建范围"}, false, func(*problem.Case) string { return cat.T("field.done.reject") }},
		{"office", dup, "merge", map[string]string{"duplicate_of": main.Code}, false, func(*problem.Case) string { return cat.T("field.done.merge", main.Code) }},
		{"inspector", spot, "fix_on_spot", map[string]string{"note": "已当场清除"}, true, func(*problem.Case) string { return cat.T("field.done.fix_on_spot") }},
	}
	// The moves run in order: each depends on the one before.
	for _, tc := range tests {
		b, path := people[tc.who], "/problems/"+servertest.Itoa(tc.c.ID)
		b.Get(path)
		fields := map[string]string{"action": tc.action}
		for k, v := range tc.fields {
			fields[k] = v
		}
		var files map[string][][]byte
		if tc.photo {
			photo++
			files = map[string][][]byte{"photos": {servertest.JPEGBytes(photo)}}
		}
		res := b.PostMultipart(path+"/act", fields, files)
		if res.Status != http.StatusSeeOther {
			t.Fatalf("%s %s: %d\n%s", tc.who, tc.action, res.Status, res.Body)
		}
		after, err := app.Problems.Get(ctx, sys, tc.c.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := tc.want(after)
		m := flashText.FindStringSubmatch(b.Get(res.Location).Body)
		if m == nil || html.UnescapeString(m[1]) != want {
			t.Errorf("%s %s: confirmation %q, want %q", tc.who, tc.action, m, want)
		}
		if tc.action == "dispatch" && !spokenDispatch.MatchString(want) {
			t.Errorf("dispatch said %q", want)
		}
		if want == cat.T("case.done") || want == "" {
			t.Errorf("%s %s: no words for the move", tc.who, tc.action)
		}
	}
	// The words are given once, and a confirmation the server did not sign
	// is not shown.
	office := people["office"]
	path := "/problems/" + servertest.Itoa(main.ID)
	if m := flashText.FindStringSubmatch(office.Get(path).Body); m != nil {
		t.Errorf("confirmation shown twice: %q", m[1])
	}
	u, _ := url.Parse(app.URL)
	office.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: "wm_flash", Value: "WyJmaWVsZC5kb25lLm1lcmdlIiwi5YGH55qEIl0.forged", Path: "/"}})
	if m := flashText.FindStringSubmatch(office.Get(path).Body); m != nil {
		t.Errorf("a forged confirmation was shown: %q", m[1])
	}
}
