package problem_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/server"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// world is the demo district with the real wiring and a clock the test
// moves.
type world struct {
	app    *server.App
	now    time.Time
	actors map[string]access.Actor
	catID  int64
	photo  string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	app, err := server.New(ctx, cfg, dbtest.Open(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	if _, err := demo.Load(ctx, app.Regions, app.Org); err != nil {
		t.Fatal(err)
	}
	// Monday 2026-11-23 09:00 in Shanghai: an ordinary working day.
	w := &world{app: app, now: time.Date(2026, 11, 23, 9, 0, 0, 0, calendar.Shanghai()), actors: map[string]access.Actor{}}
	app.Problems.Now = func() time.Time { return w.now }
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
	if _, err := app.DB.Exec(ctx, `INSERT INTO photo (hash, mime, width, height, bytes, original_name, created_at)
		VALUES (?, 'image/jpeg', 10, 10, 100, 'x.jpg', 0)`, "ab"+string(make([]byte, 0))+"cd00000000000000000000000000000000000000000000000000000000000000"[:62]); err != nil {
		t.Fatal(err)
	}
	w.photo = "abcd00000000000000000000000000000000000000000000000000000000000000"[:64]
	return w
}

func (w *world) report(t *testing.T) *problem.Case {
	t.Helper()
	c, err := w.app.Problems.Report(context.Background(), w.actors["inspector"], problem.ReportInput{
		Source: problem.SourceInspection, CategoryID: w.catID, Description: "楼下堆放废旧家具", RegionCode: "410411001001",
		Lng: 113.33, Lat: 33.70, HasPlace: false, Photos: []string{w.photo}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *world) move(t *testing.T, who string, id int64, in problem.MoveInput) *problem.Case {
	t.Helper()
	c, err := w.app.Problems.Move(context.Background(), w.actors[who], id, in)
	if err != nil {
		t.Fatalf("%s by %s: %v", in.Action, who, err)
	}
	return c
}

// steps bring a new case to each state through legal moves.
func (w *world) caseIn(t *testing.T, st problem.State) *problem.Case {
	t.Helper()
	c := w.report(t)
	path := map[problem.State][]struct {
		who string
		in  problem.MoveInput
	}{
		problem.Reported: {},
		problem.Filed:    {{"office", problem.MoveInput{Action: problem.ActFile}}},
		problem.Rejected: {{"office", problem.MoveInput{Action: problem.ActReject, Note: "不属于创城问题"}}},
	}
	toDispatched := []struct {
		who string
		in  problem.MoveInput
	}{{"office", problem.MoveInput{Action: problem.ActFile}}, {"office", problem.MoveInput{Action: problem.ActDispatch}}}
	path[problem.Dispatched] = toDispatched
	path[problem.InProgress] = append(append(toDispatched[:0:0], toDispatched...), struct {
		who string
		in  problem.MoveInput
	}{"shequ", problem.MoveInput{Action: problem.ActAccept}})
	path[problem.Parked] = append(append(path[problem.InProgress][:0:0], path[problem.InProgress]...), struct {
		who string
		in  problem.MoveInput
	}{"shequ", problem.MoveInput{Action: problem.ActPark, Note: "需列入明年改造计划", Deadline: w.now.AddDate(0, 3, 0)}})
	path[problem.Rectified] = append(append(path[problem.InProgress][:0:0], path[problem.InProgress]...), struct {
		who string
		in  problem.MoveInput
	}{"shequ", problem.MoveInput{Action: problem.ActRectify, Note: "已清走", Photos: []string{w.photo}}})
	path[problem.Closed] = append(append(path[problem.Rectified][:0:0], path[problem.Rectified]...), struct {
		who string
		in  problem.MoveInput
	}{"inspector", problem.MoveInput{Action: problem.ActVerifyPass}})
	other := w.report(t)
	path[problem.Duplicate] = []struct {
		who string
		in  problem.MoveInput
	}{{"office", problem.MoveInput{Action: problem.ActMerge, DuplicateOf: other.ID}}}
	for _, step := range path[st] {
		c = w.move(t, step.who, c.ID, step.in)
	}
	if c.State != st {
		t.Fatalf("set-up reached %s, want %s", c.State, st)
	}
	return c
}

// input gives an action what it needs, and who takes it.
func (w *world) input(act problem.Action, c *problem.Case) (string, problem.MoveInput) {
	in := problem.MoveInput{Action: act, Note: "说明", Photos: []string{w.photo}, Deadline: w.now.AddDate(0, 0, 30)}
	switch act {
	case problem.ActFile, problem.ActReject, problem.ActDispatch, problem.ActApproveExtension, problem.ActRefuseExtension, problem.ActReopen:
		return "office", in
	case problem.ActMerge:
		in.DuplicateOf = c.ID - 1
		return "office", in
	case problem.ActFixOnSpot, problem.ActVerifyPass, problem.ActVerifyFail:
		return "inspector", in
	}
	return "shequ", in
}

func TestEveryMoveThroughTheStore(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	states := []problem.State{problem.Reported, problem.Filed, problem.Rejected, problem.Duplicate, problem.Dispatched,
		problem.InProgress, problem.Parked, problem.Rectified, problem.Closed}
	actions := []problem.Action{problem.ActFile, problem.ActReject, problem.ActMerge, problem.ActDispatch, problem.ActAccept,
		problem.ActReturn, problem.ActRequestExtension, problem.ActPark, problem.ActResume, problem.ActRectify,
		problem.ActFixOnSpot, problem.ActVerifyPass, problem.ActVerifyFail, problem.ActReopen}
	for _, st := range states {
		for _, act := range actions {
			t.Run(string(act)+"_from_"+string(st), func(t *testing.T) {
				c := w.caseIn(t, st)
				who, in := w.input(act, c)
				events, _ := w.app.Problems.Timeline(ctx, access.System(), c.ID)
				got, err := w.app.Problems.Move(ctx, w.actors[who], c.ID, in)
				want, legal := problem.Allowed(act, st)
				after, _ := w.app.Problems.Timeline(ctx, access.System(), c.ID)
				if !legal {
					e := apperr.As(err)
					if err == nil || (e.Kind != apperr.KindConflict && e.Code != "problem.not_found") {
						t.Fatalf("illegal move answered %v", err)
					}
					if len(after) != len(events) {
						t.Fatalf("refused move wrote %d events", len(after)-len(events))
					}
					return
				}
				if err != nil {
					t.Fatalf("legal move refused: %v", err)
				}
				if got.State != want || len(after) != len(events)+1 || after[len(after)-1].Action != act {
					t.Fatalf("state %s (want %s), events %d→%d", got.State, want, len(events), len(after))
				}
			})
		}
	}
}

func TestMoveRules(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.caseIn(t, problem.Dispatched)
	// The dispatch chose the community by territory and set the deadline on
	// the calendar: one working day after Monday → Tuesday 17:30.
	if c.UnitName != "电力社区居民委员会" || c.RouteNote[:len("territorial")] != "territorial" {
		t.Fatalf("routed to %s (%s)", c.UnitName, c.RouteNote)
	}
	want := time.Date(2026, 11, 24, 17, 30, 0, 0, calendar.Shanghai())
	if !c.Deadline.Equal(want) {
		t.Fatalf("deadline %s, want %s", c.Deadline, want)
	}
	// The street's handler supervises the community: it reads the case
	// but is not on it.
	if _, err := w.app.Problems.Get(ctx, w.actors["handler"], c.ID); err != nil {
		t.Fatalf("street handler cannot read its community's case: %v", err)
	}
	if _, err := w.app.Problems.Move(ctx, w.actors["handler"], c.ID, problem.MoveInput{Action: problem.ActAccept}); apperr.As(err).Code != "problem.not_your_move" {
		t.Fatalf("street handler: %v", err)
	}
	// A stale version is refused.
	if _, err := w.app.Problems.Move(ctx, w.actors["shequ"], c.ID, problem.MoveInput{Action: problem.ActAccept, Version: c.Version - 1}); apperr.As(err).Code != "problem.changed_meanwhile" {
		t.Fatalf("stale version: %v", err)
	}
	c = w.move(t, "shequ", c.ID, problem.MoveInput{Action: problem.ActAccept, Version: c.Version})
	// Extension: request, then approve moves the deadline.
	newDeadline := w.now.AddDate(0, 0, 10)
	c = w.move(t, "shequ", c.ID, problem.MoveInput{Action: problem.ActRequestExtension, Note: "需购买材料", Deadline: newDeadline})
	if _, err := w.app.Problems.Move(ctx, w.actors["shequ"], c.ID, problem.MoveInput{Action: problem.ActRequestExtension, Note: "再申请", Deadline: newDeadline.AddDate(0, 0, 1)}); err == nil {
		t.Fatal("second pending extension accepted")
	}
	if _, err := w.app.Problems.Move(ctx, w.actors["shequ"], c.ID, problem.MoveInput{Action: problem.ActApproveExtension}); apperr.As(err).Kind != apperr.KindForbidden {
		t.Fatalf("unit approved its own extension: %v", err)
	}
	c = w.move(t, "office", c.ID, problem.MoveInput{Action: problem.ActApproveExtension})
	if !c.Deadline.Equal(newDeadline) || c.ExtensionCount != 1 {
		t.Fatalf("after approval: deadline %s, count %d", c.Deadline, c.ExtensionCount)
	}
	// The one who rectified may not verify it.
	shequAsInspector := w.actors["shequ"]
	shequAsInspector.Roles = append(shequAsInspector.Roles, access.RoleInspector)
	shequAsInspector.Region = "410411001001"
	c = w.move(t, "shequ", c.ID, problem.MoveInput{Action: problem.ActRectify, Note: "清理完毕", Photos: []string{w.photo}})
	if _, err := w.app.Problems.Move(ctx, shequAsInspector, c.ID, problem.MoveInput{Action: problem.ActVerifyPass}); apperr.As(err).Code != "problem.verifier_is_rectifier" {
		t.Fatalf("self-verification: %v", err)
	}
	c = w.move(t, "inspector", c.ID, problem.MoveInput{Action: problem.ActVerifyFail, Note: "仍有残留"})
	if c.State != problem.InProgress || c.ReworkCount != 1 {
		t.Fatalf("after failed check: %s rework %d", c.State, c.ReworkCount)
	}
	// Unknown category and empty description are refused at report time.
	_, err := w.app.Problems.Report(ctx, w.actors["inspector"], problem.ReportInput{Source: problem.SourceInspection, CategoryID: 999999, Description: "x", RegionCode: "410411001001"})
	if apperr.As(err).Code != "problem.category_unknown" {
		t.Fatalf("unknown category: %v", err)
	}
	_, err = w.app.Problems.Report(ctx, w.actors["inspector"], problem.ReportInput{Source: problem.SourceInspection, CategoryID: w.catID, Description: "  ", RegionCode: "410411001001"})
	if apperr.As(err).Code != "problem.description_required" {
		t.Fatalf("empty description: %v", err)
	}
	_, err = w.app.Problems.Report(ctx, w.actors["inspector"], problem.ReportInput{Source: problem.SourceInspection, CategoryID: w.catID, Description: "东京街头", Lng: 139.69, Lat: 35.69, HasPlace: true})
	if apperr.As(err).Code != "problem.place_outside_china" {
		t.Fatalf("outside China: %v", err)
	}
	_, err = w.app.Problems.Report(ctx, w.actors["inspector"], problem.ReportInput{Source: problem.SourceInspection, CategoryID: w.catID, Description: "北京", Lng: 116.39, Lat: 39.91, HasPlace: true})
	if apperr.As(err).Code != "problem.place_outside_regions" {
		t.Fatalf("outside the deployment: %v", err)
	}
	// Inside the demo's illustrative boundaries the community is found.
	got, err := w.app.Problems.Report(ctx, w.actors["inspector"], problem.ReportInput{Source: problem.SourceInspection, CategoryID: w.catID, Description: "定位上报", Lng: 113.33, Lat: 33.70, HasPlace: true})
	if err != nil || len(got.RegionCode) != 12 {
		t.Fatalf("located report: %v %+v", err, got)
	}
}

func TestEscalationOncePerDayAcrossServers(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.caseIn(t, problem.InProgress)
	// Past the deadline: yellow; past twice the limit: red.
	w.now = c.Deadline.Add(time.Hour)
	var wg sync.WaitGroup
	reports := make([]problem.EscalationReport, 4)
	for i := range reports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := w.app.Problems.Escalate(ctx)
			if err != nil {
				t.Error(err)
			}
			reports[i] = rep
		}()
	}
	wg.Wait()
	yellow := 0
	for _, r := range reports {
		yellow += r.Yellow
	}
	if yellow != 1 {
		t.Fatalf("four concurrent runs raised %d yellow notices", yellow)
	}
	count := func(q string, args ...any) int {
		var n int
		if err := w.app.DB.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("SELECT COUNT(*) FROM problem_event WHERE problem_id = ? AND action = 'escalate'", c.ID); n != 1 {
		t.Fatalf("%d escalation events", n)
	}
	if n := count("SELECT COUNT(*) FROM notification WHERE problem_id = ? AND kind = 'escalated_yellow'", c.ID); n != 1 {
		t.Fatalf("%d yellow notifications for the one handler", n)
	}
	if n := count("SELECT COUNT(*) FROM outbox_message WHERE kind = 'escalated_yellow'"); n != 2 {
		t.Fatalf("%d text messages to head and liaison", n)
	}
	// The next day, still overdue: told again; past twice the limit: red.
	w.now = w.now.Add(24 * time.Hour)
	rep, err := w.app.Problems.Escalate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Red != 1 || rep.Notified != 1 {
		t.Fatalf("next day: %+v", rep)
	}
	if n := count("SELECT COUNT(*) FROM outbox_message WHERE kind = 'escalated_red'"); n != 2 {
		t.Fatalf("%d red messages", n)
	}
	rep, _ = w.app.Problems.Escalate(ctx)
	if rep.Red+rep.Yellow+rep.Notified != 0 {
		t.Fatalf("second run the same day did something: %+v", rep)
	}
}

func TestSimilarAndKPIs(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	in := problem.ReportInput{Source: problem.SourceInspection, CategoryID: w.catID, Description: "路口堆放建材", Lng: 113.33, Lat: 33.70, HasPlace: true}
	a, err := w.app.Problems.Report(ctx, w.actors["inspector"], in)
	if err != nil {
		t.Fatal(err)
	}
	in.Lng += 0.0003 // about 28 m east
	b, err := w.app.Problems.Report(ctx, w.actors["inspector"], in)
	if err != nil {
		t.Fatal(err)
	}
	in.Lng += 0.01 // about 1 km further
	far, err := w.app.Problems.Report(ctx, w.actors["inspector"], in)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := w.app.Problems.Similar(ctx, w.actors["office"], b, problem.DefaultDuplicateRule())
	if err != nil || len(sim) != 1 || sim[0].ID != a.ID {
		t.Fatalf("similar to b: %v %v (far is %d)", sim, err, far.ID)
	}
	// KPIs by the definitions: 2 filed, 1 closed on time, 1 parked.
	one := w.caseIn(t, problem.Closed)
	w.caseIn(t, problem.Parked)
	w.caseIn(t, problem.Rejected)
	k, err := w.app.Problems.KPIs(ctx, w.actors["office"], problem.Filter{}, w.now.Add(-time.Hour), w.now.Add(time.Hour), w.app.Clock)
	if err != nil {
		t.Fatal(err)
	}
	if k.Filed != 2 || k.Closed != 1 || k.Parked != 1 || k.ClosureRate() != 1 || k.OnTimeRate() != 1 || k.Verifications != 1 {
		t.Fatalf("kpi %+v (closed case %s)", k, one.Code)
	}
}

// TestNamesFollowRenames: a case's category and unit names are kept for
// the request's organisation generation, and a renamed unit or category
// shows under its new name in the next request.
func TestNamesFollowRenames(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	app := w.app
	c := w.caseIn(t, problem.Dispatched)
	office := w.actors["office"]
	request := func() context.Context { return servertest.RequestContext(t, app.Org) }
	names := func(rctx context.Context) (string, string) {
		t.Helper()
		got, err := app.Problems.Get(rctx, office, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.CategoryName, got.UnitName
	}
	cat, unit := names(request())
	if cat == "" || unit == "" {
		t.Fatalf("names %q, %q", cat, unit)
	}
	// Kept: renamed behind the stores' backs, the same generation reads
	// the kept names; outside a request the tables'.
	if _, err := app.DB.Exec(ctx, "UPDATE category SET name = '改名' WHERE id = ?", c.CategoryID); err != nil {
		t.Fatal(err)
	}
	if got, _ := names(request()); got != cat {
		t.Errorf("category %q within one generation, want the kept %q", got, cat)
	}
	if got, _ := names(ctx); got != "改名" {
		t.Errorf("category %q outside a request, want the table's", got)
	}
	sub, err := app.Categories.Get(ctx, c.CategoryID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Categories.UpdateSub(ctx, office, sub.ID, category.SubInput{TopID: sub.TopID, Code: sub.Code,
		Name: "占道经营（新）", Kind: sub.Kind, Limit: sub.Limit, Owner: sub.Owner}); err != nil {
		t.Fatal(err)
	}
	if got, _ := names(request()); got != "占道经营（新）" {
		t.Errorf("category %q after its rename", got)
	}
	u, err := app.Org.GetUnit(ctx, access.System(), c.UnitID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Org.UpdateUnit(ctx, access.System(), u.ID, org.UnitInput{Code: u.Code, Name: u.Name + "（更名）", Kind: u.Kind,
		Line: u.Line, ParentID: u.ParentID, RegionCode: u.RegionCode}); err != nil {
		t.Fatal(err)
	}
	if gotCat, gotUnit := names(request()); gotCat != "占道经营（新）" || gotUnit != u.Name+"（更名）" {
		t.Errorf("after the renames: %q, %q", gotCat, gotUnit)
	}

	// A grid renamed: the case's region name follows.
	var community string
	if err := app.DB.QueryRow(ctx, "SELECT code FROM region WHERE level = ? AND code LIKE ? ORDER BY code LIMIT 1",
		int(region.Community), office.Region+"%").Scan(&community); err != nil {
		t.Fatal(err)
	}
	added, err := app.Regions.AddGrid(ctx, access.System(), community, "第一网格", nil)
	if err != nil {
		t.Fatal(err)
	}
	grid := added.Code
	// The case placed in the grid (as a report located in it would be).
	if _, err := app.DB.Exec(ctx, "UPDATE problem SET region_code = ? WHERE id = ?", grid, c.ID); err != nil {
		t.Fatal(err)
	}
	regionName := func() string {
		t.Helper()
		got, err := app.Problems.Get(request(), office, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.RegionName
	}
	if regionName() == "" {
		t.Fatal("the grid case has no region name")
	}
	if _, err := app.Regions.UpdateGrid(ctx, access.System(), grid, "更名网格", nil); err != nil {
		t.Fatal(err)
	}
	if got := regionName(); got != "更名网格" {
		t.Errorf("region %q after the grid's rename", got)
	}
}

// TestNoticesFollowDisabledUsers: who a dispatch notifies is kept for the
// request's reference generation; a handler disabled meanwhile is not
// notified by the next request's dispatch.
func TestNoticesFollowDisabledUsers(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	app := w.app
	office := w.actors["office"]
	dispatch := func() (int64, []int64) {
		t.Helper()
		c := w.caseIn(t, problem.Filed)
		moved, err := app.Problems.Move(servertest.RequestContext(t, app.Org), office, c.ID, problem.MoveInput{Action: problem.ActDispatch})
		if err != nil {
			t.Fatal(err)
		}
		users, err := db.Int64s(ctx, app.DB, "SELECT user_id FROM notification WHERE problem_id = ? ORDER BY user_id", c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return moved.UnitID, users
	}
	unit, first := dispatch()
	if len(first) == 0 {
		t.Fatal("the dispatch notified nobody")
	}
	u, err := app.Org.GetUser(ctx, access.System(), first[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Org.UpdateUser(ctx, access.System(), u.ID, org.UserInput{Username: u.Username, Phone: u.Phone,
		DisplayName: u.DisplayName, UnitID: u.UnitID, Roles: u.Roles, Disabled: true}); err != nil {
		t.Fatal(err)
	}
	again, second := dispatch()
	if again != unit {
		t.Fatalf("the second case went to unit %d, the first to %d", again, unit)
	}
	if slices.Contains(second, u.ID) || len(second) != len(first)-1 {
		t.Errorf("after %d was disabled the dispatch notified %v (before: %v)", u.ID, second, first)
	}
}
