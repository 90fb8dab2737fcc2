//go:build browser

package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// workplanSheet writes a plan sheet in the offices' layout to a file.
func workplanSheet(t *testing.T, due string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"序号", "任务", "牵头单位", "配合单位", "完成时限", "目标", "计划资金（万元）"},
		{"1", "背街小巷综合整治", "湛河区城市管理局", "410411001", due, "46条", 900},
		{"2", "农贸市场提档升级", "湛河区市场监督管理局", "", due, "6个", 1200},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "任务分解表.xlsx")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWorkplanInBrowser: the office imports a plan; a department reports
// progress with a photo; the task goes late and escalates; the office
// accepts the report and the task; the board shows it; a campaign page
// shows its cases.
func TestWorkplanInBrowser(t *testing.T) {
	base, app := startAppWith(t)
	ctx := context.Background()
	cg, err := org.UnitIDByCode(ctx, app.DB, "410411-cg")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := app.Org.CreateUser(ctx, access.System(), org.UserInput{Username: "chengguan", DisplayName: "城管承办人",
		UnitID: cg, Roles: []access.Role{access.RoleHandler}, Password: "wenming-chengguan-2026"}); err != nil {
		t.Fatal(err)
	}
	loc := calendar.Shanghai()
	today := time.Now().In(loc)
	due := today.AddDate(0, 0, 10).Format("2006-01-02")
	sheet := workplanSheet(t, due)
	photo := filepath.Join(t.TempDir(), "scene.jpg")
	if err := os.WriteFile(photo, sceneJPEG(), 0o644); err != nil {
		t.Fatal(err)
	}
	shots := t.TempDir()
	b := newBrowser(t)
	var planURL, tasks string
	err = chromedp.Do(b,
		signIn(base, "office", "wenming-office-2026"),
		clickAndWait(`nav.nav a[href="/workplans"]`),
		chromedp.WaitVisible(chromedp.CSS(`#plan-form`)),
		chromedp.SendKeys(chromedp.CSS(`#plan-form input[name=name]`), "创文攻坚工作方案"),
		chromedp.SetValue(chromedp.CSS(`#plan-form input[name=starts_on]`), today.Format("2006-01-02")),
		chromedp.SetValue(chromedp.CSS(`#plan-form input[name=ends_on]`), today.AddDate(0, 3, 0).Format("2006-01-02")),
		chromedp.SetUploadFiles(chromedp.CSS(`#plan-form input[name=file]`), []string{sheet}),
		clickAndWait(`#plan-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#tasks`)),
		locationInto(&planURL),
		textInto(`#tasks`, &tasks),
		screenshotInto(t, shots, "workplan-plan.png"),
		signOut(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(planURL, "/workplans/plans/") || !strings.Contains(tasks, "背街小巷综合整治") || !strings.Contains(tasks, "湛河区城市管理局") {
		t.Fatalf("after import at %s:\n%s", planURL, tasks)
	}

	var state string
	err = chromedp.Do(b,
		signIn(base, "chengguan", "wenming-chengguan-2026"),
		chromedp.Navigate(base+"/workplans/mine"),
		chromedp.WaitVisible(chromedp.CSS(`#tasks`)),
		clickAndWait(`#tasks a`),
		chromedp.WaitVisible(chromedp.CSS(`#report-form`)),
		chromedp.SendKeys(chromedp.CSS(`#report-form textarea[name=body]`), "完成铁南街、光明路两条背街小巷整治"),
		chromedp.SendKeys(chromedp.CSS(`#report-form input[name=amount]`), "20"),
		chromedp.SendKeys(chromedp.CSS(`#report-form input[name=spent]`), "300"),
		chromedp.SetUploadFiles(chromedp.CSS(`#report-form input[name=photos]`), []string{photo}),
		clickAndWait(`#report-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		chromedp.WaitVisible(chromedp.CSS(`#reports img`)),
		textInto(`#task-state`, &state),
		signOut(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if state != "推进中" {
		t.Fatalf("after the report: %q", state)
	}

	// Past the deadline the escalation job raises the task (黄牌督办).
	app.Workplans.Now = func() time.Time { return time.Now().AddDate(0, 0, 13) }
	if rep, err := app.Workplans.Escalate(ctx); err != nil || rep.Yellow != 2 {
		t.Fatalf("escalation: %+v %v", rep, err)
	}
	var escalation, progress, board string
	err = chromedp.Do(b,
		signIn(base, "office", "wenming-office-2026"),
		chromedp.Navigate(base+"/workplans/review"),
		chromedp.WaitVisible(chromedp.CSS(`#reports`)),
		clickAndWait(`#reports .review-form button[value=accept]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		chromedp.Navigate(planURL),
		clickAndWait(`#tasks a[href^="/workplans/tasks/"]`),
		chromedp.WaitVisible(chromedp.CSS(`#task-escalation`)),
		textInto(`#task-state`, &state),
		textInto(`#task-escalation`, &escalation),
		textInto(`#task-progress`, &progress),
		screenshotInto(t, shots, "workplan-task.png"),
		clickAndWait(`#act-form button[value=accept]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		chromedp.Navigate(planURL+"/board"),
		chromedp.WaitVisible(chromedp.CSS(`#board`)),
		textInto(`#board`, &board),
		screenshotInto(t, shots, "workplan-board.png"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if state != "逾期" || escalation != "黄牌督办" || progress != "20条 / 46条" {
		t.Errorf("late task: %q %q %q", state, escalation, progress)
	}
	for _, want := range []string{"湛河区城市管理局", "湛河区市场监督管理局", "已投入 300 / 计划 900 万元", "43%"} {
		if !strings.Contains(board, want) {
			t.Errorf("board lacks %q:\n%s", want, board)
		}
	}
	// The city department's row: 1 task, done, late.
	var row string
	if err := chromedp.Do(b, textInto(`#board tr[data-unit="`+strconv.FormatInt(cg, 10)+`"]`, &row)); err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(row); len(f) < 6 || f[2] != "1" || f[3] != "1" || f[4] != "0" || f[5] != "1" {
		t.Errorf("城管局 row: %q", row)
	}

	// A campaign over the ledger's cases shows them.
	app.Workplans.Now = time.Now
	office := actorNamed(t, app, "office")
	cat, err := app.Categories.ByCode(ctx, "XQ03")
	if err != nil {
		t.Fatal(err)
	}
	c, err := app.Problems.Report(ctx, actorNamed(t, app, "inspector"), problem.ReportInput{Source: problem.SourceInspection,
		CategoryID: cat.ID, Description: "铁南街背街小巷垃圾堆积", RegionCode: "410411001001"})
	if err != nil {
		t.Fatal(err)
	}
	camp, err := app.Workplans.CreateCampaign(ctx, office, workplan.CampaignInput{Name: "背街小巷环境攻坚", StartsOn: today.AddDate(0, 0, -1).Format("2006-01-02"),
		EndsOn: today.AddDate(0, 1, 0).Format("2006-01-02"), LeadUnitID: cg, CategoryIDs: []int64{cat.ID}})
	if err != nil {
		t.Fatal(err)
	}
	var totals, cases string
	err = chromedp.Do(b,
		clickAndWait(`nav.nav a[href="/campaigns"]`),
		chromedp.WaitVisible(chromedp.CSS(`#campaigns`)),
		clickAndWait(`#campaigns a[href="/campaigns/`+strconv.FormatInt(camp.ID, 10)+`"]`),
		chromedp.WaitVisible(chromedp.CSS(`#campaign-cases`)),
		textInto(`#campaign-totals`, &totals),
		textInto(`#campaign-cases`, &cases),
		screenshotInto(t, shots, "workplan-campaign.png"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(totals, "发现问题 1 个") || !strings.Contains(cases, c.Code) {
		t.Errorf("campaign page: %q\n%s", totals, cases)
	}
}
