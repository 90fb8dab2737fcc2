package web_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/robot"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// TestRobotEventsFromTheDomains: the server's listeners turn a dispatch,
// a return, an escalation and an issued bulletin into robot messages for
// the office's robot, without the reporter's phone.
func TestRobotEventsFromTheDomains(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	app.Robots.Guard = robot.Guard{AllowPrivate: true}
	ctx := context.Background()
	platform := &wecomServer{}
	ps := httptest.NewServer(platform)
	defer ps.Close()
	office := servertest.Actor(t, app, "office")
	if _, err := app.Robots.CreateRobot(ctx, office, robot.RobotInput{Name: "区创文办群", Platform: robot.WeCom, RegionCode: "410411",
		Endpoint: ps.URL + "/cgi-bin/webhook/send?key=5b0d8d0e-0000-4c4c-9999-robotkeytest",
		Events:   []string{robot.CaseDispatched, robot.CaseReturned, robot.CaseOverdueYellow, robot.CaseOverdueRed, robot.BulletinIssued}}); err != nil {
		t.Fatal(err)
	}
	send := func() {
		t.Helper()
		if _, err := app.RobotSender.Send(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// A citizen-style report with a phone in its text, dispatched.
	cat := servertest.MustAtoi(t, servertest.CategoryID(t, app, "SR02"))
	c, err := app.Problems.Report(ctx, servertest.Actor(t, app, "inspector"), problem.ReportInput{Source: problem.SourceInspection,
		CategoryID: cat, Description: "楼道堆物，联系人 13812345678", RegionCode: "410411001001", ReporterPhone: "13987654321"})
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range []problem.Action{problem.ActFile, problem.ActDispatch} {
		if c, err = app.Problems.Move(ctx, office, c.ID, problem.MoveInput{Action: act}); err != nil {
			t.Fatal(err)
		}
	}
	send()
	// The unit returns it; the office dispatches it again.
	handler := ""
	for _, who := range []string{"handler", "shequ"} {
		if servertest.Actor(t, app, who).UnitID == c.UnitID {
			handler = who
		}
	}
	if handler == "" {
		t.Fatalf("no demo handler at unit %d", c.UnitID)
	}
	if c, err = app.Problems.Move(ctx, servertest.Actor(t, app, handler), c.ID, problem.MoveInput{Action: problem.ActReturn, Note: "不属于本单位职责"}); err != nil {
		t.Fatal(err)
	}
	if c, err = app.Problems.Move(ctx, office, c.ID, problem.MoveInput{Action: problem.ActDispatch}); err != nil {
		t.Fatal(err)
	}
	// Weeks later the case is overdue: the escalation job raises it.
	app.Problems.Now = func() time.Time { return time.Now().Add(60 * 24 * time.Hour) }
	if _, err := app.Problems.Escalate(ctx); err != nil {
		t.Fatal(err)
	}
	app.Problems.Now = time.Now
	p, err := bulletin.ParsePeriod("week", time.Now().Format("2006-01-02"), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Bulletins.Issue(ctx, office, bulletin.Request{Region: "410411", Period: p}); err != nil {
		t.Fatal(err)
	}
	// The limit allows all of them in one minute; the sender runs again.
	send()
	all := strings.Join(platform.got, "\n----\n")
	for _, want := range []string{"【派遣】问题 " + c.Code, "【退回】问题 " + c.Code, "不属于本单位职责", "【红牌督办】问题 " + c.Code, "【通报】",
		"138****5678"} {
		if !strings.Contains(all, want) {
			t.Errorf("robot messages lack %q:\n%s", want, all)
		}
	}
	for _, never := range []string{"13987654321", "13812345678"} {
		if strings.Contains(all, never) {
			t.Errorf("robot messages show %s:\n%s", never, all)
		}
	}
	if n := strings.Count(all, "【派遣】"); n != 2 {
		t.Errorf("%d dispatch messages, want 2 (dispatch, dispatch again)", n)
	}
}

// TestRobotHearsOverdueTask: a work-plan task raised to yellow reaches the
// lead unit's district robot.
func TestRobotHearsOverdueTask(t *testing.T) {
	app := servertest.New(t)
	app.Robots.Guard = robot.Guard{AllowPrivate: true}
	ctx := context.Background()
	platform := &wecomServer{}
	ps := httptest.NewServer(platform)
	defer ps.Close()
	if _, err := app.Robots.CreateRobot(ctx, servertest.Actor(t, app, "office"), robot.RobotInput{Name: "任务督办群", Platform: robot.WeCom,
		RegionCode: "410411", Endpoint: ps.URL + "/cgi-bin/webhook/send?key=5b0d8d0e-0000-4c4c-9999-robotkeytest",
		Events: []string{robot.TaskOverdue}}); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	app.Workplans.Now = func() time.Time { return clock }
	office := app.SignedIn(t, "office")
	if res := wpImport(t, office, wpSheet(t, [][]any{{"1", "背街小巷整治", "410411001", "", "2026-03-06", "12条", ""}})); res.Status != 303 {
		t.Fatalf("import: %d", res.Status)
	}
	clock = time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC) // past its 17:30 deadline
	if rep, err := app.Workplans.Escalate(ctx); err != nil || rep.Yellow != 1 {
		t.Fatalf("escalate: %+v %v", rep, err)
	}
	if _, err := app.Workplans.Escalate(ctx); err != nil { // again: no second message
		t.Fatal(err)
	}
	if _, err := app.RobotSender.Send(ctx); err != nil {
		t.Fatal(err)
	}
	if len(platform.got) != 1 || !strings.Contains(platform.got[0], "【任务督办】背街小巷整治") || !strings.Contains(platform.got[0], "黄牌") {
		t.Errorf("robot got %q", platform.got)
	}
}
