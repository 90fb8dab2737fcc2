package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

var bulletinLink = regexp.MustCompile(`^/bulletins/(\d+)$`)

// bulletinCases puts three cases of today in the ledger at 电力社区: two
// closed, one in progress. It returns the open one.
func bulletinCases(t *testing.T, app *servertest.App) *problem.Case {
	t.Helper()
	ctx := context.Background()
	actor := func(name string) access.Actor {
		a, _, err := app.Org.Actor(ctx, servertest.MustAtoi(t, servertest.UserIDByName(t, app, name)))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	office, insp, shequ := actor("office"), actor("inspector"), actor("shequ")
	cat := servertest.MustAtoi(t, servertest.CategoryID(t, app, "SR02"))
	move := func(a access.Actor, c *problem.Case, in problem.MoveInput) *problem.Case {
		t.Helper()
		out, err := app.Problems.Move(ctx, a, c.ID, in)
		if err != nil {
			t.Fatalf("%s: %v", in.Action, err)
		}
		return out
	}
	var open *problem.Case
	for i := 0; i < 3; i++ {
		c, err := app.Problems.Report(ctx, insp, problem.ReportInput{Source: problem.SourceInspection, CategoryID: cat,
			Description: "单元门口堆放废旧家具", RegionCode: "410411001001"})
		if err != nil {
			t.Fatal(err)
		}
		c = move(office, c, problem.MoveInput{Action: problem.ActFile})
		c = move(office, c, problem.MoveInput{Action: problem.ActDispatch})
		c = move(shequ, c, problem.MoveInput{Action: problem.ActAccept})
		if i == 2 {
			open = c
			break
		}
		c = move(shequ, c, problem.MoveInput{Action: problem.ActRectify, Note: "已清运", Photos: []string{strings.Repeat("ab", 32)}})
		move(insp, c, problem.MoveInput{Action: problem.ActVerifyPass, Note: "已整洁"})
	}
	return open
}

func composeForm(region, kind, from, to string) url.Values {
	return url.Values{"mode": {"region"}, "region": {region}, "kind": {kind}, "from": {from}, "to": {to}}
}

var totalsBlock = regexp.MustCompile(`(?s)id="bulletin-totals">(.*?)</div>\s*<div class="table-wrap">`)

func TestBulletinPages(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	open := bulletinCases(t, app)
	office, shequ, handler := app.Browser(t), app.Browser(t), app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	shequ.SignIn("shequ", "wenming-shequ-2026")
	handler.SignIn("handler", servertest.DemoPassword("handler"))
	// Yesterday and today: the cases were filed in it even if midnight
	// passed in between.
	now := time.Now().In(calendar.Shanghai())
	today, yesterday := now.Format("2006-01-02"), now.AddDate(0, 0, -1).Format("2006-01-02")
	year := today[:4]

	// Everyone signed in has the section; the office has the form.
	res := shequ.Get("/")
	servertest.MustContain(t, res.Body, `href="/bulletins"`, "通报")
	res = office.Get("/bulletins")
	servertest.MustContain(t, res.Body, "编制通报", `name="kind"`, "还没有签发")

	// A draft: computed now, no number.
	q := composeForm("410411", "custom", yesterday, today).Encode()
	res = office.Get("/bulletins/preview?" + q)
	if res.Status != http.StatusOK {
		t.Fatalf("preview: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, res.Body, "预览稿", "湛河区创建文明城市问题整改情况通报", "电力社区居民委员会", "66.7%", "签发")
	res = office.Get("/bulletins/preview?" + q + "&view=print")
	servertest.MustContain(t, res.Body, "（预览稿，未编号）", "一、总体情况")
	if res := office.Get("/bulletins/preview?" + q + "&view=xlsx"); !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("draft workbook: %d %s", res.Status, res.Header.Get("Content-Type"))
	}

	// Issued: numbered and frozen.
	office.Get("/bulletins")
	res = office.Post("/bulletins", composeForm("410411", "custom", yesterday, today))
	m := bulletinLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("issue: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	id := m[1]
	res = office.Get("/bulletins/" + id)
	servertest.MustContain(t, res.Body, "〔"+year+"〕第1期", "已签发", "湛河区文明办（区创文办）")
	before := totalsBlock.FindStringSubmatch(res.Body)
	if before == nil {
		t.Fatalf("no totals on the page:\n%s", res.Body)
	}
	servertest.MustContain(t, before[1], "<span class=\"num\">3</span>", "66.7%")

	// The community sees it, in its archive and on its own.
	res = shequ.Get("/bulletins")
	servertest.MustContain(t, res.Body, `href="/bulletins/`+id+`"`, "〔"+year+"〕第1期")
	if res := shequ.Get("/bulletins/" + id); res.Status != http.StatusOK {
		t.Fatalf("community reads the district bulletin: %d", res.Status)
	}
	// A bulletin of another street is not shown to this street or its community.
	res = office.Post("/bulletins", composeForm("410411002", "custom", yesterday, today))
	other := bulletinLink.FindStringSubmatch(res.Location)
	if other == nil {
		t.Fatalf("issue other street: %d %s", res.Status, res.Body)
	}
	for _, b := range []*servertest.Browser{shequ, handler} {
		if res := b.Get("/bulletins/" + other[1]); res.Status != http.StatusNotFound {
			t.Fatalf("another street's bulletin: %d", res.Status)
		}
		servertest.MustNotContain(t, b.Get("/bulletins").Body, `href="/bulletins/`+other[1]+`"`)
	}

	// The cases change; the issued bulletin does not.
	ctx := context.Background()
	shequActor, _, _ := app.Org.Actor(ctx, servertest.MustAtoi(t, servertest.UserIDByName(t, app, "shequ")))
	inspActor, _, _ := app.Org.Actor(ctx, servertest.MustAtoi(t, servertest.UserIDByName(t, app, "inspector")))
	c, err := app.Problems.Move(ctx, shequActor, open.ID, problem.MoveInput{Action: problem.ActRectify, Note: "已清运", Photos: []string{strings.Repeat("cd", 32)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Problems.Move(ctx, inspActor, c.ID, problem.MoveInput{Action: problem.ActVerifyPass, Note: "已整洁"}); err != nil {
		t.Fatal(err)
	}
	after := totalsBlock.FindStringSubmatch(office.Get("/bulletins/" + id).Body)
	if after == nil || after[1] != before[1] {
		t.Fatalf("frozen totals changed:\n%s\n---\n%s", before[1], after)
	}
	servertest.MustContain(t, office.Get("/bulletins/preview?"+q).Body, "100.0%")
	// No route edits an issued bulletin.
	if res := office.Post("/bulletins/"+id, url.Values{"title": {"改过的标题"}}); res.Status != http.StatusMethodNotAllowed {
		t.Fatalf("edit an issued bulletin: %d", res.Status)
	}
	// Re-issue: a new number, the old one stays.
	office.Get("/bulletins/" + id)
	res = office.Post("/bulletins/"+id+"/reissue", nil)
	re := bulletinLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || re == nil || re[1] == id {
		t.Fatalf("reissue: %d %s", res.Status, res.Location)
	}
	servertest.MustContain(t, office.Get("/bulletins/"+re[1]).Body, "〔"+year+"〕第3期", "本期为重新签发", "100.0%")
	servertest.MustContain(t, office.Get("/bulletins/"+id).Body, "已重新签发", "〔"+year+"〕第1期")

	// Print layout, workbook, PDF.
	res = office.Get("/bulletins/" + id + "/print")
	servertest.MustContain(t, res.Body, `class="red-issuer">湛河区文明办（区创文办）`, "〔"+year+"〕第1期", "一、总体情况", "notice-table")
	res = office.Get("/bulletins/" + id + ".xlsx")
	if res.Status != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("xlsx: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(res.Body)))
	if err != nil {
		t.Fatal(err)
	}
	if sheets := x.GetSheetList(); len(sheets) < 9 || sheets[3] != "四、红黑榜" || !strings.Contains(strings.Join(sheets, " "), "社区（村）办理情况") {
		t.Fatalf("sheets %v", sheets)
	}
	res = office.Get("/bulletins/" + id + ".pdf")
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.Body, "%PDF") {
		t.Fatalf("pdf: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
	if res := shequ.Get("/bulletins/" + other[1] + ".xlsx"); res.Status != http.StatusNotFound {
		t.Fatalf("another street's workbook: %d", res.Status)
	}
}

func TestBulletinBadInput(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office, shequ := app.Browser(t), app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	shequ.SignIn("shequ", "wenming-shequ-2026")
	for _, tc := range []struct {
		name   string
		b      *servertest.Browser
		query  url.Values
		status int
		text   string
	}{
		{"period ends before it starts", office, composeForm("410411", "custom", "2026-11-22", "2026-11-16"), http.StatusBadRequest, "结束日期 2026-11-16 早于开始日期 2026-11-22"},
		{"scope above the office", office, composeForm("4104", "week", "2026-11-16", ""), http.StatusForbidden, "您无权查看“平顶山市”的情况"},
		{"unknown region", office, composeForm("410499", "week", "2026-11-16", ""), http.StatusBadRequest, "区划代码“410499”不存在"},
		{"no units chosen", office, url.Values{"mode": {"units"}, "kind": {"week"}, "from": {"2026-11-16"}}, http.StatusBadRequest, "请填写区划代码或选择单位"},
		{"a community composes", shequ, composeForm("410411001001", "week", "2026-11-16", ""), http.StatusForbidden, "只有创文办和领导可以编制通报"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.b.Get("/bulletins/preview?" + tc.query.Encode())
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, tc.status, res.Body)
			}
			servertest.MustContain(t, res.Body, tc.text)
			// Issuing the same is refused the same way, and nothing is stored.
			tc.b.Get("/bulletins")
			res = tc.b.Post("/bulletins", tc.query)
			if res.Status != tc.status {
				t.Fatalf("issue: status %d, want %d", res.Status, tc.status)
			}
			servertest.MustContain(t, res.Body, tc.text)
		})
	}
	var n int
	if err := app.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM bulletin").Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d bulletins stored from refused input (%v)", n, err)
	}

	// The assessment configuration.
	res := office.Get("/bulletins/config")
	servertest.MustContain(t, res.Body, "按期结案率×40", "每次核查不通过扣2分", "每件虚假整改扣5分", "每次无故退回扣1分", "按2倍计算", "少于5件")
	form := func(change map[string]string) url.Values {
		v := url.Values{"on_time": {"40"}, "closure": {"30"}, "rework": {"10"}, "return": {"10"}, "extension": {"10"},
			"per_failed": {"2"}, "per_falsified": {"5"}, "per_unjustified": {"1"}, "double_factor": {"2"}, "min_sample": {"5"}, "list_size": {"3"}}
		for k, x := range change {
			v.Set(k, x)
		}
		return v
	}
	for _, tc := range []struct {
		change map[string]string
		text   string
	}{
		{map[string]string{"on_time": "abc"}, "“abc”不是有效的数字"},
		{map[string]string{"on_time": "45"}, "五项权重合计须为 100，现在是 105"},
		{map[string]string{"closure": "130", "on_time": "-60"}, "权重须在 0 到 100 之间"},
		{map[string]string{"per_falsified": "-5"}, "不能为负数"},
		{map[string]string{"excluded": "410411-cg\n不存在的单位"}, "排除名单中的单位“不存在的单位”不存在或不在本辖区"},
		{map[string]string{"min_sample": "2.5"}, "最少案件数须为 1 到 1000 之间的整数"},
	} {
		office.Get("/bulletins/config")
		res := office.Post("/bulletins/config", form(tc.change))
		if res.Status != http.StatusBadRequest {
			t.Fatalf("%v: status %d", tc.change, res.Status)
		}
		servertest.MustContain(t, res.Body, tc.text)
	}
	res = office.Post("/bulletins/config", form(map[string]string{"on_time": "50", "closure": "20", "excluded": "410411-cg"}))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("save config: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, office.Get("/bulletins/config").Body, "按期结案率×50", "湛河区城市管理局")
	// The community can neither read nor change it.
	if res := shequ.Get("/bulletins/config"); res.Status != http.StatusForbidden {
		t.Fatalf("community reads the configuration: %d", res.Status)
	}

	// A schedule: every Monday 09:00.
	office.Get("/bulletins/config")
	res = office.Post("/bulletins/schedules", url.Values{"scope": {"410411"}, "kind": {"week"}, "weekday": {"1"}, "monthday": {"1"}, "time": {"09:00"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("schedule: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, office.Get("/bulletins/config").Body, "每周一 09:00 签发上周通报")
	res = office.Post("/bulletins/schedules", url.Values{"scope": {"410411"}, "kind": {"month"}, "monthday": {"31"}, "time": {"09:00"}})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("31st of the month: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "月报签发日期须在 1 到 28 日之间")
}

func TestBulletinMarks(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	open := bulletinCases(t, app)
	office, shequ := app.Browser(t), app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	shequ.SignIn("shequ", "wenming-shequ-2026")
	ctx := context.Background()
	// A closed case of the community: the office marks it falsified.
	var closedID int64
	var code string
	if err := app.DB.QueryRow(ctx, "SELECT id, code FROM problem WHERE state = 'closed' ORDER BY id LIMIT 1").Scan(&closedID, &code); err != nil {
		t.Fatal(err)
	}
	res := office.Get("/bulletins/marks?problem=" + code)
	servertest.MustContain(t, res.Body, code, "认定为虚假整改", "已认定0次（共退回0次）")
	res = office.Post("/bulletins/marks", url.Values{"problem": {servertest.Itoa(closedID)}, "action": {"falsified"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("mark: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, office.Get(res.Location).Body, "已认定虚假整改", "王创文")
	// An open case cannot be falsified, nor a case without a return be unjustified.
	office.Get("/bulletins/marks?problem=" + open.Code)
	res = office.Post("/bulletins/marks", url.Values{"problem": {servertest.Itoa(open.ID)}, "action": {"falsified"}})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("falsify an open case: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "还没有整改")
	res = office.Post("/bulletins/marks", url.Values{"problem": {servertest.Itoa(open.ID)}, "action": {"unjustified"}})
	servertest.MustContain(t, res.Body, "没有尚未认定的退回")
	// The community may not mark.
	if res := shequ.Get("/bulletins/marks?problem=" + code); res.Status != http.StatusForbidden {
		t.Fatalf("community opens marks: %d", res.Status)
	}
	shequ.Get("/bulletins")
	if res := shequ.Post("/bulletins/marks", url.Values{"problem": {servertest.Itoa(closedID)}, "action": {"not_falsified"}}); res.Status != http.StatusForbidden {
		t.Fatalf("community unmarks: %d", res.Status)
	}
	// The mark costs the community 5 points in the draft.
	now := time.Now().In(calendar.Shanghai())
	res = office.Get("/bulletins/preview?" + composeForm("410411", "custom", now.AddDate(0, 0, -1).Format("2006-01-02"), now.Format("2006-01-02")).Encode())
	servertest.MustContain(t, res.Body, `title="核查不通过扣0.0分，虚假整改扣5.0分，无故退回扣0.0分">5.0`)
}
