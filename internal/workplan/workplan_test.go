package workplan_test

import (
	"context"
	"database/sql"
	"math"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/workplan"
)

func builtinCalendar(t *testing.T) *calendar.Calendar {
	t.Helper()
	years, err := calendar.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var days []calendar.Day
	for _, ds := range years {
		days = append(days, ds...)
	}
	c, err := calendar.NewCalendar(days, calendar.DefaultPeriods())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestResolveDueWorkedExamples(t *testing.T) {
	cal := builtinCalendar(t)
	for _, tc := range []struct {
		start, due, want, err string
	}{
		{"2026-01-05", "2026-06-30", "2026-06-30", ""},                // a Tuesday: due that day
		{"2026-01-05", "2026/6/30", "2026-06-30", ""},                 // written with slashes
		{"2026-01-05", "2026年6月30日", "2026-06-30", ""},                // written in words
		{"2026-01-05", "2026-10-01", "2026-10-08", ""},                // 国庆: next working day after the holiday
		{"2026-01-05", "2026-05-04", "2026-05-06", ""},                // 劳动节 (05-01 … 05-05)
		{"2026-01-05", "2026-05-09", "2026-05-09", ""},                // a Saturday made a working day (调休)
		{"2026-01-05", "2026-03-07", "2026-03-09", ""},                // a Saturday: the Monday after
		{"2026-04-29", "3个工作日", "2026-05-07", ""},                     // 04-30, (holiday), 05-06, 05-07
		{"2026-03-02", "5 工作日", "2026-03-09", ""},                     // Monday + 5: next Monday
		{"2026-07-01", "2026-06-30", "", "workplan.due_before_start"}, // before the start
		{"2026-07-01", "月底前", "", "workplan.due_invalid"},
	} {
		due, err := workplan.ResolveDue(cal, tc.start, tc.due)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s from %s: error %v, want %s", tc.due, tc.start, err, tc.err)
			}
			continue
		}
		if err != nil || due.On != tc.want {
			t.Errorf("%s from %s: %s %v, want %s", tc.due, tc.start, due.On, err, tc.want)
			continue
		}
		// Late from the end of that working day, 17:30 Shanghai.
		if got := due.At.In(calendar.Shanghai()).Format("2006-01-02 15:04"); got != tc.want+" 17:30" {
			t.Errorf("%s: due at %s", tc.due, got)
		}
	}
	// Red five working days after the deadline: 03-06 (Fri) → 03-13 (Fri).
	due, _ := workplan.ResolveDue(cal, "2026-03-02", "2026-03-06")
	if got := workplan.RedAt(cal, due.At).In(calendar.Shanghai()).Format("2006-01-02"); got != "2026-03-13" {
		t.Errorf("red at %s", got)
	}
}

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		in   string
		x    float64
		unit string
		ok   bool
	}{
		{"68个", 68, "个", true},
		{"68个老旧庭院", 68, "个老旧庭院", true},
		{"1.3万处", 1.3, "万处", true},
		{"3,200万元", 3200, "万元", true},
		{"3200余万元", 3200, "万元", true},
		{"100", 100, "", true},
		{"全面完成", 0, "", false},
		{"约50个", 0, "", false},
	} {
		x, unit, ok := workplan.ParseTarget(tc.in)
		if ok != tc.ok || ok && (x != tc.x || unit != tc.unit) {
			t.Errorf("%q: %v %q %v", tc.in, x, unit, ok)
		}
	}
}

func task(lead int64, name string, state workplan.State, due, claimed, done time.Time, target, progress, budget, spent float64) *workplan.Task {
	t := &workplan.Task{LeadUnitID: lead, LeadUnitName: name, State: state, DueAt: due, ClaimedAt: claimed, DoneAt: done,
		Progress: progress, Spent: spent}
	if target > 0 {
		t.Target = sql.NullFloat64{Float64: target, Valid: true}
	}
	if budget > 0 {
		t.Budget = sql.NullFloat64{Float64: budget, Valid: true}
	}
	return t
}

func TestBoardArithmeticByHand(t *testing.T) {
	now := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	due := time.Date(2026, 6, 30, 9, 30, 0, 0, time.UTC)
	var z time.Time
	tasks := []*workplan.Task{
		// 住建局: done on time (claimed before the deadline, accepted after), done late, overdue.
		task(1, "住建局", workplan.Done, due, due.Add(-time.Hour), due.Add(48*time.Hour), 68, 68, 3200, 2900),
		task(1, "住建局", workplan.Done, due, due.Add(time.Hour), due.Add(2*time.Hour), 0, 0, 0, 0),
		task(1, "住建局", workplan.InProgress, due, z, z, 13000, 6500, 800, 300),
		// 城管局: in progress, not due yet, a third of its target; paused.
		task(2, "城管局", workplan.InProgress, now.AddDate(0, 1, 0), z, z, 30, 10, 0, 0),
		task(2, "城管局", workplan.Paused, due, z, z, 0, 0, 0, 0),
	}
	b := workplan.BuildBoard(workplan.Plan{ID: 1}, tasks, now)
	if len(b.Rows) != 2 || b.Rows[0].UnitName != "住建局" {
		t.Fatalf("rows %+v", b.Rows)
	}
	zj, cg := b.Rows[0], b.Rows[1]
	if zj.Tasks != 3 || zj.Done != 2 || zj.DoneOnTime != 1 || zj.DoneLate != 1 || zj.Overdue != 1 {
		t.Errorf("住建局 %+v", zj)
	}
	// (68/68 + 6500/13000) / 2 = 75%; 3200 + 800 planned, 2900 + 300 spent.
	if math.Abs(zj.Progress()-0.75) > 1e-9 || zj.Percent() != 75 || zj.Budget != 4000 || zj.Spent != 3200 || zj.SpentPercent() != 80 {
		t.Errorf("住建局 progress %v budget %v spent %v", zj.Progress(), zj.Budget, zj.Spent)
	}
	if cg.InProgress != 1 || cg.Paused != 1 || cg.Overdue != 0 || cg.Percent() != 33 {
		t.Errorf("城管局 %+v %d", cg, cg.Percent())
	}
	if b.Total.Tasks != 5 || b.Total.Budget != 4000 || b.Total.Done != 2 {
		t.Errorf("total %+v", b.Total)
	}
	// On time: 1 of the 3 due (2 done, 1 overdue).
	if r := zj.OnTimeRate(); math.Abs(r-1.0/3) > 1e-9 {
		t.Errorf("on-time rate %v", r)
	}
}

func TestCampaignMatchingWorkedExamples(t *testing.T) {
	c := &workplan.Campaign{RegionCode: "410411001", StartsOn: "2026-03-01", EndsOn: "2026-03-31", CategoryIDs: []int64{7, 8}}
	at := func(s string) time.Time {
		x, _ := time.ParseInLocation("2006-01-02 15:04", s, calendar.Shanghai())
		return x
	}
	for _, tc := range []struct {
		name string
		x    problem.Case
		want bool
	}{
		{"in area, period, category", problem.Case{RegionCode: "410411001002", ReportedAt: at("2026-03-15 09:00"), CategoryID: 7}, true},
		{"last day late evening", problem.Case{RegionCode: "410411001", ReportedAt: at("2026-03-31 23:59"), CategoryID: 8}, true},
		{"day after the end", problem.Case{RegionCode: "410411001", ReportedAt: at("2026-04-01 00:00"), CategoryID: 8}, false},
		{"before the start", problem.Case{RegionCode: "410411001", ReportedAt: at("2026-02-28 23:59"), CategoryID: 7}, false},
		{"another street", problem.Case{RegionCode: "410411002001", ReportedAt: at("2026-03-15 09:00"), CategoryID: 7}, false},
		{"another category", problem.Case{RegionCode: "410411001002", ReportedAt: at("2026-03-15 09:00"), CategoryID: 9}, false},
	} {
		if got := c.Matches(&tc.x, workplan.Sites{}); got != tc.want {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
	// With site types, only cases found at those sites or within 200 m count.
	c.SiteTypes = []string{"school"}
	school := geo.Point{Lng: 113.3000, Lat: 33.7000}
	sites := workplan.Sites{IDs: map[int64]bool{5: true}, Points: []geo.Point{school}}
	x := problem.Case{RegionCode: "410411001002", ReportedAt: at("2026-03-15 09:00"), CategoryID: 7, SiteID: 5}
	if !c.Matches(&x, sites) || c.Matches(&x, workplan.Sites{IDs: map[int64]bool{6: true}}) {
		t.Error("at the site")
	}
	x.SiteID = 0
	x.HasPlace, x.Lng, x.Lat = true, 113.3015, 33.7000 // about 139 m east
	if !c.Matches(&x, sites) {
		t.Errorf("139 m from the school: %.0f m", geo.DistanceMeters(school, geo.Point{Lng: x.Lng, Lat: x.Lat}))
	}
	x.Lng = 113.3030 // about 278 m
	if c.Matches(&x, sites) {
		t.Error("278 m from the school counts")
	}
}

// storeWithDemo is a store over a fresh database with the demo district.
func storeWithDemo(t testing.TB) (*workplan.Store, map[string]int64, *time.Time) {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	o := org.New(d)
	if _, err := demo.Load(ctx, &region.Store{DB: d}, o); err != nil {
		t.Fatal(err)
	}
	cal := calendar.New(d)
	now := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	s := &workplan.Store{DB: d, Calendar: cal.Load, Now: func() time.Time { return now }}
	units := map[string]int64{}
	for _, code := range []string{"410411001", "410411-cg", "410411-jy", "410411-office"} {
		id, err := org.UnitIDByCode(ctx, d, code)
		if err != nil || id == 0 {
			t.Fatalf("unit %s: %v", code, err)
		}
		units[code] = id
	}
	return s, units, &now
}

func actorOf(t testing.TB, s *workplan.Store, username string) access.Actor {
	t.Helper()
	o := org.New(s.DB)
	creds, err := o.FindCredentials(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := o.Actor(context.Background(), creds.UserID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func f(x float64) *float64 { return &x }

func TestStoreReportsCountWhenAccepted(t *testing.T) {
	ctx := context.Background()
	s, units, now := storeWithDemo(t)
	office, handler := actorOf(t, s, "office"), actorOf(t, s, "handler")
	p, terrs, err := s.CreatePlan(ctx, office, workplan.PlanInput{Name: "2026 年方案", Rhythm: workplan.Weekly, StartsOn: "2026-01-05", EndsOn: "2026-12-31"},
		[]workplan.TaskInput{
			{Seq: "1", Title: "老旧庭院", LeadUnitID: units["410411001"], CoopUnitIDs: []int64{units["410411-cg"]}, Due: "2026-06-30", Target: f(68), TargetUnit: "个", Budget: f(3200)},
			{Seq: "1.1", Title: "路面修复", LeadUnitID: units["410411-cg"], Due: "20个工作日", Target: f(1.3), TargetUnit: "万处"},
		})
	if err != nil || len(terrs) > 0 {
		t.Fatalf("plan: %v %v", err, terrs)
	}
	tasks, err := s.Tasks(ctx, handler, workplan.TaskFilter{PlanID: p.ID})
	if err != nil || len(tasks) != 1 || tasks[0].Title != "老旧庭院" {
		t.Fatalf("handler's tasks: %v %v", tasks, err)
	}
	all, _ := s.Tasks(ctx, office, workplan.TaskFilter{PlanID: p.ID})
	if len(all) != 2 || all[1].ParentID != all[0].ID || all[1].Depth != 1 {
		t.Fatalf("tree: %+v", all)
	}
	road := all[1]
	if _, err := s.FileReport(ctx, handler, road.ID, workplan.ReportInput{Body: "x"}); err == nil {
		t.Error("a unit not on the task reports")
	}
	rep, err := s.FileReport(ctx, handler, tasks[0].ID, workplan.ReportInput{Body: "第一周", Amount: f(12), Spent: f(500),
		Parts: []workplan.PartInput{{UnitID: units["410411-cg"], Amount: f(3), Spent: f(40)}}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Period != "2026-W10" || rep.Total() != 15 || rep.TotalSpent() != 540 {
		t.Errorf("report %+v", rep)
	}
	if _, err := s.FileReport(ctx, handler, tasks[0].ID, workplan.ReportInput{Body: "x",
		Parts: []workplan.PartInput{{UnitID: units["410411-jy"], Amount: f(1)}}}); err == nil {
		t.Error("a part of a unit not cooperating")
	}
	// Not counted until accepted.
	tk, _ := s.Task(ctx, office, tasks[0].ID)
	if tk.Progress != 0 || tk.State != workplan.InProgress {
		t.Errorf("before review: %v %s", tk.Progress, tk.State)
	}
	if _, err := s.ReviewReport(ctx, office, rep.ID, workplan.Decision{Accept: true}); err != nil {
		t.Fatal(err)
	}
	tk, _ = s.Task(ctx, office, tasks[0].ID)
	if tk.Progress != 15 || tk.Spent != 540 || tk.Percent() != 22 {
		t.Errorf("after review: %v %v %d", tk.Progress, tk.Spent, tk.Percent())
	}
	// A returned claim goes back to work and counts nothing.
	claim, err := s.FileReport(ctx, handler, tasks[0].ID, workplan.ReportInput{Body: "完成", Amount: f(53), ClaimsDone: true})
	if err != nil {
		t.Fatal(err)
	}
	if tk, _ = s.Task(ctx, office, tasks[0].ID); tk.State != workplan.Review {
		t.Errorf("claimed: %s", tk.State)
	}
	if _, err := s.ReviewReport(ctx, office, claim.ID, workplan.Decision{Note: "照片不全"}); err != nil {
		t.Fatal(err)
	}
	if tk, _ = s.Task(ctx, office, tasks[0].ID); tk.State != workplan.InProgress || tk.Progress != 15 || !tk.ClaimedAt.IsZero() {
		t.Errorf("returned: %s %v", tk.State, tk.Progress)
	}
	// The road task, due 20 working days after 2026-01-05, is overdue now.
	*now = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	late, _ := s.Tasks(ctx, office, workplan.TaskFilter{Status: workplan.Overdue})
	if len(late) != 1 || late[0].ID != road.ID || road.DueOn != "2026-02-02" {
		t.Errorf("overdue: %d, road due %s", len(late), road.DueOn)
	}
}

func TestTasksServeFrameworkCriteria(t *testing.T) {
	ctx := context.Background()
	s, units, _ := storeWithDemo(t)
	s.Framework = &framework.Store{DB: s.DB}
	if _, err := s.Framework.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	office := actorOf(t, s, "office")
	p, terrs, err := s.CreatePlan(ctx, office, workplan.PlanInput{Name: "方案", Rhythm: workplan.Monthly, StartsOn: "2026-01-05", EndsOn: "2026-12-31"},
		[]workplan.TaskInput{{Title: "主次干道公益广告", LeadUnitID: units["410411-cg"], Due: "2026-06-30", Criteria: []string{"1.1.1.2", "1.1.1.1"}}})
	if err != nil || len(terrs) > 0 {
		t.Fatalf("%v %v", err, terrs)
	}
	tasks, err := s.Tasks(ctx, office, workplan.TaskFilter{PlanID: p.ID})
	if err != nil || len(tasks) != 1 || len(tasks[0].Criteria) != 2 || tasks[0].Criteria[0] != "1.1.1.1" || tasks[0].Seq != "1" {
		t.Fatalf("criteria %+v %v", tasks, err)
	}
	terrs, err = s.AddTasks(ctx, office, p.ID, []workplan.TaskInput{{Title: "x", LeadUnitID: units["410411-cg"], Due: "2026-06-30", Criteria: []string{"9.9.9.9"}}})
	if err != nil || len(terrs) != 1 || terrs[0].Code != "workplan.criterion_unknown" || terrs[0].Field != "criteria" {
		t.Errorf("unknown criterion: %v %+v", err, terrs)
	}
	// The refused task left nothing: the next one numbers 2.
	if terrs, err := s.AddTasks(ctx, office, p.ID, []workplan.TaskInput{{Title: "y", LeadUnitID: units["410411-cg"], Due: "2026-06-30"}}); err != nil || len(terrs) > 0 {
		t.Fatal(err, terrs)
	}
	tasks, _ = s.Tasks(ctx, office, workplan.TaskFilter{PlanID: p.ID})
	if len(tasks) != 2 || tasks[1].Seq != "2" {
		t.Errorf("tasks after a refusal: %d", len(tasks))
	}
}
