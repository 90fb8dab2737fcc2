package web_test

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/pdfdoc"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/site"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// wpSheet builds a plan sheet in the offices' layout.
func wpSheet(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	head := []any{"序号", "任务", "牵头单位", "配合单位", "完成时限", "目标", "计划资金（万元）"}
	if err := f.SetSheetRow("Sheet1", "A1", &head); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
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

var wpTaskLink = regexp.MustCompile(`href="/workplans/tasks/(\d+)">([^<]+)</a>`)

// wpTaskIDs maps the task titles of a page to their ids.
func wpTaskIDs(body string) map[string]string {
	out := map[string]string{}
	for _, m := range wpTaskLink.FindAllStringSubmatch(body, -1) {
		out[m[2]] = m[1]
	}
	return out
}

func wpPlanCount(t *testing.T, app *servertest.App) int {
	t.Helper()
	n, err := db.Count(context.Background(), app.DB, "SELECT COUNT(*) FROM workplan_plan")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wpImport creates a plan from a sheet as the office.
func wpImport(t *testing.T, office *servertest.Browser, sheet []byte) servertest.Response {
	t.Helper()
	office.Get("/workplans")
	return office.Upload("/workplans", "plan.xlsx", map[string]string{"name": "2026 年创文工作方案", "rhythm": "monthly",
		"starts_on": "2026-01-05", "ends_on": "2026-12-31", "region": "410411"}, sheet)
}

func TestWorkplanImportReportAcceptBoard(t *testing.T) {
	app := servertest.New(t)
	clock := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	app.Workplans.Now = func() time.Time { return clock }
	office := app.SignedIn(t, "office")
	sheet := wpSheet(t, [][]any{
		{"1", "老旧庭院整治提升", "410411001", "湛河区城市管理局、湛河区园林绿化中心", "2026-06-30", "68个", 3200},
		{"1.1", "修复破损路面", "湛河区城市管理局", "", "20个工作日", "1.3万处", ""},
		{"2", "校园周边环境整治", "湛河区教育局", "410411001", "2026-10-01", "", ""},
	})
	res := wpImport(t, office, sheet)
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/workplans/") {
		t.Fatalf("import: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	planURL := res.Location
	plan := office.Get(planURL)
	servertest.MustContain(t, plan.Body, "老旧庭院整治提升", "修复破损路面", "湛河区园林绿化中心", "未开始", "68个")
	// A holiday deadline falls due on the next working day (国庆 2026: 10-01 … 10-07).
	servertest.MustContain(t, plan.Body, "2026-10-08")
	ids := wpTaskIDs(plan.Body)
	courtyard, school, road := ids["老旧庭院整治提升"], ids["校园周边环境整治"], ids["修复破损路面"]
	if courtyard == "" || school == "" || road == "" {
		t.Fatalf("task links: %v", ids)
	}

	// The street office leads the courtyards and cooperates on the
	// schools; it does not see the road task it has no part in.
	handler := app.SignedIn(t, "handler")
	mine := handler.Get("/workplans/mine")
	servertest.MustContain(t, mine.Body, "老旧庭院整治提升", "校园周边环境整治")
	servertest.MustNotContain(t, mine.Body, "修复破损路面")
	if res := handler.Get("/workplans/tasks/" + road); res.Status != http.StatusNotFound {
		t.Errorf("handler opens a task of another unit: %d", res.Status)
	}
	// A leader reads every task.
	leader := app.SignedIn(t, "leader")
	servertest.MustContain(t, leader.Get(planURL).Body, "修复破损路面", "老旧庭院整治提升")
	if res := leader.Post("/workplans/tasks/"+courtyard+"/reports", url.Values{"body": {"x"}}); res.Status != http.StatusForbidden {
		t.Errorf("leader files a report: %d", res.Status)
	}

	// The lead unit reports with a cooperating unit's part and a photo.
	page := handler.Get("/workplans/tasks/" + courtyard)
	cg := servertest.UnitID(t, app, "410411-cg")
	servertest.MustContain(t, page.Body, `name="part_`+cg+`_amount"`, "申请验收")
	res = handler.PostMultipart("/workplans/tasks/"+courtyard+"/reports", map[string]string{
		"body": "完成 20 个庭院改造<script>alert(1)</script>", "amount": "20", "spent": "900",
		"part_" + cg + "_body": "清运垃圾 40 吨", "part_" + cg + "_amount": "10", "part_" + cg + "_spent": "100",
	}, map[string][][]byte{"photos": {servertest.JPEGBytes(3)}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("report: %d\n%s", res.Status, res.Body)
	}
	page = handler.Get("/workplans/tasks/" + courtyard)
	servertest.MustContain(t, page.Body, "清运垃圾 40 吨", "待审核", "推进中", "&lt;script&gt;alert(1)&lt;/script&gt;")
	servertest.MustNotContain(t, page.Body, "<script>alert(1)</script>")
	photo := regexp.MustCompile(`/workplans/photos/([0-9a-f]{64})/thumb`).FindStringSubmatch(page.Body)
	if photo == nil {
		t.Fatal("report photo not shown")
	}
	if res := handler.Get(photo[0]); res.Status != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("photo: %d", res.Status)
	}
	if res := app.SignedIn(t, "citizen").Get(photo[0]); res.Status != http.StatusNotFound {
		t.Errorf("a citizen sees a report's photo: %d", res.Status)
	}
	// A cooperating unit may report but not include parts or claim completion.
	if res := handler.Post("/workplans/tasks/"+school+"/reports", url.Values{"body": {"配合巡查"}, "claims_done": {"1"}}); res.Status != http.StatusForbidden {
		t.Errorf("cooperating unit claims completion: %d", res.Status)
	}
	if res := handler.Post("/workplans/tasks/"+school+"/reports", url.Values{"body": {"配合巡查"}, "amount": {"许多"}}); res.Status != http.StatusBadRequest ||
		!strings.Contains(res.Body, "应为不小于 0 的数字") {
		t.Errorf("non-number figure: %d", res.Status)
	}

	// The office sees the report on its workbench and accepts it.
	home := office.Get("/")
	servertest.MustContain(t, home.Body, "待审核的进展报告")
	review := office.Get("/workplans/review")
	rid := regexp.MustCompile(`/workplans/reports/(\d+)/review`).FindStringSubmatch(review.Body)
	if rid == nil {
		t.Fatalf("no report to review:\n%s", review.Body)
	}
	if res := office.Post(rid[0], url.Values{"decision": {"return"}}); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "退回时请填写理由") {
		t.Errorf("return without a reason: %d", res.Status)
	}
	if res := office.Post(rid[0], url.Values{"decision": {"accept"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("accept: %d\n%s", res.Status, res.Body)
	}
	if res := office.Post(rid[0], url.Values{"decision": {"accept"}}); res.Status != http.StatusConflict {
		t.Errorf("accepted twice: %d", res.Status)
	}
	// 20 + 10 of 68 courtyards; 900 + 100 of 3200 万元.
	task := office.Get("/workplans/tasks/" + courtyard)
	servertest.MustContain(t, task.Body, "30个 / 68个", "已投入 1000 / 计划 3200 万元", "已采纳")

	board := office.Get(planURL + "/board")
	servertest.MustContain(t, board.Body, `value="44"`, "已投入 1000 / 计划 3200 万元")
	if res := office.Get(planURL + "/board.xlsx"); !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("board xlsx: %s", res.Header.Get("Content-Type"))
	}
	if res := office.Get(planURL + "/board?print=1"); res.Status != http.StatusOK || !strings.Contains(res.Body, "board-print") {
		t.Errorf("board print: %d", res.Status)
	}

	// The lead unit says it is done; the office accepts; the board counts it on time.
	res = handler.Post("/workplans/tasks/"+courtyard+"/reports", url.Values{"body": {"全部完成"}, "amount": {"38"}, "claims_done": {"1"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("claim: %d %s", res.Status, res.Body)
	}
	servertest.MustContain(t, office.Get("/workplans/tasks/"+courtyard).Body, "待验收")
	rid = regexp.MustCompile(`/workplans/reports/(\d+)/review`).FindStringSubmatch(office.Get("/workplans/review").Body)
	if res := office.Post(rid[0], url.Values{"decision": {"accept"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("accept claim: %d", res.Status)
	}
	task = office.Get("/workplans/tasks/" + courtyard)
	servertest.MustContain(t, task.Body, "已完成", "68个 / 68个")
	if res := handler.Post("/workplans/tasks/"+courtyard+"/reports", url.Values{"body": {"补充"}}); res.Status != http.StatusConflict ||
		!strings.Contains(res.Body, "任务已完成") {
		t.Errorf("report on a done task: %d", res.Status)
	}

	// The export imports again in the same layout.
	exp := office.Get(planURL + "/export.xlsx")
	if !strings.Contains(exp.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("export: %s", exp.Header.Get("Content-Type"))
	}
	again := wpImport(t, office, []byte(exp.Body))
	if again.Status != http.StatusSeeOther {
		t.Errorf("re-import of the export: %d\n%s", again.Status, again.Body)
	}
}

func TestWorkplanImportRefusesBadRows(t *testing.T) {
	app := servertest.New(t)
	servertest.AddForeignDistrict(t, app)
	office := app.SignedIn(t, "office")
	sheet := wpSheet(t, [][]any{
		{"1", "好的一行", "湛河区城市管理局", "卫东区文明办", "2026-06-30", "68个", ""},
		{"2", "缺牵头单位", "", "", "2026-06-30", "", ""},
		{"3", "未知单位", "湛河区不存在局", "湛河区也没有办", "2026-06-30", "", ""},
		{"4", "时限早于开始", "湛河区教育局", "", "2025-12-31", "", ""},
		{"5", "目标不是数字", "湛河区教育局", "", "2026-06-30", "全面完成", ""},
	})
	res := wpImport(t, office, sheet)
	if res.Status != http.StatusBadRequest {
		t.Fatalf("status %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "第 2 行「配合单位」：“卫东区文明办”不在本方案或整治的范围内。", "第 3 行「牵头单位」：缺少牵头单位", "第 4 行「牵头单位」：没有名为“湛河区不存在局”的单位",
		"第 4 行「配合单位」：没有名为“湛河区也没有办”的单位", "第 5 行「完成时限」：完成时限早于开始时间",
		"第 6 行「目标」：目标“全面完成”不是数字", "未导入任何内容")
	if n := wpPlanCount(t, app); n != 0 {
		t.Errorf("%d plans stored from a refused sheet", n)
	}
	if res := app.SignedIn(t, "handler").Upload("/workplans", "plan.xlsx", map[string]string{"name": "x", "rhythm": "monthly",
		"starts_on": "2026-01-05", "ends_on": "2026-12-31"}, sheet); res.Status != http.StatusForbidden {
		t.Errorf("a handler makes a plan: %d", res.Status)
	}
}

func TestWorkplanEscalation(t *testing.T) {
	app := servertest.New(t)
	clock := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC) // Monday 10:00 Shanghai
	app.Workplans.Now = func() time.Time { return clock }
	office := app.SignedIn(t, "office")
	res := wpImport(t, office, wpSheet(t, [][]any{{"1", "背街小巷整治", "410411001", "", "2026-03-06", "12条", ""}}))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("import: %d %s", res.Status, res.Body)
	}
	id := wpTaskIDs(office.Get(res.Location).Body)["背街小巷整治"]
	ctx := context.Background()
	outbox := func() int {
		n, err := db.Count(ctx, app.DB, "SELECT COUNT(*) FROM outbox_message WHERE kind LIKE 'task_%'")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, step := range []struct {
		at             time.Time
		yellow, red    int
		state, badge   string
		messagesBefore bool
	}{
		{time.Date(2026, 3, 6, 9, 0, 0, 0, time.UTC), 0, 0, "未开始", "", false},     // Friday 17:00: not yet due (17:30)
		{time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC), 1, 0, "逾期", "黄牌督办", false}, // Friday 18:00
		{time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC), 0, 0, "逾期", "黄牌督办", true}, // 4 working days on: still yellow
		{time.Date(2026, 3, 13, 10, 0, 0, 0, time.UTC), 0, 1, "逾期", "红牌督办", true}, // 5 working days: red
	} {
		clock = step.at
		before := outbox()
		rep, err := app.Workplans.Escalate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Yellow != step.yellow || rep.Red != step.red {
			t.Errorf("%s: escalated %+v, want yellow %d red %d", step.at, rep, step.yellow, step.red)
		}
		page := office.Get("/workplans/tasks/" + id)
		servertest.MustContain(t, page.Body, step.state, step.badge)
		if step.yellow+step.red > 0 && outbox() <= before {
			t.Errorf("%s: no text message to the unit's head and liaison", step.at)
		}
		// A second run the same day sends nothing again.
		again := outbox()
		if rep, _ := app.Workplans.Escalate(ctx); rep.Notified != 0 || outbox() != again {
			t.Errorf("%s: second run notified %d", step.at, rep.Notified)
		}
	}
	notes := app.SignedIn(t, "handler").Get("/notifications")
	servertest.MustContain(t, notes.Body, "黄牌督办：任务“背街小巷整治”已超过完成时限（2026-03-06）", "红牌督办：任务“背街小巷整治”")
	servertest.MustContain(t, office.Get("/workplans/overdue").Body, "背街小巷整治")
	servertest.MustContain(t, office.Get("/").Body, "逾期未完成的任务")
	// Accepting it stops the escalation.
	if res := office.Post("/workplans/tasks/"+id+"/act", url.Values{"act": {"accept"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("accept: %d", res.Status)
	}
	clock = clock.AddDate(0, 0, 3)
	if rep, _ := app.Workplans.Escalate(ctx); rep.Notified != 0 {
		t.Errorf("a done task escalates: %+v", rep)
	}
	b, err := app.Workplans.Board(ctx, servertest.Actor(t, app, "office"), servertest.MustAtoi(t, strings.TrimPrefix(res.Location, "/workplans/plans/")))
	if err != nil {
		t.Fatal(err)
	}
	if b.Total.Done != 1 || b.Total.DoneLate != 1 || b.Total.DoneOnTime != 0 {
		t.Errorf("board: %+v", b.Total)
	}
	_ = workplan.Overdue
}

func TestCampaignPageShowsItsCases(t *testing.T) {
	app := servertest.New(t)
	c := servertest.DispatchedCase(t, app) // SR02 at 电力社区, reported now
	office := app.SignedIn(t, "office")
	office.Get("/campaigns")
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	form := url.Values{"name": {"背街小巷专项整治"}, "region": {"410411"}, "starts_on": {today}, "ends_on": {"2025-01-01"},
		"lead": {servertest.UnitID(t, app, "410411-cg")}, "category": {servertest.CategoryID(t, app, "SR02")}}
	if res := office.Post("/campaigns", form); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "结束日期早于开始日期") {
		t.Fatalf("backwards campaign: %d", res.Status)
	}
	form.Set("ends_on", "2099-12-31")
	res := office.Post("/campaigns", form)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("campaign: %d\n%s", res.Status, res.Body)
	}
	page := office.Get(res.Location)
	servertest.MustContain(t, page.Body, c.Code, "发现问题 1 个，已结案 0 个（按期 0 个），逾期未改 0 个。", "湛河区城市管理局")
	if res := office.Get(res.Location + "?print=1"); !strings.Contains(res.Body, "campaign-print") {
		t.Errorf("campaign bulletin: %d", res.Status)
	}
	// Another category's campaign does not count it, unless added by hand.
	form.Set("name", "校园周边专项整治")
	form.Set("category", servertest.CategoryID(t, app, "SR01"))
	res = office.Post("/campaigns", form)
	servertest.MustNotContain(t, office.Get(res.Location).Body, c.Code)
	if r := office.Post(res.Location+"/cases", url.Values{"code": {c.Code}}); r.Status != http.StatusSeeOther {
		t.Fatalf("add by hand: %d %s", r.Status, r.Body)
	}
	servertest.MustContain(t, office.Get(res.Location).Body, c.Code, "手工纳入")
	if r := office.Post(res.Location+"/cases", url.Values{"code": {"NOPE"}}); r.Status != http.StatusBadRequest {
		t.Errorf("unknown case: %d", r.Status)
	}
	if r := app.SignedIn(t, "citizen").Get(res.Location); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
		t.Errorf("a citizen opens a campaign: %d", r.Status)
	}
}

func TestWorkReportsAndMonthlySummary(t *testing.T) {
	app := servertest.New(t)
	clock := time.Date(2026, 3, 20, 2, 0, 0, 0, time.UTC)
	app.Workplans.Now = func() time.Time { return clock }
	handler := app.SignedIn(t, "handler")
	handler.Get("/workplans/work")
	res := handler.PostMultipart("/workplans/work", map[string]string{"title": "马庄街道开展背街小巷集中清理<b>", "body": "出动 80 人次<script>alert(2)</script>",
		"happened_on": "2026-03-18"}, map[string][][]byte{"photos": {servertest.JPEGBytes(5)}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("work report: %d\n%s", res.Status, res.Body)
	}
	for _, bad := range []map[string]string{
		{"title": "无内容", "body": ""},
		{"title": "明天的事", "body": "x", "happened_on": "2026-03-21"},
	} {
		if res := handler.PostMultipart("/workplans/work", bad, nil); res.Status != http.StatusBadRequest {
			t.Errorf("%v: %d", bad, res.Status)
		}
	}
	handler.PostMultipart("/workplans/work", map[string]string{"title": "第二条", "body": "普通信息"}, nil)
	list := handler.Get("/workplans/work")
	servertest.MustContain(t, list.Body, "出动 80 人次&lt;script&gt;alert(2)&lt;/script&gt;", "待处理", "/workplans/photos/")
	servertest.MustNotContain(t, list.Body, "<script>alert(2)")

	office := app.SignedIn(t, "office")
	page := office.Get("/workplans/work?state=submitted")
	ids := regexp.MustCompile(`/workplans/work/(\d+)/review`).FindAllStringSubmatch(page.Body, -1)
	if len(ids) != 2 {
		t.Fatalf("to review: %d", len(ids))
	}
	second, first := ids[0][0], ids[1][0] // newest first
	if res := office.Post(first, url.Values{"decision": {"highlight"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("highlight: %d", res.Status)
	}
	if res := office.Post(second, url.Values{"decision": {"return"}}); res.Status != http.StatusBadRequest {
		t.Errorf("return without reason: %d", res.Status)
	}
	if res := office.Post(second, url.Values{"decision": {"return"}, "note": {"内容过于简单"}}); res.Status != http.StatusSeeOther {
		t.Errorf("return: %d", res.Status)
	}
	if res := handler.Post(first, url.Values{"decision": {"adopt"}}); res.Status != http.StatusForbidden {
		t.Errorf("a unit reviews: %d", res.Status)
	}
	counts := office.Get("/workplans/work?month=2026-03")
	servertest.MustContain(t, counts.Body, `<td>马庄街道办事处</td><td>2</td><td>1</td><td>1</td>`)
	servertest.MustContain(t, handler.Get("/notifications").Body, "信息“第二条”被退回：内容过于简单")

	// The monthly summary: drafted from the month's figures, edited, issued, frozen.
	office.Get("/workplans/summaries")
	if res := office.Post("/workplans/summaries", url.Values{"month": {"2026-04"}}); res.Status != http.StatusBadRequest {
		t.Errorf("a month to come: %d", res.Status)
	}
	res = office.Post("/workplans/summaries", url.Values{"month": {"2026-03"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("draft: %d %s", res.Status, res.Body)
	}
	sumURL := res.Location
	draft := office.Get(sumURL)
	servertest.MustContain(t, draft.Body, "2026年3月创建全国文明城市工作总结", "草稿（未签发）", "一、问题台账",
		"本月各单位报送信息 2 条，采用 1 条，其中列为亮点 1 条。", "马庄街道办事处：马庄街道开展背街小巷集中清理&lt;b&gt;。出动 80 人次&lt;script&gt;")
	form := url.Values{"title": {"2026年3月湛河区创文工作总结"}}
	for i := 0; i < 7; i++ {
		form.Set("section_"+strconvI(i), "第 "+strconvI(i)+" 部分\n\n补充一段")
	}
	if res := office.Post(sumURL, form); res.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", res.Status, res.Body)
	}
	servertest.MustContain(t, office.Get(sumURL).Body, "2026年3月湛河区创文工作总结", "补充一段")
	if res := office.Post(sumURL+"/act", url.Values{"act": {"issue"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("issue: %d", res.Status)
	}
	issued := office.Get(sumURL)
	servertest.MustContain(t, issued.Body, "〔2026〕第 1 期", "补充一段")
	servertest.MustNotContain(t, issued.Body, `id="summary-edit"`)
	if res := office.Post(sumURL, form); res.Status != http.StatusConflict || !strings.Contains(res.Body, "已签发") {
		t.Errorf("edit after issue: %d", res.Status)
	}
	if res := office.Post(sumURL+"/act", url.Values{"act": {"rebuild"}}); res.Status != http.StatusConflict {
		t.Errorf("rebuild after issue: %d", res.Status)
	}
	if res := office.Get(sumURL + "?view=pdf"); res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.Body, "%PDF") {
		t.Errorf("pdf: %s", res.Header.Get("Content-Type"))
	}
	if res := office.Get(sumURL + "?view=xlsx"); !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("xlsx: %s", res.Header.Get("Content-Type"))
	}
	if res := office.Get(sumURL + "?view=print"); !strings.Contains(res.Body, "summary-print") || !strings.Contains(res.Body, "〔2026〕第 1 期") {
		t.Errorf("print: %d", res.Status)
	}
	// Units read the issued summary; the next month's is number 2.
	servertest.MustContain(t, handler.Get("/workplans/summaries").Body, "2026年3月湛河区创文工作总结")
	clock = time.Date(2026, 4, 2, 2, 0, 0, 0, time.UTC)
	res = office.Post("/workplans/summaries", url.Values{"month": {"2026-04"}})
	office.Post(res.Location+"/act", url.Values{"act": {"issue"}})
	servertest.MustContain(t, office.Get(res.Location).Body, "〔2026〕第 2 期")
}

func strconvI(i int) string { return strconv.Itoa(i) }

// TestInspectionPlanNamesCampaign: a plan made for a special campaign names
// it on its page, and the campaign's page lists the plan with its progress;
// a campaign that does not exist, or that the plan's area leaves, is refused.
func TestInspectionPlanNamesCampaign(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office := app.SignedIn(t, "office")
	office.Get("/campaigns")
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	campaign := func(name, region string) string {
		res := office.Post("/campaigns", url.Values{"name": {name}, "region": {region}, "starts_on": {today}, "ends_on": {"2099-12-31"},
			"lead": {servertest.UnitID(t, app, "410411-cg")}, "site_type": {"market"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("campaign: %d\n%s", res.Status, res.Body)
		}
		return res.Location
	}
	if _, err := app.Sites.Create(context.Background(), access.System(), site.Input{Name: "曙光街集贸市场", TypeCode: "market",
		RegionCode: "410411001001"}); err != nil {
		t.Fatal(err)
	}
	district := campaign("集贸市场专项整治", "410411")
	street := campaign("电力街背街小巷整治", "410411001")
	page := office.Get("/inspections")
	servertest.MustContain(t, page.Body, "集贸市场专项整治", "电力街背街小巷整治")
	plan := url.Values{"name": {"集贸市场专项检查"}, "region": {"410411"}, "starts_on": {today}, "ends_on": {today},
		"inspectors": {servertest.UserIDByName(t, app, "inspector")}, "mode": {"all"}}
	for _, tc := range []struct{ campaign, want string }{
		{"999999", "所选专项整治不存在或无权查看"},
		{"not-a-number", "所选专项整治不存在或无权查看"},
		{strings.TrimPrefix(street, "/campaigns/"), "检查计划的区域超出了所属专项整治的区域"},
	} {
		plan.Set("campaign", tc.campaign)
		if res := office.Post("/inspections", plan); res.Status != http.StatusBadRequest || !strings.Contains(res.Body, tc.want) {
			t.Errorf("campaign %q: %d, want %q", tc.campaign, res.Status, tc.want)
		}
	}
	plan.Set("campaign", strings.TrimPrefix(district, "/campaigns/"))
	res := office.Post("/inspections", plan)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("plan: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, office.Get(res.Location).Body, `id="plan-campaign"`, "所属专项整治：集贸市场专项整治")
	body := office.Get(district).Body
	servertest.MustContain(t, body, `id="campaign-rounds"`, "集贸市场专项检查", "0 / ")
	servertest.MustNotContain(t, office.Get(street).Body, "集贸市场专项检查")
}

// TestCampaignCountsAgreeWithTheLedger: a campaign's counts, made in the
// database when it targets no site types and from the cases' briefs when
// it does, equal those counted here case by case from the ledger, for the
// office and for a street that sees only part of it.
func TestCampaignCountsAgreeWithTheLedger(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	deps := demo.CaseDeps{DB: app.DB, Problems: app.Problems, Media: app.Media, Categories: app.Categories, Org: app.Org, Regions: app.Regions}
	if _, err := demo.LoadCases(ctx, deps, time.Now(), 120, 30); err != nil {
		t.Fatal(err)
	}
	office := dashActor(t, app, "office")
	// The street's handler works on both campaigns and sees their cases in its street.
	coop := []int64{dashActor(t, app, "handler").UnitID}
	// Categories of the street's own cases, so that both readers count some.
	var cats []int64
	mine, _, err := app.Problems.List(ctx, dashActor(t, app, "handler"), problem.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range mine {
		if x.CategoryID != 0 && !slices.Contains(cats, x.CategoryID) && len(cats) < 4 {
			cats = append(cats, x.CategoryID)
		}
	}
	from := time.Now().AddDate(0, -3, 0).Format("2006-01-02")
	to := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	grouped, err := app.Workplans.CreateCampaign(ctx, office, workplan.CampaignInput{Name: "市容专项整治", RegionCode: "410411",
		StartsOn: from, EndsOn: to, LeadUnitID: office.UnitID, CoopUnitIDs: coop, CategoryIDs: cats})
	if err != nil {
		t.Fatal(err)
	}
	// Sites where some of those cases were found, for the campaign around them.
	placed, _, err := app.Problems.List(ctx, office, problem.Filter{CategoryID: cats[0], Limit: 40})
	if err != nil {
		t.Fatal(err)
	}
	made := 0
	for i, x := range placed {
		if !x.HasPlace || i%4 != 0 {
			continue
		}
		if _, err := app.Sites.Create(ctx, access.System(), site.Input{Name: fmt.Sprintf("测试社区%d", i), TypeCode: "community",
			Geometry: fmt.Sprintf(`{"type":"Point","coordinates":[%f,%f]}`, x.Lng, x.Lat)}); err != nil {
			t.Fatal(err)
		}
		made++
	}
	if made == 0 {
		t.Fatal("no placed case to put a site at")
	}
	briefed, err := app.Workplans.CreateCampaign(ctx, office, workplan.CampaignInput{Name: "社区周边整治", RegionCode: "410411",
		StartsOn: from, EndsOn: to, LeadUnitID: office.UnitID, CoopUnitIDs: coop, CategoryIDs: cats, SiteTypes: []string{"community"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"office", "handler"} {
		a := dashActor(t, app, who)
		for _, c := range []*workplan.Campaign{grouped, briefed} {
			v, err := app.Workplans.CampaignPage(ctx, a, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			sites, err := app.Workplans.CampaignSites(ctx, a, c)
			if err != nil {
				t.Fatal(err)
			}
			now := app.Problems.Now()
			var total workplan.Tally
			byUnit := map[int64]workplan.Tally{}
			var newest []*problem.Case
			if err := app.Problems.Each(ctx, a, problem.Filter{}, func(x *problem.Case) error {
				if !c.Matches(x, sites) {
					return nil
				}
				u := byUnit[x.UnitID]
				for _, t := range []*workplan.Tally{&total, &u} {
					t.Found++
					if x.State == problem.Closed {
						t.Closed++
						if !x.Deadline.IsZero() && !x.ClosedAt.After(x.Deadline) {
							t.OnTime++
						}
					}
					if x.Overdue(now) {
						t.Overdue++
					}
				}
				byUnit[x.UnitID] = u
				newest = append(newest, x)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if total.Found == 0 {
				t.Fatalf("%s, %s: no case matches; the test proves nothing", who, c.Name)
			}
			if v.Total != total {
				t.Errorf("%s, %s: total %+v, counted %+v", who, c.Name, v.Total, total)
			}
			if len(v.ByUnit) != len(byUnit) {
				t.Errorf("%s, %s: %d units, counted %d", who, c.Name, len(v.ByUnit), len(byUnit))
			}
			for _, u := range v.ByUnit {
				want := byUnit[u.Key]
				if u.Found != want.Found || u.Closed != want.Closed || u.OnTime != want.OnTime || u.Overdue != want.Overdue || (u.Key != 0 && u.Name == "") {
					t.Errorf("%s, %s: unit %d %+v, counted %+v", who, c.Name, u.Key, u, want)
				}
			}
			if want := min(len(newest), workplan.LatestCases); len(v.Latest) != want {
				t.Errorf("%s, %s: lists %d cases, want %d", who, c.Name, len(v.Latest), want)
			}
			for i := 1; i < len(v.Latest); i++ {
				if v.Latest[i].ReportedAt.After(v.Latest[i-1].ReportedAt) {
					t.Errorf("%s, %s: case %d is newer than the one before it", who, c.Name, i)
				}
			}
		}
	}
}

// TestWorkplanTaskEdit: the office edits a task's fields; the timeline says
// what changed, a red card is cleared when the deadline moves past now,
// and a stale form, bad fields, a handler and a finished task are refused.
func TestWorkplanTaskEdit(t *testing.T) {
	app := servertest.New(t)
	clock := time.Date(2026, 3, 13, 10, 0, 0, 0, time.UTC)
	app.Workplans.Now = func() time.Time { return clock }
	office := app.SignedIn(t, "office")
	res := wpImport(t, office, wpSheet(t, [][]any{{"1", "背街小巷整治", "410411001", "", "2026-03-06", "12条", ""}}))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("import: %d %s", res.Status, res.Body)
	}
	id := wpTaskIDs(office.Get(res.Location).Body)["背街小巷整治"]
	if _, err := app.Workplans.Escalate(context.Background()); err != nil {
		t.Fatal(err)
	}
	page := office.Get("/workplans/tasks/" + id)
	servertest.MustContain(t, page.Body, `id="edit-form"`, `id="task-escalation"`, `value="背街小巷整治"`)
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page.Body)
	if version == nil {
		t.Fatal("no version in the edit form")
	}
	form := url.Values{"version": {version[1]}, "title": {"背街小巷综合整治"}, "lead": {servertest.UnitID(t, app, "410411001")},
		"coop": {servertest.UnitID(t, app, "410411-cg")}, "starts_on": {"2026-01-05"}, "due": {"2026-04-30"}, "target": {"15"}, "target_unit": {"条"}}
	for _, bad := range []struct{ field, value, want string }{
		{"target", "十五", "不小于 0 的数字"},
		{"title", "", "请填写任务"},
		{"due", "2025-12-31", ""},
		{"version", "0", "任务刚被他人修改"},
	} {
		f := maps.Clone(form)
		f.Set(bad.field, bad.value)
		r := office.Post("/workplans/tasks/"+id+"/edit", f)
		if r.Status < 400 || !strings.Contains(r.Body, bad.want) {
			t.Errorf("%s=%q: %d, want a refusal saying %q", bad.field, bad.value, r.Status, bad.want)
		}
	}
	handler := app.SignedIn(t, "handler")
	handler.Get("/workplans/tasks/" + id)
	if r := handler.Post("/workplans/tasks/"+id+"/edit", maps.Clone(form)); r.Status != http.StatusForbidden {
		t.Errorf("the lead unit's handler edits the task: %d", r.Status)
	}
	if r := office.Post("/workplans/tasks/"+id+"/edit", maps.Clone(form)); r.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	page = office.Get("/workplans/tasks/" + id)
	servertest.MustContain(t, page.Body, "背街小巷综合整治", "2026-04-30", "湛河区城市管理局", "修改任务", "任务名称、配合单位、起止时限、目标")
	servertest.MustNotContain(t, page.Body, `id="task-escalation"`)
	if r := office.Post("/workplans/tasks/"+id+"/edit", maps.Clone(form)); r.Status != http.StatusConflict {
		t.Errorf("the same form again over the new version: %d", r.Status)
	}
	if r := office.Post("/workplans/tasks/"+id+"/act", url.Values{"act": {"accept"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("accept: %d", r.Status)
	}
	page = office.Get("/workplans/tasks/" + id)
	servertest.MustNotContain(t, page.Body, `id="edit-form"`)
	t2, err := app.Workplans.Task(context.Background(), servertest.Actor(t, app, "office"), servertest.MustAtoi(t, id))
	if err != nil {
		t.Fatal(err)
	}
	form.Set("version", strconv.Itoa(t2.Version))
	if r := office.Post("/workplans/tasks/"+id+"/edit", maps.Clone(form)); r.Status != http.StatusConflict || !strings.Contains(r.Body, "任务已验收完成") {
		t.Errorf("edit a finished task: %d", r.Status)
	}
}

// TestWorkplanReportFiles: a progress report carries a PDF beside its
// photos; those who see the task download it under its name, others get
// nothing; a file that is not what it claims refuses the report whole.
func TestWorkplanReportFiles(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office := app.SignedIn(t, "office")
	res := wpImport(t, office, wpSheet(t, [][]any{{"1", "背街小巷整治", "410411001", "", "2099-03-06", "12条", ""}}))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("import: %d %s", res.Status, res.Body)
	}
	id := wpTaskIDs(office.Get(res.Location).Body)["背街小巷整治"]
	var pdf bytes.Buffer
	if err := pdfdoc.Render(&pdf, pdfdoc.Notice{Title: "背街小巷整治台账", Sections: []pdfdoc.Section{{Paragraphs: []string{"已整治 3 条。"}}}}); err != nil {
		t.Fatal(err)
	}
	handler := app.SignedIn(t, "handler")
	handler.Get("/workplans/tasks/" + id)
	reports := func() int {
		n, err := db.Count(context.Background(), app.DB, "SELECT COUNT(*) FROM workplan_report")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	bad := handler.PostMultipart("/workplans/tasks/"+id+"/reports", map[string]string{"body": "第一周"},
		map[string][][]byte{"files": {[]byte("<html><script>alert(1)</script></html>")}})
	if bad.Status != http.StatusBadRequest || reports() != 0 {
		t.Fatalf("an HTML file as a report's file: %d, %d reports", bad.Status, reports())
	}
	res = handler.PostMultipart("/workplans/tasks/"+id+"/reports", map[string]string{"body": "第一周", "amount": "3"},
		map[string][][]byte{"files": {pdf.Bytes()}, "photos": {servertest.JPEGBytes(2)}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("report with a PDF: %d %s", res.Status, res.Body)
	}
	link := regexp.MustCompile(`href="(/workplans/reports/\d+/files/0)">([^<]+)</a>`).FindStringSubmatch(office.Get("/workplans/tasks/" + id).Body)
	if link == nil {
		t.Fatal("the report's file is not listed")
	}
	dl := office.Get(link[1])
	if dl.Status != http.StatusOK || !strings.HasPrefix(dl.Body, "%PDF-") || dl.Header.Get("Content-Type") != "application/pdf" ||
		dl.Header.Get("Content-Security-Policy") != "sandbox" {
		t.Errorf("download: %d %q %q", dl.Status, dl.Header.Get("Content-Type"), dl.Header.Get("Content-Security-Policy"))
	}
	if r := app.SignedIn(t, "shequ").Get(link[1]); r.Status != http.StatusNotFound {
		t.Errorf("a community not on the task downloads the file: %d", r.Status)
	}
	if r := office.Get(strings.TrimSuffix(link[1], "0") + "1"); r.Status != http.StatusNotFound {
		t.Errorf("a file the report does not have: %d", r.Status)
	}
}
