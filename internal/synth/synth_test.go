package synth_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/routing"
	"github.com/wenming-civic/wenming/internal/synth"
)

// tiny is a city small enough for a unit test, over a fixed period that
// crosses the 2026 National Day holiday.
func tiny() synth.Options {
	return synth.Options{Seed: 7, Problems: 2000, Grids: 200, Units: 200, Months: 3,
		End: time.Date(2026, 11, 18, 0, 0, 0, 0, calendar.Shanghai())}
}

func generate(t *testing.T, o synth.Options) (*db.DB, synth.Report) {
	t.Helper()
	d := dbtest.Open(t)
	rep, err := synth.Generate(context.Background(), d, o)
	if err != nil {
		t.Fatal(err)
	}
	return d, rep
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestGenerate(t *testing.T) {
	ctx := context.Background()
	o := tiny()
	var stages []string
	o.Progress = func(stage string, done, total int) {
		if done > total && total > 0 {
			t.Errorf("progress %s: %d of %d", stage, done, total)
		}
		if len(stages) == 0 || stages[len(stages)-1] != stage {
			stages = append(stages, stage)
		}
	}
	d, rep := generate(t, o)
	t.Logf("%d cases, %d events, states %v, overdue %d, escalated %d, extra %v, took %s",
		rep.Problems, rep.Events, rep.States, rep.Overdue, rep.Escalated, rep.Extra, rep.Took)
	want := []string{synth.StageRegions, synth.StageGrids, synth.StageUnits, synth.StagePlan, synth.StageProblems, synth.StageAnalyze}
	if fmt.Sprint(stages) != fmt.Sprint(want) {
		t.Errorf("stages %v, want %v", stages, want)
	}

	t.Run("counts", func(t *testing.T) {
		if n := count(t, d, "SELECT COUNT(*) FROM problem"); n != o.Problems || rep.Problems != n {
			t.Errorf("%d problems (report %d), want %d", n, rep.Problems, o.Problems)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM problem_event"); n != rep.Events || n < 4*o.Problems || n > 8*o.Problems {
			t.Errorf("%d events (report %d)", n, rep.Events)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM region WHERE level = 6 AND boundary IS NOT NULL AND min_lng < max_lng
			AND min_lat < max_lat AND length(code) = 15 AND substr(code, 1, 6) = '410411'`); n != o.Grids {
			t.Errorf("%d grids with boundaries, want %d", n, o.Grids)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM unit"); n != o.Units || rep.Units != n {
			t.Errorf("%d units (report %d), want %d", n, rep.Units, o.Units)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM unit WHERE kind = 'territorial' AND length(region_code) = 12"); n != 104 {
			t.Errorf("%d community units, want 104", n)
		}
		depts := count(t, d, "SELECT COUNT(DISTINCT line) FROM unit WHERE kind = 'department'")
		if want := len(org.Lines()) - 1; depts != want { // every line but "other"
			t.Errorf("%d departments, want %d", depts, want)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM user_role WHERE role = 'handler'"); n != depts+10+104 {
			t.Errorf("%d handlers, want one per department, street and community", n)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM problem WHERE reported_at < ? OR reported_at >= ?",
			db.Millis(rep.Start), db.Millis(rep.Options.End)); n != 0 {
			t.Errorf("%d cases reported outside [%v, %v)", n, rep.Start, rep.Options.End)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM problem_event WHERE at >= ?", db.Millis(rep.Options.End)); n != 0 {
			t.Errorf("%d events after End", n)
		}
	})

	t.Run("state mix", func(t *testing.T) {
		want := map[problem.State]float64{problem.Closed: 0.75, problem.InProgress: 0.08, problem.Dispatched: 0.04,
			problem.Rectified: 0.03, problem.Parked: 0.02, problem.Reported: 0.03, problem.Filed: 0.02,
			problem.Rejected: 0.02, problem.Duplicate: 0.01}
		for st, share := range want {
			n := count(t, d, "SELECT COUNT(*) FROM problem WHERE state = ?", string(st))
			if got := float64(n) / float64(o.Problems); math.Abs(got-share) > 0.03 || n != rep.States[st] {
				t.Errorf("%s: %.3f of cases (report %d), want about %.2f", st, got, rep.States[st], share)
			}
		}
		if rep.Overdue == 0 || rep.Escalated == 0 {
			t.Errorf("overdue %d, escalated %d: want some", rep.Overdue, rep.Escalated)
		}
		for _, act := range []problem.Action{problem.ActReturn, problem.ActApproveExtension, problem.ActPark,
			problem.ActVerifyFail, problem.ActFixOnSpot, problem.ActEscalate} {
			if rep.Extra[string(act)] == 0 {
				t.Errorf("no %s event", act)
			}
		}
	})

	t.Run("timelines", func(t *testing.T) { checkTimelines(t, d, rep) })

	t.Run("codes", func(t *testing.T) {
		if n := count(t, d, "SELECT COUNT(DISTINCT code) FROM problem"); n != o.Problems {
			t.Errorf("%d distinct codes", n)
		}
		rows, err := d.Query(ctx, "SELECT code FROM problem ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		format := regexp.MustCompile(`^\d{8}-\d{5}$`)
		last := ""
		for rows.Next() {
			var code string
			rows.Scan(&code)
			if !format.MatchString(code) || code <= last {
				t.Fatalf("code %q after %q", code, last)
			}
			last = code
			var n int
			if err := d.QueryRow(ctx, "SELECT n FROM problem_seq WHERE day = ?", code[:8]).Scan(&n); err != nil || fmt.Sprintf("%05d", n) < code[9:] {
				t.Fatalf("problem_seq for %s: %d %v", code, n, err)
			}
		}
	})

	t.Run("located in their grid", func(t *testing.T) {
		ix, err := geo.LoadIndex(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := d.Query(ctx, "SELECT code, lng, lat, region_code FROM problem")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var code, region string
			var p geo.Point
			if err := rows.Scan(&code, &p.Lng, &p.Lat, &region); err != nil {
				t.Fatal(err)
			}
			if got, ok := ix.Locate(p); !ok || got != region {
				t.Fatalf("%s at %v: located in %q, region %s", code, p, got, region)
			}
		}
	})

	t.Run("foreign keys", func(t *testing.T) {
		if d.Dialect() != db.SQLite {
			t.Skip("PostgreSQL checked every row as it was written")
		}
		rows, err := d.Query(ctx, "PRAGMA foreign_key_check")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if rows.Next() {
			var table, parent string
			var rowid, fk sql.NullInt64
			rows.Scan(&table, &rowid, &parent, &fk)
			t.Fatalf("foreign key broken: %s row %v → %s", table, rowid.Int64, parent)
		}
	})

	t.Run("ledger and KPIs", func(t *testing.T) { checkLedger(t, d, rep) })

	t.Run("report continues the numbering", func(t *testing.T) { checkNewReport(t, d, rep) })

	t.Run("complete and refused twice", func(t *testing.T) {
		got, ok, err := synth.ReadReport(ctx, d)
		if err != nil || !ok || got.Problems != rep.Problems || got.Options.Seed != o.Seed {
			t.Fatalf("stored report: %+v %v %v", got, ok, err)
		}
		if _, err := synth.Generate(ctx, d, o); !errors.Is(err, synth.ErrNotEmpty) {
			t.Fatalf("second generation: %v", err)
		}
	})
}

// checkTimelines replays every case's events through the life cycle and
// compares the end with the row.
func checkTimelines(t *testing.T, d *db.DB, rep synth.Report) {
	ctx := context.Background()
	type row struct {
		id                                          int64
		state                                       problem.State
		unit, deadline, closed, rectifiedBy, dupOf  sql.NullInt64
		rework, returns, extensions, level, version int
		route                                       string
	}
	rows, err := d.Query(ctx, `SELECT id, state, unit_id, deadline, closed_at, rectified_by, duplicate_of, rework_count,
		return_count, extension_count, escalation_level, version, route_note FROM problem ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[int64]*row{}
	var order []int64
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.state, &r.unit, &r.deadline, &r.closed, &r.rectifiedBy, &r.dupOf, &r.rework, &r.returns,
			&r.extensions, &r.level, &r.version, &r.route); err != nil {
			t.Fatal(err)
		}
		cases[r.id] = &r
		order = append(order, r.id)
	}
	rows.Close()
	unitOf := map[int64]int64{}
	urows, err := d.Query(ctx, "SELECT id, unit_id FROM app_user")
	if err != nil {
		t.Fatal(err)
	}
	for urows.Next() {
		var u, unit int64
		urows.Scan(&u, &unit)
		unitOf[u] = unit
	}
	urows.Close()

	type ev struct {
		at       int64
		actor    sql.NullInt64
		action   problem.Action
		from, to problem.State
		data     string
	}
	timelines := map[int64][]ev{}
	erows, err := d.Query(ctx, "SELECT problem_id, at, actor_id, action, from_state, to_state, data FROM problem_event ORDER BY problem_id, id")
	if err != nil {
		t.Fatal(err)
	}
	for erows.Next() {
		var pid int64
		var e ev
		if err := erows.Scan(&pid, &e.at, &e.actor, &e.action, &e.from, &e.to, &e.data); err != nil {
			t.Fatal(err)
		}
		timelines[pid] = append(timelines[pid], e)
	}
	erows.Close()

	bad := 0
	fail := func(id int64, format string, args ...any) {
		bad++
		if bad <= 10 {
			t.Errorf("case %d: "+format, append([]any{id}, args...)...)
		}
	}
	for _, id := range order {
		c, evs := cases[id], timelines[id]
		if len(evs) == 0 || evs[0].action != problem.ActReport || evs[0].to != problem.Reported {
			fail(id, "timeline does not start with a report")
			continue
		}
		state, level, version := problem.Reported, 0, 1
		var unit, rectifier int64
		var reworks, returns, extensions int
		lastMove := evs[0].action
		for i, e := range evs[1:] {
			if e.at < evs[i].at {
				fail(id, "%s at %d before the event before it", e.action, e.at)
			}
			if e.from != state {
				fail(id, "%s from %s, but the case was %s", e.action, e.from, state)
			}
			var data problem.EventData
			if err := json.Unmarshal([]byte(e.data), &data); err != nil {
				fail(id, "%s data %q: %v", e.action, e.data, err)
			}
			if e.action == problem.ActEscalate {
				if e.to != state || (state != problem.Dispatched && state != problem.InProgress) || data.Level <= level || e.actor.Valid {
					fail(id, "escalation to %d in %s (level %d)", data.Level, state, level)
				}
				level = data.Level
				version++
				continue
			}
			to, ok := problem.Allowed(e.action, state)
			if !ok || to != e.to {
				fail(id, "%s from %s to %s is not a legal move", e.action, state, e.to)
			}
			switch e.action {
			case problem.ActDispatch:
				unit, level = data.UnitID, 0
				if data.UnitName == "" || data.Deadline <= e.at {
					fail(id, "dispatch data %s", e.data)
				}
			case problem.ActReturn:
				unit = 0
				returns++
			case problem.ActApproveExtension:
				level = 0
				extensions++
			case problem.ActResume:
				level = 0
			case problem.ActVerifyFail:
				level = 0
				reworks++
			case problem.ActAccept, problem.ActRectify, problem.ActRequestExtension, problem.ActPark:
				// The unit's own handler.
				if !e.actor.Valid || unitOf[e.actor.Int64] != unit {
					fail(id, "%s by user %v, not of unit %d", e.action, e.actor.Int64, unit)
				}
				if e.action == problem.ActRectify {
					rectifier = e.actor.Int64
				}
			case problem.ActFixOnSpot:
				rectifier = e.actor.Int64
			case problem.ActVerifyPass:
				if e.actor.Int64 == rectifier {
					fail(id, "verified by the rectifier")
				}
			}
			state, lastMove = to, e.action
			version++
		}
		switch {
		case state != c.state:
			fail(id, "timeline ends %s, row says %s", state, c.state)
		case c.state == problem.Closed && lastMove != problem.ActVerifyPass:
			fail(id, "closed by %s", lastMove)
		case c.state == problem.Rectified && lastMove != problem.ActRectify && lastMove != problem.ActFixOnSpot:
			fail(id, "rectified by %s", lastMove)
		case c.closed.Valid != (c.state == problem.Closed):
			fail(id, "closed_at %v in state %s", c.closed, c.state)
		case c.state == problem.Duplicate && !c.dupOf.Valid:
			fail(id, "duplicate of nothing")
		case c.unit.Int64 != unit:
			fail(id, "unit %d, timeline says %d", c.unit.Int64, unit)
		case unit != 0 && (!c.deadline.Valid || c.route == ""):
			fail(id, "dispatched without deadline or route note")
		case c.rework != reworks || c.returns != returns || c.extensions != extensions:
			fail(id, "counts %d/%d/%d, timeline %d/%d/%d", c.rework, c.returns, c.extensions, reworks, returns, extensions)
		case c.level != level:
			fail(id, "escalation level %d, timeline %d", c.level, level)
		case c.version != version:
			fail(id, "version %d, timeline %d", c.version, version)
		case c.rectifiedBy.Int64 != rectifier:
			fail(id, "rectified_by %d, timeline %d", c.rectifiedBy.Int64, rectifier)
		}
	}
	if bad > 0 {
		t.Errorf("%d inconsistencies", bad)
	}
}

// checkLedger reads the generated ledger through problem.Store as the
// office of the district.
func checkLedger(t *testing.T, d *db.DB, rep synth.Report) {
	ctx := context.Background()
	end := rep.Options.End
	store := &problem.Store{DB: d, Now: func() time.Time { return end }}
	office := actor(t, d, synth.UserOffice)
	cases, total, err := store.List(ctx, office, problem.Filter{Limit: 20})
	if err != nil || total != rep.Problems || len(cases) != 20 {
		t.Fatalf("ledger: %d of %d, %v", len(cases), total, err)
	}
	if cases[0].ReportedAt.Before(cases[19].ReportedAt) || cases[0].UnitName == "" && cases[0].State != problem.Reported {
		t.Errorf("newest first: %+v", cases[0])
	}
	for _, tc := range []struct {
		name string
		f    problem.Filter
		want int
	}{
		{"in progress", problem.Filter{States: []problem.State{problem.InProgress}}, rep.States[problem.InProgress]},
		{"overdue", problem.Filter{Overdue: true}, rep.Overdue},
		{"street", problem.Filter{Region: "410411001"}, count(t, d, "SELECT COUNT(*) FROM problem WHERE substr(region_code, 1, 9) = '410411001'")},
		{"text", problem.Filter{Text: "井盖"}, count(t, d, "SELECT COUNT(*) FROM problem WHERE description LIKE '%井盖%'")},
	} {
		_, n, err := store.List(ctx, office, tc.f)
		if err != nil || n != tc.want || n == 0 {
			t.Errorf("%s: %d cases, want %d (%v)", tc.name, n, tc.want, err)
		}
	}
	hours := hoursOf(t, d)
	k, err := store.KPIs(ctx, office, problem.Filter{}, rep.Start, end, hours)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("district KPIs: %+v closure %.3f on time %.3f rework %.3f extension %.3f return %.3f",
		k, k.ClosureRate(), k.OnTimeRate(), k.ReworkRate(), k.ExtensionRate(), k.ReturnRate())
	if k.Filed < rep.Problems*9/10 || k.ClosureRate() < 0.7 || k.ClosureRate() > 0.95 || k.OnTimeRate() < 0.55 ||
		k.ReworkRate() <= 0 || k.ReworkRate() > 0.2 || k.ReturnRate() <= 0 || k.MeanHandlingHours <= 0 || k.Overdue != rep.Overdue {
		t.Errorf("implausible district KPIs: %+v", k)
	}
	street, err := store.KPIs(ctx, office, problem.Filter{Region: "410411001"}, rep.Start, end, hours)
	if err != nil || street.Filed == 0 || street.Filed >= k.Filed {
		t.Errorf("street KPIs: %+v %v", street, err)
	}
}

// checkNewReport reports a case through problem.Store, wired as the
// server wires it, on the last generated day: its number must follow the
// generated ones, and routing must send it where the generator sent its
// neighbours.
func checkNewReport(t *testing.T, d *db.DB, rep synth.Report) {
	ctx := context.Background()
	ix, err := geo.LoadIndex(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	cats := category.New(d)
	at := rep.Options.End.Add(-time.Hour)
	store := &problem.Store{DB: d, Now: func() time.Time { return at }, Categories: categories{cats},
		Clock: clock{hoursOf(t, d).cal}, Router: &routing.Store{DB: d, Owners: owners{cats}, Now: time.Now}, Locator: locator{ix}}
	var catID, unit int64
	var region, lastCode string
	var lng, lat float64
	if err := d.QueryRow(ctx, `SELECT p.category_id, p.unit_id, p.region_code, p.lng, p.lat FROM problem p
		WHERE p.route_note LIKE 'territorial|%' ORDER BY p.id DESC LIMIT 1`).Scan(&catID, &unit, &region, &lng, &lat); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRow(ctx, "SELECT MAX(code) FROM problem").Scan(&lastCode); err != nil {
		t.Fatal(err)
	}
	office := actor(t, d, synth.UserOffice)
	c, err := store.Report(ctx, office, problem.ReportInput{Source: problem.SourceHotline, CategoryID: catID,
		Description: "测试上报", Lng: lng, Lat: lat, HasPlace: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.Code <= lastCode || c.RegionCode != region {
		t.Errorf("new case %s in %s after %s in %s", c.Code, c.RegionCode, lastCode, region)
	}
	if _, err := store.Move(ctx, office, c.ID, problem.MoveInput{Action: problem.ActFile}); err != nil {
		t.Fatal(err)
	}
	c, err = store.Move(ctx, office, c.ID, problem.MoveInput{Action: problem.ActDispatch})
	if err != nil || c.UnitID != unit {
		t.Errorf("dispatched to %d, the generator chose %d (%v)", c.UnitID, unit, err)
	}
}

// The adapters server.New puts between the ledger and the other stores.
type categories struct{ store *category.Store }

func (c categories) Category(ctx context.Context, id int64) (problem.CategoryInfo, error) {
	sub, err := c.store.Get(ctx, id)
	return problem.CategoryInfo{ID: sub.ID, Name: sub.Name, LimitAmount: sub.Limit.Amount, LimitUnit: string(sub.Limit.Unit),
		Active: sub.Usable()}, err
}

type clock struct{ cal *calendar.Calendar }

func (c clock) Deadline(_ context.Context, start time.Time, amount int, unit string) (time.Time, error) {
	return c.cal.Deadline(start, amount, calendar.Unit(unit)), nil
}

type locator struct{ ix *geo.Index }

func (l locator) Locate(_ context.Context, lng, lat float64) (string, bool, error) {
	code, ok := l.ix.Locate(geo.Point{Lng: lng, Lat: lat})
	return code, ok, nil
}

func (l locator) InChina(lng, lat float64) bool { return geo.InChina(geo.Point{Lng: lng, Lat: lat}) }

// TestDeterministic generates the same city twice and compares digests.
func TestDeterministic(t *testing.T) {
	o := tiny()
	o.Problems, o.Grids = 500, 120
	var sums []string
	for range 2 {
		d, _ := generate(t, o)
		h := sha256.New()
		for _, q := range []string{
			"SELECT code, state, region_code, lng, lat, unit_id, deadline, reported_at, closed_at, description FROM problem ORDER BY id",
			"SELECT problem_id, at, actor_id, action, note, data FROM problem_event ORDER BY id",
			"SELECT code, boundary FROM region WHERE level = 6 ORDER BY code",
		} {
			rows, err := d.Query(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				rows.Scan(ptrs...)
				fmt.Fprintln(h, vals...)
			}
			rows.Close()
		}
		sums = append(sums, hex.EncodeToString(h.Sum(nil)))
	}
	if sums[0] != sums[1] {
		t.Fatalf("two runs differ: %s %s", sums[0], sums[1])
	}
}

func actor(t *testing.T, d *db.DB, username string) access.Actor {
	t.Helper()
	var id int64
	if err := d.QueryRow(context.Background(), "SELECT id FROM app_user WHERE username = ?", username).Scan(&id); err != nil {
		t.Fatal(err)
	}
	a, _, err := org.New(d).Actor(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// hours counts working hours on the stored calendar, as the server does.
type hours struct{ cal *calendar.Calendar }

func (h hours) WorkingHours(_ context.Context, from, to time.Time) (float64, error) {
	return h.cal.WorkingHoursBetween(from, to), nil
}

func hoursOf(t testing.TB, d *db.DB) hours {
	t.Helper()
	cal, err := calendar.New(d).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return hours{cal}
}

// TestOpenCached builds a small city once, finds it again, and replaces
// it when the day changes.
func TestOpenCached(t *testing.T) {
	ctx := context.Background()
	t.Setenv("TMPDIR", t.TempDir()) // os.TempDir, where SQLite caches go
	dsn := os.Getenv(dbtest.EnvPostgres)
	o := tiny()
	o.Problems, o.Grids = 300, 110
	key, err := synth.CacheKey(o)
	if err != nil {
		t.Fatal(err)
	}
	if dsn != "" {
		t.Cleanup(func() { dropSchemas(t, dsn, key) })
	}
	d, rep, err := synth.OpenCached(ctx, dsn, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, "INSERT INTO setting (name, value) VALUES ('bench.mark', 'x')"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d, again, err := synth.OpenCached(ctx, dsn, o)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, "SELECT COUNT(*) FROM setting WHERE name = 'bench.mark'"); n != 1 || again.Took != rep.Took {
		t.Errorf("the cached city was built again")
	}
	d.Close()

	next := o
	next.End = o.End.AddDate(0, 0, 1)
	nextKey, _ := synth.CacheKey(next)
	if nextKey == key {
		t.Fatalf("one key %s for two days", key)
	}
	if dsn != "" {
		t.Cleanup(func() { dropSchemas(t, dsn, nextKey) })
	}
	d, _, err = synth.OpenCached(ctx, dsn, next)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, "SELECT COUNT(*) FROM setting WHERE name = 'bench.mark'"); n != 0 {
		t.Errorf("another day's city is the old one")
	}
	d.Close()
	if dsn == "" {
		old, _ := filepath.Glob(filepath.Join(os.TempDir(), "wenming-synth", key+"*"))
		if len(old) != 0 {
			t.Errorf("yesterday's city is still there: %v", old)
		}
	} else if n := count(t, d0(t, dsn), "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", "synth_"+key); n != 0 {
		t.Errorf("yesterday's city is still there")
	}
}

// d0 is the PostgreSQL database the cache schemas live in.
func d0(t *testing.T, dsn string) *db.DB {
	d, err := db.Open(context.Background(), db.Options{PostgresURL: dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// dropSchemas removes the cache schema of key, if a test left it.
func dropSchemas(t *testing.T, dsn, key string) {
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Log(err)
		return
	}
	defer admin.Close()
	if _, err := admin.Exec("DROP SCHEMA IF EXISTS synth_" + key + " CASCADE"); err != nil {
		t.Log(err)
	}
}
