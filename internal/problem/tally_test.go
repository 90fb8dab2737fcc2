package problem_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/problem"
)

// tallyTable reads the whole tally, one line per row.
func tallyTable(t *testing.T, d *db.DB) map[string]string {
	t.Helper()
	rows, err := d.Query(context.Background(), `SELECT day, street, unit_id, dim, dim_key, reported, filed, closed, closed_on_time,
		parked, dispatched, extended, returned, verifications, verify_failed, handled, handling_hours, closures, open_now FROM problem_tally`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var day, unit int64
		var street, dim, key string
		var n [13]int
		var hours float64
		if err := rows.Scan(&day, &street, &unit, &dim, &key, &n[0], &n[1], &n[2], &n[3], &n[4], &n[5], &n[6], &n[7], &n[8], &n[9],
			&n[10], &hours, &n[11], &n[12]); err != nil {
			t.Fatal(err)
		}
		if n == [13]int{} && math.Abs(hours) < 1e-6 {
			continue // a row whose counts all went back to zero
		}
		out[fmt.Sprintf("%d/%s/%d/%s/%s", day, street, unit, dim, key)] = fmt.Sprintf("%v %.4f", n, hours)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// loadDemoCases plays the demo's cases over the last days days
// (demo.LoadCases) and wants at least atLeast of them.
func (w *world) loadDemoCases(t *testing.T, cases, days, atLeast int) int {
	t.Helper()
	app := w.app
	deps := demo.CaseDeps{DB: app.DB, Problems: app.Problems, Media: app.Media, Categories: app.Categories, Org: app.Org, Regions: app.Regions}
	n, err := demo.LoadCases(context.Background(), deps, w.now, cases, days)
	if err != nil || n < atLeast {
		t.Fatalf("demo cases: %d, %v", n, err)
	}
	return n
}

// sameKPI compares figures, the mean hours up to the order of a sum.
func sameKPI(a, b problem.KPI) bool {
	if math.Abs(a.MeanHandlingHours-b.MeanHandlingHours) > 1e-9 {
		return false
	}
	a.MeanHandlingHours, b.MeanHandlingHours = 0, 0
	return a == b
}

// TestTallyFollowsEveryChange plays the demo's cases through the life
// cycle (reports, filing, dispatch, returns, extensions, parking, failed
// and passed verifications, rejections) and checks that the tally kept
// change by change equals the tally computed from the rows afterwards,
// and that its sums are the ledger's KPIs.
func TestTallyFollowsEveryChange(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	app := w.app
	n := w.loadDemoCases(t, 150, 60, 100)
	// A few more moves on top: a merge and a reopening.
	a, b := w.caseIn(t, problem.Filed), w.caseIn(t, problem.Filed)
	w.move(t, "office", b.ID, problem.MoveInput{Action: problem.ActMerge, DuplicateOf: a.ID, Note: "同一处"})
	closed := w.caseIn(t, problem.Closed)
	w.move(t, "office", closed.ID, problem.MoveInput{Action: problem.ActReopen, Note: "又堆上了", Photos: []string{w.photo}})
	w.caseIn(t, problem.Rejected)
	spot := w.report(t)
	w.move(t, "inspector", spot.ID, problem.MoveInput{Action: problem.ActFixOnSpot, Photos: []string{w.photo}})
	parked := w.caseIn(t, problem.Parked)
	w.move(t, "shequ", parked.ID, problem.MoveInput{Action: problem.ActResume})
	w.move(t, "shequ", parked.ID, problem.MoveInput{Action: problem.ActRequestExtension, Note: "需协调产权单位", Deadline: w.now.AddDate(0, 0, 10)})
	w.move(t, "office", parked.ID, problem.MoveInput{Action: problem.ActRefuseExtension, Note: "按期完成"})

	// The reads sum the deltas not yet folded: what they read now is what
	// they read after the fold, and after a rebuild (checked below).
	office := w.actors["office"]
	var unitID int64
	if err := app.DB.QueryRow(ctx, "SELECT unit_id FROM problem WHERE unit_id IS NOT NULL GROUP BY unit_id ORDER BY COUNT(*) DESC LIMIT 1").
		Scan(&unitID); err != nil {
		t.Fatal(err)
	}
	scopes := map[string]problem.TallyScope{"district": {Region: office.Region}, "street": {Region: "410411001"}, "unit": {UnitID: unitID}}
	// The year's sums of a scope.
	sums := func(sc problem.TallyScope) problem.KPI {
		t.Helper()
		rows, err := app.Problems.Tally(ctx, problem.TallyQuery{Scope: sc, From: problem.DayOf(w.now.AddDate(-1, 0, 0)),
			To: problem.DayOf(w.now), Dim: problem.DimTotal})
		if err != nil {
			t.Fatal(err)
		}
		var sum problem.Counts
		for _, r := range rows {
			sum.Add(r.Counts)
		}
		return sum.KPI()
	}
	unfolded := map[string]problem.KPI{}
	for name, sc := range scopes {
		unfolded[name] = sums(sc)
	}
	folded, err := app.Problems.FoldTally(ctx)
	if err != nil || folded < 100 {
		t.Fatalf("folded %d deltas, %v", folded, err)
	}
	var left int
	if err := app.DB.QueryRow(ctx, "SELECT COUNT(*) FROM problem_tally_delta").Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d deltas left after the fold, %v", left, err)
	}
	for name, sc := range scopes {
		if got := sums(sc); !sameKPI(got, unfolded[name]) {
			t.Errorf("%s: folded %+v\nunfolded %+v", name, got, unfolded[name])
		}
	}

	kept := tallyTable(t, app.DB)
	if len(kept) < 50 {
		t.Fatalf("only %d tally rows after %d cases", len(kept), n)
	}
	// The rebuild computes the handling hours of cases without them (rows
	// from before the column): all of them here, so the rebuilt tally
	// holds its own hours against the ones the moves computed.
	var rectified int
	if err := app.DB.QueryRow(ctx, "SELECT COUNT(*) FROM problem WHERE handling_hours IS NOT NULL").Scan(&rectified); err != nil || rectified < 100 {
		t.Fatalf("%d cases with handling hours, %v", rectified, err)
	}
	if _, err := app.DB.Exec(ctx, "UPDATE problem SET handling_hours = NULL"); err != nil {
		t.Fatal(err)
	}
	if err := app.Problems.RebuildTally(ctx); err != nil {
		t.Fatal(err)
	}
	var refilled int
	if err := app.DB.QueryRow(ctx, "SELECT COUNT(*) FROM problem WHERE handling_hours IS NOT NULL").Scan(&refilled); err != nil || refilled != rectified {
		t.Fatalf("%d of %d cases given their handling hours again, %v", refilled, rectified, err)
	}
	rebuilt := tallyTable(t, app.DB)
	for k, v := range rebuilt {
		if kept[k] != v {
			t.Errorf("row %s: kept %q, rebuilt %q", k, kept[k], v)
		}
	}
	for k, v := range kept {
		if _, ok := rebuilt[k]; !ok {
			t.Errorf("row %s kept (%s) but not rebuilt", k, v)
		}
	}

	// The sums are the ledger's figures, for the district, a street and a
	// unit, over the whole time and over the last 30 days.
	admin := access.System()
	for name, sc := range scopes {
		if got := sums(sc); !sameKPI(got, unfolded[name]) {
			t.Errorf("%s: rebuilt %+v\nunfolded %+v", name, got, unfolded[name])
		}
	}
	for _, days := range []int{30, 365} {
		from := time.Date(w.now.Year(), w.now.Month(), w.now.Day()-(days-1), 0, 0, 0, 0, w.now.Location())
		for _, tc := range []struct {
			name  string
			who   access.Actor
			f     problem.Filter
			scope problem.TallyScope
		}{
			{"district", office, problem.Filter{}, problem.TallyScope{Region: office.Region}},
			{"street", admin, problem.Filter{Region: "410411001"}, problem.TallyScope{Region: "410411001"}},
			{"unit", admin, problem.Filter{UnitID: unitID}, problem.TallyScope{UnitID: unitID}},
		} {
			want, err := app.Problems.KPIsFromCases(ctx, tc.who, tc.f, from, w.now.Add(time.Second), app.Clock)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := app.Problems.Tally(ctx, problem.TallyQuery{Scope: tc.scope, From: problem.DayOf(from), To: problem.DayOf(w.now), Dim: problem.DimTotal})
			if err != nil {
				t.Fatal(err)
			}
			var sum problem.Counts
			for _, r := range rows {
				sum.Add(r.Counts)
			}
			got := sum.KPI()
			want.Overdue = 0
			if got.Filed == 0 || math.Abs(got.MeanHandlingHours-want.MeanHandlingHours) > 1e-6 {
				t.Errorf("%s/%dd: %d filed, mean handling %.4f h, ledger %.4f h", tc.name, days, got.Filed, got.MeanHandlingHours, want.MeanHandlingHours)
			}
			got.MeanHandlingHours, want.MeanHandlingHours = 0, 0
			if got != want {
				t.Errorf("%s/%dd: tally %+v\nledger %+v", tc.name, days, got, want)
			}
		}
	}
}

// TestTallyWorkedExample follows one case by hand: reported, filed and
// dispatched, returned, dispatched again, rectified, failed, rectified
// and passed.
func TestTallyWorkedExample(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ps := w.app.Problems
	day := problem.DayOf(w.now)
	street := problem.TallyScope{Region: "410411001"}
	sum := func(dim string, from, to int64) problem.Counts {
		t.Helper()
		rows, err := ps.Tally(ctx, problem.TallyQuery{Scope: street, From: from, To: to, Dim: dim})
		if err != nil {
			t.Fatal(err)
		}
		var c problem.Counts
		for _, r := range rows {
			c.Add(r.Counts)
		}
		c.HandlingHours = 0 // the working hours are checked against the ledger in TestTallyFollowsEveryChange
		return c
	}
	c := w.report(t)
	if got := sum(problem.DimTotal, day, day); got.Reported != 1 || got.Filed != 0 {
		t.Fatalf("after the report: %+v", got)
	}
	if got := sum(problem.DimTotal, problem.OpenDay, problem.OpenDay); got.Open != 1 {
		t.Fatalf("open after the report: %+v", got)
	}
	w.move(t, "office", c.ID, problem.MoveInput{Action: problem.ActFile})
	w.move(t, "office", c.ID, problem.MoveInput{Action: problem.ActDispatch})
	w.move(t, "shequ", c.ID, problem.MoveInput{Action: problem.ActReturn, Note: "不属于本社区"})
	w.move(t, "office", c.ID, problem.MoveInput{Action: problem.ActDispatch})
	w.move(t, "shequ", c.ID, problem.MoveInput{Action: problem.ActAccept})
	w.now = w.now.Add(2 * time.Hour)
	w.move(t, "shequ", c.ID, problem.MoveInput{Action: problem.ActRectify, Note: "已清走", Photos: []string{w.photo}})
	w.move(t, "office", c.ID, problem.MoveInput{Action: problem.ActVerifyFail, Note: "还有残留"})
	w.move(t, "shequ", c.ID, problem.MoveInput{Action: problem.ActRectify, Note: "清干净了", Photos: []string{w.photo}})
	c = w.move(t, "office", c.ID, problem.MoveInput{Action: problem.ActVerifyPass})
	got := sum(problem.DimTotal, day, day)
	// One case filed today and closed within its working day: filed 1,
	// closed 1 on time, dispatched, returned once, two verifications of
	// which one failed, handled once (from the second dispatch), closed
	// today; no longer open.
	want := problem.Counts{Reported: 1, Filed: 1, Closed: 1, ClosedOnTime: 1, Dispatched: 1, Returned: 1, Verifications: 2,
		VerifyFailed: 1, Handled: 1, Closures: 1}
	if got != want {
		t.Errorf("after closing: %+v\nwant %+v", got, want)
	}
	if got := sum(problem.DimTotal, problem.OpenDay, problem.OpenDay); got.Open != 0 {
		t.Errorf("still open: %+v", got)
	}
	// The category and source rows hold the cohort counts too (the
	// bulletin's tables by category and source); the source rows also the
	// report.
	if got := sum(problem.DimCategory, day, day); got.Filed != 1 || got.Closed != 1 || got.Verifications != 2 || got.Reported != 0 {
		t.Errorf("by category: %+v", got)
	}
	if got := sum(problem.DimSource, day, day); got.Filed != 1 || got.Reported != 1 || got.VerifyFailed != 1 {
		t.Errorf("by source: %+v", got)
	}
	// The return counts against the community that made it, which has the
	// case again: no extra case or dispatch. The roll-up holds no returner rows.
	rows, err := ps.Tally(ctx, problem.TallyQuery{Scope: street, From: day, To: day, Dim: problem.DimReturner, ByUnit: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].UnitID != c.UnitID || rows[0].ReturnsMade != 1 || rows[0].OtherCases != 0 || rows[0].UnjustReturns != 0 {
		t.Errorf("returner rows: %+v (the case was with unit %d)", rows, c.UnitID)
	}
	if got := sum(problem.DimReturner, day, day); got != (problem.Counts{}) {
		t.Errorf("returner roll-up: %+v", got)
	}
	if got := sum(problem.DimTotal, day+1, day+30); got != (problem.Counts{}) {
		t.Errorf("later days: %+v", got)
	}
}

// TestKPIsFromTallyEqualCounted asks the ledger's KPIs for many actors,
// filters and periods, some answered from the tally and some not, and
// wants what counting the cases gives, including the cases an office
// reported outside its area and a handler reported for another unit.
func TestKPIsFromTallyEqualCounted(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	app := w.app
	w.loadDemoCases(t, 120, 40, 80)
	// The office reports a case at the city level, outside its district,
	// and files it; the street's handler reports one another unit gets.
	outside, err := app.Problems.Report(ctx, w.actors["office"], problem.ReportInput{Source: problem.SourceHotline,
		CategoryID: w.catID, Description: "市里转来的问题", RegionCode: "4104"})
	if err != nil {
		t.Fatal(err)
	}
	// The city's office files it (here the system, which may).
	if _, err := app.Problems.Move(ctx, access.System(), outside.ID, problem.MoveInput{Action: problem.ActFile}); err != nil {
		t.Fatal(err)
	}
	other, err := app.Problems.Report(ctx, w.actors["handler"], problem.ReportInput{Source: problem.SourceSnapshot,
		CategoryID: w.catID, Description: "路过发现的堆物", RegionCode: "410411002001", Photos: []string{w.photo}})
	if err != nil {
		t.Fatal(err)
	}
	w.move(t, "office", other.ID, problem.MoveInput{Action: problem.ActFile})
	w.move(t, "office", other.ID, problem.MoveInput{Action: problem.ActDispatch})

	w.now = w.now.Add(time.Minute) // nothing is filed after "now"
	loc := w.now.Location()
	today := time.Date(w.now.Year(), w.now.Month(), w.now.Day(), 0, 0, 0, 0, loc)
	periods := []struct {
		name     string
		from, to time.Time
	}{
		{"month to now", today.AddDate(0, -1, 0), w.now},
		{"whole days", today.AddDate(0, 0, -20), today.AddDate(0, 0, -3)},
		{"odd hours", today.AddDate(0, 0, -20).Add(9 * time.Hour), w.now},
	}
	handler := w.actors["handler"]
	both := w.actors["office"]
	both.Roles = append(both.Roles, access.RoleHandler)
	both.UnitID = handler.UnitID
	// A leader of the street reads its area and its communities' cases.
	streetLeader := w.actors["leader"]
	streetLeader.UnitID, streetLeader.Region, streetLeader.SubUnits = handler.UnitID, "410411001", handler.SubUnits
	actors := map[string]access.Actor{"admin": access.System(), "office": w.actors["office"], "leader": w.actors["leader"],
		"handler": handler, "shequ": w.actors["shequ"], "office and handler": both, "street leader": streetLeader}
	filters := map[string]problem.Filter{"none": {}, "street": {Region: "410411001"}, "community": {Region: "410411001001"},
		"own unit": {UnitID: handler.UnitID}, "category": {CategoryID: w.catID}, "below": {Below: true},
		"a community unit": {UnitID: w.actors["shequ"].UnitID}}
	checked := 0
	for an, a := range actors {
		for fn, f := range filters {
			for _, p := range periods {
				want, err := app.Problems.KPIsFromCases(ctx, a, f, p.from, p.to, app.Clock)
				if err != nil {
					t.Fatal(err)
				}
				got, err := app.Problems.KPIs(ctx, a, f, p.from, p.to, app.Clock)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(got.MeanHandlingHours-want.MeanHandlingHours) > 1e-9 {
					t.Errorf("%s/%s/%s: mean handling %.6f, counted %.6f", an, fn, p.name, got.MeanHandlingHours, want.MeanHandlingHours)
				}
				got.MeanHandlingHours, want.MeanHandlingHours = 0, 0
				if got != want {
					t.Errorf("%s/%s/%s:\nKPIs    %+v\ncounted %+v", an, fn, p.name, got, want)
				}
				if want.Filed > 0 {
					checked++
				}
			}
		}
	}
	if checked < 30 {
		t.Errorf("only %d combinations had cases", checked)
	}
	// The office's own case outside the district counts for it.
	k, _ := app.Problems.KPIs(ctx, w.actors["office"], problem.Filter{}, periods[0].from, w.now, app.Clock)
	in, _ := app.Problems.KPIs(ctx, w.actors["office"], problem.Filter{Region: "410411"}, periods[0].from, w.now, app.Clock)
	if k.Filed != in.Filed+1 {
		t.Errorf("office: %d filed in all, %d in the district; the case outside is missing", k.Filed, in.Filed)
	}
	// A period of whole days ending at midnight is answered by the tally,
	// though cases were filed after it: a case moved into it behind the
	// tally's back is counted from the cases, not by the tally.
	whole := periods[1]
	before, err := app.Problems.KPIs(ctx, w.actors["office"], problem.Filter{}, whole.from, whole.to, app.Clock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.DB.Exec(ctx, "UPDATE problem SET filed_at = ? WHERE id = ?", db.Millis(whole.from.Add(time.Hour)), other.ID); err != nil {
		t.Fatal(err)
	}
	counted, _ := app.Problems.KPIsFromCases(ctx, w.actors["office"], problem.Filter{}, whole.from, whole.to, app.Clock)
	tallied, _ := app.Problems.KPIs(ctx, w.actors["office"], problem.Filter{}, whole.from, whole.to, app.Clock)
	if tallied.Filed != before.Filed || counted.Filed != before.Filed+1 {
		t.Errorf("whole days: the tally says %d filed (before %d), the cases %d; the tally did not answer", tallied.Filed, before.Filed, counted.Filed)
	}
}

// TestTallySumsAreKeptByVersion reads the tally through a server that
// keeps its sums of problem_tally by version, and compares every read
// with one that sums both tables again: after another server's fold and
// rebuild, with deltas on top of kept sums, and when the table changes
// with and without a new version.
func TestTallySumsAreKeptByVersion(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	app := w.app
	w.loadDemoCases(t, 80, 30, 50)
	kept := app.Problems
	fresh := &problem.Store{DB: app.DB, NoTallyCache: true}
	other := &problem.Store{DB: app.DB, Now: app.Problems.Now, Clock: app.Clock} // another server
	year := problem.DayOf(w.now.AddDate(-1, 0, 0))
	today := problem.DayOf(w.now)
	questions := []problem.TallyQuery{
		{From: year, To: today, Dim: problem.DimTotal, ByDay: true},
		{From: year, To: today, Dim: problem.DimTotal, ByUnit: true},
		{Scope: problem.TallyScope{Region: "410411001"}, From: year, To: today, Dim: problem.DimCategory},
		{Scope: problem.TallyScope{Region: w.actors["office"].Region}, From: problem.OpenDay, To: problem.OpenDay, Dim: problem.DimTotal},
	}
	read := func(s *problem.Store, q problem.TallyQuery) map[string]string {
		t.Helper()
		rows, err := s.Tally(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, r := range rows {
			c := r.Counts
			hours := c.HandlingHours
			c.HandlingHours = 0
			if c == (problem.Counts{}) && math.Abs(hours) < 1e-6 {
				continue
			}
			out[fmt.Sprintf("%d/%d/%s", r.Day, r.UnitID, r.Key)] = fmt.Sprintf("%+v %.6f", c, hours)
		}
		return out
	}
	// same compares the kept reads with fresh ones and returns how many
	// rows they held.
	same := func(stage string) int {
		t.Helper()
		rows := 0
		for i, q := range questions {
			got, want := read(kept, q), read(fresh, q)
			rows += len(want)
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s, question %d, row %s: kept %q, fresh %q", stage, i, k, got[k], v)
				}
			}
			for k, v := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("%s, question %d, row %s kept (%s) but not fresh", stage, i, k, v)
				}
			}
		}
		return rows
	}
	if rows := same("deltas only"); rows < 20 {
		t.Fatalf("only %d rows to compare", rows)
	}
	if folded, err := other.FoldTally(ctx); err != nil || folded == 0 {
		t.Fatalf("the other server folded %d, %v", folded, err)
	}
	same("after the other server's fold")
	c := w.caseIn(t, problem.Filed)
	w.move(t, "office", c.ID, problem.MoveInput{Action: problem.ActDispatch})
	same("a dispatch on top of kept sums")

	// The sums are kept: a change of the table without a new version is
	// not read (no code does that), and read once the version is new.
	q := questions[1]
	before := read(kept, q)
	if _, err := app.DB.Exec(ctx, "UPDATE problem_tally SET filed = filed + 1000 WHERE unit_id <> 0"); err != nil {
		t.Fatal(err)
	}
	if got := read(kept, q); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("the kept sums were read again without a new version")
	}
	if fmt.Sprint(read(fresh, q)) == fmt.Sprint(before) {
		t.Fatalf("the change of the table did not change the sums")
	}
	if _, err := app.DB.Exec(ctx, "UPDATE problem_tally_version SET version = version + 1"); err != nil {
		t.Fatal(err)
	}
	same("a new version")

	if err := other.RebuildTally(ctx); err != nil {
		t.Fatal(err)
	}
	same("after the other server's rebuild")
}
