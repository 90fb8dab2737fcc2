package bulletin_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server"
)

var shanghai = calendar.Shanghai()

// world is the demo district with the real wiring, a clock the test moves
// and a bulletin store on the same database.
type world struct {
	app      *server.App
	now      time.Time
	actors   map[string]access.Actor
	catID    int64
	bulletin *bulletin.Store
	cat      *i18n.Catalog
}

func newWorldOn(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	app, err := server.New(ctx, cfg, d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	if _, err := demo.Load(ctx, app.Regions, app.Org); err != nil {
		t.Fatal(err)
	}
	// Monday 2026-11-16 09:00: the first day of ISO week 47.
	w := &world{app: app, now: time.Date(2026, 11, 16, 9, 0, 0, 0, shanghai), actors: map[string]access.Actor{}, cat: i18n.MustLoad("zh-CN")}
	app.Problems.Now = func() time.Time { return w.now }
	w.bulletin = &bulletin.Store{DB: d, Problems: app.Problems, Now: func() time.Time { return w.now }, Hours: app.Clock}
	for _, name := range []string{"office", "inspector", "shequ", "handler", "leader"} {
		var id int64
		if err := app.DB.QueryRow(ctx, "SELECT id FROM app_user WHERE username = ?", name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		a, _, err := app.Org.Actor(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		w.actors[name] = a
	}
	sub, err := app.Categories.ByCode(ctx, "SR02") // 乱堆乱放: 1 working day, territorial
	if err != nil {
		t.Fatal(err)
	}
	w.catID = sub.ID
	return w
}

func newWorld(t *testing.T) *world { return newWorldOn(t, dbtest.Open(t)) }

const photo = "abcd000000000000000000000000000000000000000000000000000000000000"

func (w *world) unitID(t *testing.T, code string) int64 {
	t.Helper()
	var id int64
	if err := w.app.DB.QueryRow(context.Background(), "SELECT id FROM unit WHERE code = ?", code).Scan(&id); err != nil {
		t.Fatalf("unit %s: %v", code, err)
	}
	return id
}

// report puts a case in the ledger at the community 电力社区 (routed there
// by territory): inspection cases by the inspector, the office's sources by
// the office.
func (w *world) report(t *testing.T, src problem.Source) *problem.Case {
	t.Helper()
	who := "inspector"
	if src != problem.SourceInspection {
		who = "office"
	}
	c, err := w.app.Problems.Report(context.Background(), w.actors[who], problem.ReportInput{
		Source: src, CategoryID: w.catID, Description: "楼道口堆放杂物 " + string(src), RegionCode: "410411001001"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *world) move(t *testing.T, who string, c *problem.Case, in problem.MoveInput) *problem.Case {
	t.Helper()
	out, err := w.app.Problems.Move(context.Background(), w.actors[who], c.ID, in)
	if err != nil {
		t.Fatalf("%s by %s on %s: %v", in.Action, who, c.Code, err)
	}
	return out
}

// dispatched files and dispatches a new case (to 电力社区 by territory) and
// has the community accept it.
func (w *world) dispatched(t *testing.T, src problem.Source) *problem.Case {
	t.Helper()
	c := w.report(t, src)
	c = w.move(t, "office", c, problem.MoveInput{Action: problem.ActFile})
	c = w.move(t, "office", c, problem.MoveInput{Action: problem.ActDispatch})
	return w.move(t, "shequ", c, problem.MoveInput{Action: problem.ActAccept})
}

func (w *world) rectify(t *testing.T, c *problem.Case) *problem.Case {
	t.Helper()
	return w.move(t, "shequ", c, problem.MoveInput{Action: problem.ActRectify, Note: "已清理", Photos: []string{photo}})
}

func (w *world) pass(t *testing.T, c *problem.Case) *problem.Case {
	t.Helper()
	return w.move(t, "inspector", c, problem.MoveInput{Action: problem.ActVerifyPass, Note: "现场整洁"})
}

// week47 is Monday 2026-11-16 to Sunday 2026-11-22.
var week47 = bulletin.Period{Kind: bulletin.PeriodWeek, From: "2026-11-16", To: "2026-11-22"}

// fixture builds the worked example. All cases are of one category and
// filed on Monday of week 47 at 电力社区 (community A), whose deadline is
// then Tuesday 17:30:
//
//	c1 inspection  closed on time, 1 verification
//	c2 media       failed its first verification, closed on time on the second (weight 2)
//	c3 inspection  closed late (rectified on Wednesday)
//	c4 inspection  parked
//	c5 inspection  extension approved, closed on time within the new deadline
//	c6 hotline     returned by A (marked unjustified), re-dispatched by hand to
//	               community B (建设路社区), still open and overdue
//	c7 inspection  in progress, overdue
//	c8 superior    closed on time, then marked falsified by the office (weight 2)
//	c9 inspection  rejected (found, never filed)
//	c10 inspection a duplicate of c1 (neither found nor filed)
//
// and one case of week 46 (c0, closed on time) for the previous period.
type fixture struct {
	c               map[int]*problem.Case
	unitA, unitB    int64
	reportAt        time.Time
	prevCase        *problem.Case
	officeA, leader access.Actor
}

func build(t *testing.T, w *world) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{c: map[int]*problem.Case{}, unitA: w.unitID(t, "410411001001"), unitB: w.unitID(t, "410411001002")}
	// Week 46: one case, closed on time.
	w.now = time.Date(2026, 11, 10, 9, 0, 0, 0, shanghai)
	f.prevCase = w.pass(t, w.rectify(t, w.dispatched(t, problem.SourceInspection)))

	monday := time.Date(2026, 11, 16, 9, 0, 0, 0, shanghai)
	w.now = monday
	f.c[1] = w.dispatched(t, problem.SourceInspection)
	f.c[2] = w.dispatched(t, problem.SourceMedia)
	f.c[3] = w.dispatched(t, problem.SourceInspection)
	f.c[4] = w.dispatched(t, problem.SourceInspection)
	f.c[5] = w.dispatched(t, problem.SourceInspection)
	f.c[6] = w.dispatched(t, problem.SourceHotline)
	f.c[7] = w.dispatched(t, problem.SourceInspection)
	f.c[8] = w.dispatched(t, problem.SourceSuperior)
	f.c[9] = w.report(t, problem.SourceInspection)
	f.c[10] = w.report(t, problem.SourceInspection)
	if want := time.Date(2026, 11, 17, 17, 30, 0, 0, shanghai); !f.c[1].Deadline.Equal(want) {
		t.Fatalf("deadline %s, want %s", f.c[1].Deadline, want)
	}

	w.now = monday.Add(time.Hour)
	f.c[1] = w.pass(t, w.rectify(t, f.c[1]))
	f.c[2] = w.rectify(t, f.c[2])
	f.c[2] = w.move(t, "inspector", f.c[2], problem.MoveInput{Action: problem.ActVerifyFail, Note: "仍有杂物"})
	f.c[2] = w.pass(t, w.rectify(t, f.c[2]))
	f.c[4] = w.move(t, "shequ", f.c[4], problem.MoveInput{Action: problem.ActPark, Note: "需列入改造计划", Deadline: monday.AddDate(0, 3, 0)})
	f.c[5] = w.move(t, "shequ", f.c[5], problem.MoveInput{Action: problem.ActRequestExtension, Note: "需购买材料", Deadline: monday.AddDate(0, 0, 10)})
	f.c[5] = w.move(t, "office", f.c[5], problem.MoveInput{Action: problem.ActApproveExtension})
	f.c[6] = w.move(t, "shequ", f.c[6], problem.MoveInput{Action: problem.ActReturn, Note: "不属于本社区"})
	f.c[6] = w.move(t, "office", f.c[6], problem.MoveInput{Action: problem.ActDispatch, UnitID: f.unitB})
	f.c[8] = w.pass(t, w.rectify(t, f.c[8]))
	f.c[9] = w.move(t, "office", f.c[9], problem.MoveInput{Action: problem.ActReject, Note: "不属于创城问题"})
	f.c[10] = w.move(t, "office", f.c[10], problem.MoveInput{Action: problem.ActMerge, DuplicateOf: f.c[1].ID})

	// Wednesday: c3 is rectified and closed after its deadline; c5 within
	// its extended one.
	w.now = time.Date(2026, 11, 18, 10, 0, 0, 0, shanghai)
	f.c[3] = w.pass(t, w.rectify(t, f.c[3]))
	f.c[5] = w.pass(t, w.rectify(t, f.c[5]))

	// The office's marks.
	if err := w.app.Problems.MarkFalsified(ctx, w.actors["office"], f.c[8].ID, true); err != nil {
		t.Fatal(err)
	}
	if err := w.app.Problems.MarkUnjustifiedReturn(ctx, w.actors["office"], f.c[6].ID); err != nil {
		t.Fatal(err)
	}
	// The report is taken the next Monday morning.
	f.reportAt = time.Date(2026, 11, 23, 9, 0, 0, 0, shanghai)
	w.now = f.reportAt
	return f
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func unitRow(t *testing.T, b *bulletin.Bulletin, id int64) bulletin.UnitRow {
	t.Helper()
	for _, g := range b.Groups {
		for _, u := range g.Units {
			if u.UnitID == id {
				return u
			}
		}
	}
	t.Fatalf("unit %d not in the bulletin", id)
	return bulletin.UnitRow{}
}

func groupOf(t *testing.T, b *bulletin.Bulletin, key string) bulletin.Group {
	t.Helper()
	for _, g := range b.Groups {
		if g.Key == key {
			return g
		}
	}
	t.Fatalf("no group %s", key)
	return bulletin.Group{}
}

func request(region string) bulletin.Request {
	return bulletin.Request{Region: region, Period: week47}
}

// TestWorkedExample checks every rate and the composite score against
// figures worked out by hand from the fixture.
func TestWorkedExample(t *testing.T) {
	w := newWorld(t)
	f := build(t, w)
	ctx := context.Background()
	b, err := w.bulletin.Preview(ctx, w.actors["office"], request("410411"))
	if err != nil {
		t.Fatal(err)
	}
	tot := b.Totals
	// Found: c1–c9 (the duplicate c10 is not a new problem). Filed: c1–c8.
	// Closed: c1 c2 c3 c5 c8, on time: c1 c2 c5 c8. Parked: c4.
	// Dispatched: c1–c8. Extended: c5. Returned: c6. Verifications:
	// c1 1, c2 2, c3 1, c5 1, c8 1 = 6, of which failed 1. Overdue: c6, c7.
	want := problem.KPI{Found: 9, Filed: 8, Closed: 5, ClosedOnTime: 4, Parked: 1, Dispatched: 8, Extended: 1, Returned: 1,
		Verifications: 6, VerifyFailed: 1, Overdue: 2}
	got := tot
	got.MeanHandlingHours, got.Handled = 0, 0
	if got != want {
		t.Fatalf("totals\n got %+v\nwant %+v", got, want)
	}
	rates := []struct {
		name      string
		got, want float64
	}{
		{"结案率 5 / (8 − 1)", tot.ClosureRate(), 5.0 / 7},
		{"按期结案率 4 / (8 − 1)", tot.OnTimeRate(), 4.0 / 7},
		{"返工率 1 / 6", tot.ReworkRate(), 1.0 / 6},
		{"延期率 1 / 8", tot.ExtensionRate(), 1.0 / 8},
		{"退回率 1 / 8", tot.ReturnRate(), 1.0 / 8},
	}
	for _, r := range rates {
		if !near(r.got, r.want) {
			t.Errorf("%s = %v, want %v", r.name, r.got, r.want)
		}
	}
	if tot.ClosureText() != "71.4%" || tot.OnTimeText() != "57.1%" || tot.ReworkText() != "16.7%" || tot.ReturnText() != "12.5%" {
		t.Errorf("rate texts %s %s %s %s", tot.ClosureText(), tot.OnTimeText(), tot.ReworkText(), tot.ReturnText())
	}
	// The ledger's own KPIs agree on the same scope and period.
	k, err := w.app.Problems.KPIs(ctx, w.actors["office"], problem.Filter{Region: "410411"}, week47.Start(), week47.End(), w.app.Clock)
	if err != nil {
		t.Fatal(err)
	}
	if k.Filed != tot.Filed || k.Closed != tot.Closed || k.ClosedOnTime != tot.ClosedOnTime || k.Parked != tot.Parked ||
		k.Dispatched != tot.Dispatched || k.Extended != tot.Extended || k.Returned != tot.Returned ||
		k.Verifications != tot.Verifications || k.VerifyFailed != tot.VerifyFailed || k.Overdue != tot.Overdue ||
		!near(k.MeanHandlingHours, tot.MeanHandlingHours) || k.Handled != tot.Handled {
		t.Errorf("ledger KPIs %+v differ from the bulletin's %+v", k, tot)
	}
	// Previous period: week 46 with c0, closed on time.
	if b.Previous != (bulletin.Period{Kind: "week", From: "2026-11-09", To: "2026-11-15"}) || b.PrevTotals.Filed != 1 || b.PrevTotals.ClosedOnTime != 1 {
		t.Errorf("previous %+v %+v", b.Previous, b.PrevTotals)
	}
	// By source: inspection found c1 c3 c4 c5 c7 c9, filed all but c9.
	for _, s := range b.BySource {
		if s.Source == problem.SourceInspection && (s.Figures.Found != 6 || s.Figures.Filed != 5 || s.Figures.Closed != 3) {
			t.Errorf("inspection source %+v", s.Figures)
		}
		if s.Source == problem.SourceMedia && (s.Figures.Found != 1 || s.Figures.Closed != 1) {
			t.Errorf("media source %+v", s.Figures)
		}
	}
	if len(b.Categories) != 1 || b.Categories[0].Figures.Filed != 8 {
		t.Errorf("categories %+v", b.Categories)
	}

	// Community A: its own cases c1–c5, c7, c8 and c6, which it returned.
	a := unitRow(t, b, f.unitA)
	wantA := problem.KPI{Filed: 7, Closed: 5, ClosedOnTime: 4, Parked: 1, Dispatched: 8, Extended: 1, Returned: 1,
		Verifications: 6, VerifyFailed: 1, Overdue: 1}
	if a.Figures != wantA || a.Cases != 8 || a.Falsified != 1 || a.UnjustifiedReturns != 1 || a.Group != bulletin.GroupCommunity {
		t.Fatalf("unit A\n got %+v cases %d falsified %d unjustified %d\nwant %+v", a.Figures, a.Cases, a.Falsified, a.UnjustifiedReturns, wantA)
	}
	// The composite score by hand, media (c2) and superior (c8) counting
	// twice: filed 1+2+1+1+1+1+2 = 9, parked 1, closed 1+2+1+1+2 = 7, on
	// time 1+2+1+2 = 6, dispatched 9 + c6 = 10, extended 1, returned 1,
	// verifications 1 + 2·2 + 1 + 1 + 2 = 9, failed 2·1 = 2, falsified 2·1,
	// unjustified returns 1.
	score := 40*6.0/8 + 30*7.0/8 + 10*(1-2.0/9) + 10*(1-1.0/10) + 10*(1-1.0/10) - 2*2 - 5*2 - 1*1
	if !near(a.Score, score) {
		t.Fatalf("unit A score %v, want %v (parts %+v, weighted %+v)", a.Score, score, a.Parts, a.Weighted)
	}
	if a.ScoreText() != "67.0" || !near(a.Deducted(), 15) {
		t.Errorf("score text %s, deducted %v", a.ScoreText(), a.Deducted())
	}
	// Community B: c6 only, open and overdue, not returned by it.
	bb := unitRow(t, b, f.unitB)
	if bb.Cases != 1 || bb.Figures.Filed != 1 || bb.Figures.Dispatched != 1 || bb.Figures.Returned != 0 || bb.Figures.Overdue != 1 {
		t.Errorf("unit B %+v", bb)
	}
	if !near(bb.Score, 0+0+10+10+10) {
		t.Errorf("unit B score %v, want 30", bb.Score)
	}
	// Minimum sample 5: A (8 cases) is ranked, B (1 case) is listed apart.
	if a.Rank != 1 || bb.Rank != 0 || bb.Apart != bulletin.ApartFew {
		t.Errorf("ranking A %d, B %d %q", a.Rank, bb.Rank, bb.Apart)
	}
	// One ranked unit is no list: neither red nor black.
	if g := groupOf(t, b, bulletin.GroupCommunity); len(g.RedList())+len(g.BlackList()) != 0 {
		t.Errorf("lists with one ranked unit: %+v", g)
	}
	// Overdue cases by name, and the unit that has none listed too.
	if len(b.Overdue) != 2 || b.Overdue[0].Code == "" || b.Overdue[0].OverdueDays < 5 {
		t.Errorf("overdue list %+v", b.Overdue)
	}
	if len(b.Repeated) != 0 {
		t.Errorf("repeated %+v", b.Repeated)
	}
	// Streets without cases are listed (apart: no sample).
	if g := groupOf(t, b, bulletin.GroupStreet); len(g.Units) < 5 || g.Units[0].Ranked() {
		t.Errorf("streets %+v", g.Units)
	}

	// The notice and workbook carry the same figures.
	n := b.Notice(w.cat.T)
	// Overview, sources, categories, lists, one section per group,
	// overdue, repeated, inspections, notes.
	if len(n.Sections) != 8+len(b.Groups) || !strings.Contains(n.Sections[0].Paragraphs[0], "结案率71.4%") || n.Number != "（预览稿，未编号）" {
		t.Errorf("notice %+v", n.Sections[0])
	}
	community := n.Sections[4+2] // department, street, community
	if community.Heading != "七、社区（村）办理情况" || len(community.Tables) != 2 || community.Tables[0].Rows[0][1] != "电力社区居民委员会" ||
		community.Tables[0].Rows[0][10] != "67.0" || community.Tables[1].Rows[0][6] != "样本不足" {
		t.Errorf("community section %+v", community)
	}
	var buf bytes.Buffer
	if err := bulletin.ExportXLSX(&buf, b, w.cat.T); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if sheets := x.GetSheetList(); len(sheets) != len(n.Sections) || sheets[0] != "一、总体情况" || sheets[6] != "七、社区（村）办理情况" {
		t.Errorf("sheets %v", sheets)
	}
}

// TestRankingAndLists: the minimum sample, red and black lists, exclusion.
func TestRankingAndLists(t *testing.T) {
	w := newWorld(t)
	f := build(t, w)
	ctx := context.Background()
	office := w.actors["office"]
	in := bulletin.DefaultConfig().Input(nil)
	in.MinSample = "1"
	if _, err := w.bulletin.SaveConfig(ctx, office, "410411", in); err != nil {
		t.Fatal(err)
	}
	b, err := w.bulletin.Preview(ctx, office, request("410411"))
	if err != nil {
		t.Fatal(err)
	}
	a, bb := unitRow(t, b, f.unitA), unitRow(t, b, f.unitB)
	// With one case enough, both communities are ranked: A 67.0 before B
	// 30.0; two ranked units make lists of one each.
	if a.Rank != 1 || bb.Rank != 2 || !a.Red || a.Black || !bb.Black || bb.Red {
		t.Fatalf("A %+v\nB %+v", a, bb)
	}
	g := groupOf(t, b, bulletin.GroupCommunity)
	if red, black := g.RedList(), g.BlackList(); len(red) != 1 || red[0].UnitID != f.unitA || len(black) != 1 || black[0].UnitID != f.unitB {
		t.Fatalf("lists %+v %+v", red, black)
	}
	// Excluding B (by its code) takes it out of the ranking.
	in.Excluded = "410411001002"
	if _, err := w.bulletin.SaveConfig(ctx, office, "410411", in); err != nil {
		t.Fatal(err)
	}
	b, err = w.bulletin.Preview(ctx, office, request("410411"))
	if err != nil {
		t.Fatal(err)
	}
	if bb := unitRow(t, b, f.unitB); bb.Rank != 0 || bb.Apart != bulletin.ApartExcluded {
		t.Fatalf("excluded B %+v", bb)
	}
	// Weights change the score: all on closure gives A 100·7/8 − 15.
	in = bulletin.DefaultConfig().Input(nil)
	in.OnTime, in.Closure, in.Rework, in.Return, in.Extension = "0", "100", "0", "0", "0"
	if _, err := w.bulletin.SaveConfig(ctx, office, "410411", in); err != nil {
		t.Fatal(err)
	}
	b, err = w.bulletin.Preview(ctx, office, request("410411"))
	if err != nil {
		t.Fatal(err)
	}
	if a := unitRow(t, b, f.unitA); !near(a.Score, 100*7.0/8-15) {
		t.Fatalf("closure-only score %v", a.Score)
	}
	// A street's bulletin has the street's units only.
	b, err = w.bulletin.Preview(ctx, office, request("410411002"))
	if err != nil {
		t.Fatal(err)
	}
	if b.Totals.Filed != 0 {
		t.Fatalf("other street counted %d cases", b.Totals.Filed)
	}
	for _, g := range b.Groups {
		for _, u := range g.Units {
			if !strings.HasPrefix(u.Region, "410411002") {
				t.Errorf("unit %s outside the street", u.Name)
			}
		}
	}
	// A group of units: the two communities.
	b, err = w.bulletin.Preview(ctx, office, bulletin.Request{Units: []int64{f.unitA, f.unitB}, Period: week47})
	if err != nil {
		t.Fatal(err)
	}
	if b.Totals.Filed != 8 || len(b.Scope.UnitNames) != 2 || b.Totals.Overdue != 2 {
		t.Fatalf("unit group %+v %v", b.Totals, b.Scope.UnitNames)
	}
}

// TestFrozenAndNumbered: an issued bulletin keeps its figures when cases
// change; numbers count up per office and year; re-issue makes a new one.
func TestFrozenAndNumbered(t *testing.T) {
	w := newWorld(t)
	f := build(t, w)
	ctx := context.Background()
	office := w.actors["office"]
	first, err := w.bulletin.Issue(ctx, office, request("410411"))
	if err != nil {
		t.Fatal(err)
	}
	if first.Year != 2026 || first.Seq != 1 || first.NumberText(w.cat.T) != "〔2026〕第1期" || first.Draft {
		t.Fatalf("first bulletin %d/%d %s", first.Year, first.Seq, first.NumberText(w.cat.T))
	}
	// The cases change: c7 is closed, a new case is filed in the period.
	c7 := w.pass(t, w.rectify(t, f.c[7]))
	if c7.State != problem.Closed {
		t.Fatal(c7.State)
	}
	w.now = time.Date(2026, 11, 20, 9, 0, 0, 0, shanghai)
	w.dispatched(t, problem.SourceInspection)
	w.now = f.reportAt
	if err := w.app.Problems.MarkFalsified(ctx, office, f.c[8].ID, false); err != nil {
		t.Fatal(err)
	}
	again, err := w.bulletin.Get(ctx, office, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Totals != first.Totals || again.Totals.Closed != 5 || again.Totals.Filed != 8 || again.Totals.Overdue != 2 {
		t.Fatalf("frozen totals changed: %+v → %+v", first.Totals, again.Totals)
	}
	if a := unitRow(t, again, f.unitA); a.Falsified != 1 || !near(a.Score, unitRow(t, first, f.unitA).Score) {
		t.Fatalf("frozen unit changed: %+v", a)
	}
	now, err := w.bulletin.Preview(ctx, office, request("410411"))
	if err != nil {
		t.Fatal(err)
	}
	if now.Totals.Closed != 6 || now.Totals.Filed != 9 {
		t.Fatalf("live figures %+v", now.Totals)
	}
	// Re-issue: a new number, the new figures, the old one untouched.
	second, err := w.bulletin.Reissue(ctx, office, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if second.Seq != 2 || second.ReissueOf != first.ID || second.Totals.Closed != 6 {
		t.Fatalf("re-issued %+v", second)
	}
	if old, _ := w.bulletin.Get(ctx, office, first.ID); old.ReissuedAs != second.ID || old.Totals.Closed != 5 {
		t.Fatalf("old after re-issue: %d %+v", old.ReissuedAs, old.Totals)
	}
	// A leader may look but not issue; the handler neither composes nor issues.
	if _, err := w.bulletin.Preview(ctx, w.actors["leader"], request("410411")); err != nil {
		t.Fatalf("leader preview: %v", err)
	}
	if _, err := w.bulletin.Issue(ctx, w.actors["leader"], request("410411")); apperr.As(err).Code != "bulletin.issue_forbidden" {
		t.Fatalf("leader issued: %v", err)
	}
	if _, err := w.bulletin.Issue(ctx, w.actors["shequ"], request("410411")); apperr.As(err).Code != "bulletin.compose_forbidden" {
		t.Fatalf("handler issued: %v", err)
	}
	// Concurrent issues never share a number.
	var wg sync.WaitGroup
	seqs := make([]int, 6)
	for i := range seqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := w.bulletin.Issue(ctx, office, request("410411001"))
			if err != nil {
				t.Error(err)
				return
			}
			seqs[i] = b.Seq
		}()
	}
	wg.Wait()
	seen := map[int]bool{}
	for _, s := range seqs {
		if s < 3 || s > 8 || seen[s] {
			t.Fatalf("concurrent numbers %v", seqs)
		}
		seen[s] = true
	}
}

// TestVisibility: units see the issued bulletins of their scope only.
func TestVisibility(t *testing.T) {
	w := newWorld(t)
	build(t, w)
	ctx := context.Background()
	office := w.actors["office"]
	district, err := w.bulletin.Issue(ctx, office, request("410411"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := w.bulletin.Issue(ctx, office, request("410411002"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		who             string
		district, other bool
	}{
		{"office", true, true}, {"leader", true, true}, {"handler", true, false}, {"shequ", true, false}, {"inspector", true, true},
	} {
		list, _, err := w.bulletin.List(ctx, w.actors[tc.who], 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		has := map[int64]bool{}
		for _, s := range list {
			has[s.ID] = true
		}
		_, errD := w.bulletin.Get(ctx, w.actors[tc.who], district.ID)
		_, errO := w.bulletin.Get(ctx, w.actors[tc.who], other.ID)
		if has[district.ID] != tc.district || (errD == nil) != tc.district || has[other.ID] != tc.other || (errO == nil) != tc.other {
			t.Errorf("%s sees district %v/%v (want %v), other street %v/%v (want %v)", tc.who, has[district.ID], errD, tc.district,
				has[other.ID], errO, tc.other)
		}
	}
	// A citizen is no unit of the scope.
	citizen := access.Actor{UserID: 999, Roles: []access.Role{access.RoleCitizen}, UnitID: w.unitID(t, "410411-public"), Region: "410411"}
	if list, _, _ := w.bulletin.List(ctx, citizen, 0, 50); len(list) != 0 {
		t.Errorf("citizen sees %d bulletins", len(list))
	}
}

// TestBadInput: each refusal with its Chinese reason.
func TestBadInput(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	office := w.actors["office"]
	msg := func(err error) string {
		e := apperr.As(err)
		return w.cat.T(e.Code, e.Args...)
	}
	cases := []struct {
		name string
		err  func() error
		code string
		text string
	}{
		{"period reversed", func() error {
			_, err := w.bulletin.Preview(ctx, office, bulletin.Request{Region: "410411", Period: bulletin.Period{Kind: "custom", From: "2026-11-22", To: "2026-11-16"}})
			return err
		}, "bulletin.period_reversed", "结束日期 2026-11-16 早于开始日期 2026-11-22"},
		{"date unreadable", func() error {
			_, err := w.bulletin.Preview(ctx, office, bulletin.Request{Region: "410411", Period: bulletin.Period{Kind: "week", From: "11/16"}})
			return err
		}, "bulletin.period_date_invalid", "无法识别"},
		{"scope above the office", func() error {
			_, err := w.bulletin.Preview(ctx, office, request("4104"))
			return err
		}, "bulletin.scope_forbidden", "无权查看“平顶山市”"},
		{"unknown region", func() error {
			_, err := w.bulletin.Preview(ctx, office, request("999999"))
			return err
		}, "bulletin.scope_region_unknown", "不存在"},
		{"unit the user may not see", func() error {
			_, err := w.bulletin.Preview(ctx, w.actors["leader"], bulletin.Request{Units: []int64{w.unitID(t, "4104-office")}, Period: week47})
			return err
		}, "bulletin.scope_forbidden", "无权查看"},
		{"unknown unit in the assessment", func() error {
			in := bulletin.DefaultConfig().Input(nil)
			in.Excluded = "410411-cg\nno-such-unit"
			_, err := w.bulletin.SaveConfig(ctx, office, "410411", in)
			return err
		}, "bulletin.config_unit_unknown", "“no-such-unit”不存在"},
		{"unit outside the jurisdiction", func() error {
			in := bulletin.DefaultConfig().Input(nil)
			in.Excluded = "4104-office"
			_, err := w.bulletin.SaveConfig(ctx, office, "410411", in)
			return err
		}, "bulletin.config_unit_unknown", "不在本辖区"},
		{"weight does not parse", func() error {
			in := bulletin.DefaultConfig().Input(nil)
			in.OnTime = "四十"
			_, err := w.bulletin.SaveConfig(ctx, office, "410411", in)
			return err
		}, "bulletin.config_number_invalid", "“四十”不是有效的数字"},
		{"weights do not sum to 100", func() error {
			in := bulletin.DefaultConfig().Input(nil)
			in.OnTime = "50"
			_, err := w.bulletin.SaveConfig(ctx, office, "410411", in)
			return err
		}, "bulletin.config_weight_sum", "合计须为 100，现在是 110"},
		{"negative penalty", func() error {
			in := bulletin.DefaultConfig().Input(nil)
			in.PerFailed = "-2"
			_, err := w.bulletin.SaveConfig(ctx, office, "410411", in)
			return err
		}, "bulletin.config_penalty_range", "不能为负数"},
		{"leader changes the assessment", func() error {
			_, err := w.bulletin.SaveConfig(ctx, w.actors["leader"], "410411", bulletin.DefaultConfig().Input(nil))
			return err
		}, "bulletin.config_forbidden", "创文办"},
		{"schedule at 25:00", func() error {
			_, err := w.bulletin.CreateSchedule(ctx, office, bulletin.ScheduleInput{Kind: "week", Weekday: 1, Hour: 25})
			return err
		}, "bulletin.schedule_time_invalid", "签发时间无效"},
		{"falsified before rectification", func() error {
			c := w.report(t, problem.SourceInspection)
			return w.app.Problems.MarkFalsified(ctx, office, c.ID, true)
		}, "bulletin.mark_not_rectified", "还没有整改"},
		{"unjustified without a return", func() error {
			c := w.report(t, problem.SourceInspection)
			return w.app.Problems.MarkUnjustifiedReturn(ctx, office, c.ID)
		}, "bulletin.mark_no_return", "没有尚未认定的退回"},
		{"handler marks", func() error {
			c := w.report(t, problem.SourceInspection)
			return w.app.Problems.MarkUnjustifiedReturn(ctx, w.actors["shequ"], c.ID)
		}, "bulletin.mark_forbidden", "创文办"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err()
			if err == nil {
				t.Fatal("accepted")
			}
			if code := apperr.As(err).Code; code != tc.code {
				t.Fatalf("code %s (%v), want %s", code, err, tc.code)
			}
			if m := msg(err); !strings.Contains(m, tc.text) {
				t.Fatalf("message %q lacks %q", m, tc.text)
			}
		})
	}
	// Nothing of the refused configuration was stored.
	c, err := w.bulletin.LoadConfig(ctx, "410411")
	if err != nil || c.OnTime != 40 || len(c.Excluded) != 0 {
		t.Fatalf("config after refusals %+v %v", c, err)
	}
}

func TestPeriods(t *testing.T) {
	for _, tc := range []struct {
		kind, from, to string
		want           bulletin.Period
		prev           bulletin.Period
		key            string
	}{
		{"day", "2026-11-22", "", bulletin.Period{"day", "2026-11-22", "2026-11-22"}, bulletin.Period{"day", "2026-11-21", "2026-11-21"}, "day:2026-11-22"},
		{"week", "2026-11-19", "", week47, bulletin.Period{"week", "2026-11-09", "2026-11-15"}, "week:2026-W47"},
		{"month", "2026-03", "", bulletin.Period{"month", "2026-03-01", "2026-03-31"}, bulletin.Period{"month", "2026-02-01", "2026-02-28"}, "month:2026-03"},
		{"month", "2026-01-15", "", bulletin.Period{"month", "2026-01-01", "2026-01-31"}, bulletin.Period{"month", "2025-12-01", "2025-12-31"}, "month:2026-01"},
		{"custom", "2026-11-01", "2026-11-10", bulletin.Period{"custom", "2026-11-01", "2026-11-10"}, bulletin.Period{"custom", "2026-10-22", "2026-10-31"}, "custom:2026-11-01..2026-11-10"},
	} {
		p, err := bulletin.ParsePeriod(tc.kind, tc.from, tc.to)
		if err != nil || p != tc.want || p.Previous() != tc.prev || p.Key() != tc.key {
			t.Errorf("%s %s: %+v prev %+v key %s (%v)", tc.kind, tc.from, p, p.Previous(), p.Key(), err)
		}
	}
	p, _ := bulletin.ParsePeriod("week", "2026-11-16", "")
	if !p.Start().Equal(time.Date(2026, 11, 16, 0, 0, 0, 0, shanghai)) || !p.End().Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, shanghai)) {
		t.Errorf("bounds %s %s", p.Start(), p.End())
	}
	due := []struct {
		sc   bulletin.Schedule
		now  time.Time
		at   time.Time
		want string
	}{
		{bulletin.Schedule{Kind: "week", Weekday: 1, Hour: 9}, time.Date(2026, 11, 23, 9, 5, 0, 0, shanghai),
			time.Date(2026, 11, 23, 9, 0, 0, 0, shanghai), "week:2026-W47"},
		{bulletin.Schedule{Kind: "week", Weekday: 1, Hour: 9}, time.Date(2026, 11, 23, 8, 59, 0, 0, shanghai),
			time.Date(2026, 11, 16, 9, 0, 0, 0, shanghai), "week:2026-W46"},
		{bulletin.Schedule{Kind: "week", Weekday: 5, Hour: 17, Minute: 30}, time.Date(2026, 11, 22, 12, 0, 0, 0, shanghai),
			time.Date(2026, 11, 20, 17, 30, 0, 0, shanghai), "week:2026-W46"},
		{bulletin.Schedule{Kind: "month", Monthday: 1, Hour: 8}, time.Date(2026, 1, 1, 8, 0, 0, 0, shanghai),
			time.Date(2026, 1, 1, 8, 0, 0, 0, shanghai), "month:2025-12"},
		{bulletin.Schedule{Kind: "month", Monthday: 3, Hour: 8}, time.Date(2026, 3, 2, 8, 0, 0, 0, shanghai),
			time.Date(2026, 2, 3, 8, 0, 0, 0, shanghai), "month:2026-01"},
		{bulletin.Schedule{Kind: "day", Hour: 7, Minute: 30}, time.Date(2026, 11, 23, 7, 0, 0, 0, shanghai),
			time.Date(2026, 11, 22, 7, 30, 0, 0, shanghai), "day:2026-11-21"},
	}
	for _, tc := range due {
		at, p := tc.sc.Due(tc.now)
		if !at.Equal(tc.at) || p.Key() != tc.want {
			t.Errorf("%+v at %s: due %s %s, want %s %s", tc.sc, tc.now, at, p.Key(), tc.at, tc.want)
		}
	}
}

// twoServers opens the same database twice, as two servers would.
func twoServers(t *testing.T) (*db.DB, *db.DB) {
	t.Helper()
	ctx := context.Background()
	open := func(o db.Options) *db.DB {
		d, err := db.Open(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	var o db.Options
	if dsn := os.Getenv(dbtest.EnvPostgres); dsn != "" {
		schemaDSN, drop := dbtest.NewSchema(t, dsn)
		t.Cleanup(drop)
		o = db.Options{PostgresURL: schemaDSN}
	} else {
		o = db.Options{SQLitePath: filepath.Join(t.TempDir(), "shared.db"), Readers: 4}
	}
	d1 := open(o)
	if _, err := d1.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return d1, open(o)
}

// TestScheduledOnceAcrossServers: two servers run the due schedules at the
// same moment, repeatedly; the week is issued exactly once.
func TestScheduledOnceAcrossServers(t *testing.T) {
	d1, d2 := twoServers(t)
	w := newWorldOn(t, d1)
	ctx := context.Background()
	// Made on Friday 2026-11-20: every Monday 09:00, the past week.
	w.now = time.Date(2026, 11, 20, 15, 0, 0, 0, shanghai)
	sc, err := w.bulletin.CreateSchedule(ctx, w.actors["office"], bulletin.ScheduleInput{ScopeRegion: "410411", Kind: "week", Weekday: 1, Hour: 9})
	if err != nil {
		t.Fatal(err)
	}
	servers := []*bulletin.Store{{DB: d1, Problems: &problem.Store{DB: d1}}, {DB: d2, Problems: &problem.Store{DB: d2}}}
	// Not yet due: Monday 16th was before the schedule was made.
	if n, err := servers[1].RunDue(ctx, w.now); err != nil || n != 0 {
		t.Fatalf("before due: %d %v", n, err)
	}
	run := func(now time.Time) int {
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := servers[i%2].RunDue(ctx, now)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		return total
	}
	monday := time.Date(2026, 11, 23, 9, 0, 30, 0, shanghai)
	if n := run(monday); n != 1 {
		t.Fatalf("eight runs on two servers issued %d bulletins", n)
	}
	if n := run(monday.Add(time.Hour)); n != 0 {
		t.Fatalf("an hour later issued %d more", n)
	}
	var count int
	var key string
	if err := d2.QueryRow(ctx, "SELECT COUNT(*) FROM bulletin WHERE schedule_id = ?", sc.ID).Scan(&count); err != nil {
		t.Fatal(err)
	}
	if err := d2.QueryRow(ctx, "SELECT last_run_key FROM bulletin_schedule WHERE id = ?", sc.ID).Scan(&key); err != nil {
		t.Fatal(err)
	}
	if count != 1 || key != "week:2026-W47" {
		t.Fatalf("%d bulletins, key %s", count, key)
	}
	list, _, err := w.bulletin.List(ctx, w.actors["shequ"], 0, 10)
	if err != nil || len(list) != 1 || !list[0].Scheduled || list[0].Period != week47 || list[0].IssuerName != "湛河区文明办（区创文办）" {
		t.Fatalf("the community sees %+v %v", list, err)
	}
	// The next week is issued once more, with the next number.
	if n := run(monday.AddDate(0, 0, 7)); n != 1 {
		t.Fatalf("next week issued %d", n)
	}
	// Switched off, nothing more.
	if err := w.bulletin.SetScheduleEnabled(ctx, w.actors["office"], sc.ID, false); err != nil {
		t.Fatal(err)
	}
	if n := run(monday.AddDate(0, 0, 14)); n != 0 {
		t.Fatalf("disabled schedule issued %d", n)
	}
	var seqs []int
	rows, err := d1.Query(ctx, "SELECT seq FROM bulletin ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s int
		rows.Scan(&s)
		seqs = append(seqs, s)
	}
	if len(seqs) != 2 || seqs[0] != 1 || seqs[1] != 2 {
		t.Fatalf("numbers %v", seqs)
	}
}
