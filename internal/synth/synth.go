// Package synth fills a database with a synthetic city at real scale — the
// demo district 湛河区 (410411) with its real streets and communities, tens
// of thousands of grids with boundaries, hundreds of units, their users,
// the default categories and a year of problems with complete timelines —
// so that benchmarks and load runs measure the platform on the volume a
// city's 创文办 really has. Nothing here is used by the running server.
//
// What the data is (and is not):
//
//   - Grids are geo.SyntheticGrids cells renumbered under the 104 real
//     communities: consecutive cells (spatially close) share a community.
//   - Units: the demo's district as internal/demo defines it for both
//     generators (demo.CoreUnits: the city's and the district's offices,
//     the district government, a department for each line of org.Lines
//     but "other"; demo.TerritorialUnits: the 10 street offices and 104
//     community committees), so demo.Load finds them, then sponsor units,
//     property companies and grid workstations up to Options.Units (none
//     of which routing picks). They are written through org.SeedUnits, the
//     grids through region.SeedGrids and the cases through
//     problem.BulkWriter. Every street, community and department has a
//     handler; inspectors and three office users act for the office.
//   - Each case follows the real life cycle (problem.Allowed holds for
//     every event) and its row is derived from its events exactly as
//     problem.Store.Move would set it. The unit is the one routing.Store
//     decides for the category at the case's community (rules included),
//     except after a return, when the office redispatches by hand.
//   - Deadlines are computed on the real working calendar
//     (calendar.Calendar.Deadline, built-in holidays and working hours),
//     from the dispatch time; escalation events fall where the escalation
//     job would have raised them (a few minutes after the deadline, and
//     after twice the limit for red).
//   - The state mix at End is fixed (75% closed, 8% in progress, 4%
//     dispatched, 3% rectified, 2% parked, 3% reported, 2% filed, 2%
//     rejected, 1% merged). Each case's life is played in full; a closed
//     one is placed so that it ended before End, an open one so that End
//     falls at a random point of its stay in its state. Open cases are
//     therefore recent (as long as the waits that keep them open), and the
//     last weeks hold more reports than an average month.
//   - Waits are wall-clock times drawn from mixtures (most short, a few
//     long), so people sometimes act at night or on a day off; only the
//     deadlines and escalations follow the working calendar.
//   - No photos: rectify and fix-on-spot events carry none, although the
//     live system requires them. Notifications and outbox messages are not
//     generated either.
//   - Deterministic: the same Options (Seed and End included) give the
//     same rows, whatever the machine.
package synth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/setting"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/problem"
)

// Options say how big a city to generate.
type Options struct {
	Seed     int64
	Problems int // cases in the ledger
	Grids    int // level-6 regions with boundaries, at most 999 per community
	Units    int // total units; the 131 the structure needs are made even if fewer are asked for
	Months   int // the cases' reports are spread over this many months before End
	// End is when the generated history stops: no event is later. Zero
	// means the start of the current day in Asia/Shanghai, so that "today"
	// in the application follows the data.
	End time.Time
	// Progress, when set, is told how far each stage has come, from one
	// goroutine at a time.
	Progress func(stage string, done, total int) `json:"-"`
}

// DefaultOptions is a city of real size: a million cases over a year in
// 20,000 grids, handled by 500 units.
func DefaultOptions() Options {
	return Options{Seed: 1, Problems: 1_000_000, Grids: 20_000, Units: 500, Months: 12}
}

// The stages reported through Options.Progress.
const (
	StageRegions  = "regions"
	StageGrids    = "grids"
	StageUnits    = "units"
	StagePlan     = "plan"     // timing every case, before numbering them
	StageProblems = "problems" // writing cases and events
	StageTally    = "tally"    // the ledger's pre-aggregated counts
	StageSearch   = "search"   // the ledger's text search index
	StageAnalyze  = "analyze"
)

// Accounts of the generated city. They all share Password, so that
// benchmarks can sign in; generate only into databases that nobody uses
// for real work (Generate refuses a database that already has cases).
const (
	Password      = "wenming-synth-2026"
	UserAdmin     = "synth-admin"
	UserOffice    = "synth-office" // 区创文办, the office of district 410411
	UserLeader    = "synth-leader"
	UserInspector = "synth-insp-01"
)

// District is the code of the generated district.
const District = "410411"

// Report says what Generate made.
type Report struct {
	Options    Options               // as used, End resolved
	Start      time.Time             // earliest possible report time
	Grids      int                   // grids created
	Units      int                   // units in the database after generation
	Users      int                   // users created
	Categories int                   // active sub-categories used
	Problems   int                   // cases written
	Events     int                   // timeline events written
	States     map[problem.State]int // cases per final state
	Overdue    int                   // open cases past their deadline at End
	Escalated  int                   // cases with an escalation level > 0
	Stages     map[string]Duration   // wall time per stage
	Took       Duration              // wall time of the whole generation
	Extra      map[string]int        // further counts: returns, extensions, reworks, parks …
}

// Duration is a time.Duration that reads well in JSON and logs.
type Duration time.Duration

// MarshalText writes the duration as "1m2.5s".
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(time.Duration(d).Round(time.Millisecond).String()), nil
}

// UnmarshalText reads what MarshalText wrote.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	*d = Duration(v)
	return err
}

func (d Duration) String() string { return time.Duration(d).Round(time.Millisecond).String() }

// settingReport names the setting row that Generate writes last: its
// presence says the city is complete, and it holds the Report.
const settingReport = "synth.report"

// ErrNotEmpty is returned when the database already holds cases or grids
// of the district, which Generate would collide with.
var ErrNotEmpty = errors.New("synth: database already holds cases or grids of district " + District)

// Generate builds the city on a migrated database. It is meant for an
// empty one: the demo district's regions and units may be there already
// (they are reused by code), but cases or grids under 410411 are not.
func Generate(ctx context.Context, d *db.DB, opts Options) (Report, error) {
	began := time.Now()
	opts, err := resolve(opts)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Options: opts, States: map[problem.State]int{}, Stages: map[string]Duration{}, Extra: map[string]int{}}
	rep.Options.Progress = nil
	rep.Start = startOf(opts)
	if err := checkEmpty(ctx, d); err != nil {
		return rep, err
	}
	stage := func(name string, fn func() error) error {
		t := time.Now()
		if err := fn(); err != nil {
			return fmt.Errorf("synth %s: %w", name, err)
		}
		rep.Stages[name] = Duration(time.Since(t))
		return nil
	}
	c := &city{db: d, opts: opts}
	if err := stage(StageRegions, func() error { return c.loadRegions(ctx) }); err != nil {
		return rep, err
	}
	if err := stage(StageGrids, func() error { return c.makeGrids(ctx, &rep) }); err != nil {
		return rep, err
	}
	if err := stage(StageUnits, func() error { return c.makeOrg(ctx, &rep) }); err != nil {
		return rep, err
	}
	if err := stage("calendar", func() error {
		var err error
		c.cal, err = calendar.New(d).Load(ctx)
		return err
	}); err != nil {
		return rep, err
	}
	if err := stage("categories", func() error { return c.loadCategories(ctx, &rep) }); err != nil {
		return rep, err
	}
	if err := stage("routing", func() error { return c.routeAll(ctx) }); err != nil {
		return rep, err
	}
	c.timeline = newTimeline(rep.Start, opts.End, c.cal)
	c.states, c.sources = newChooser(stateMix()), newChooser(sourceMix())
	c.phrases = catPhrases(c.cats)
	var plan []planned
	if err := stage(StagePlan, func() error {
		var err error
		plan, err = c.plan(ctx)
		return err
	}); err != nil {
		return rep, err
	}
	if err := stage(StageProblems, func() error { return c.writeCases(ctx, plan, &rep) }); err != nil {
		return rep, err
	}
	// The rows went in around the store: the tally (and the handling
	// hours it sums) is built from them once, as after an upgrade.
	if err := stage(StageTally, func() error {
		ps := &problem.Store{DB: d, Now: func() time.Time { return opts.End }, Clock: CalendarClock{Calendar: c.cal}}
		return ps.RebuildTally(ctx)
	}); err != nil {
		return rep, err
	}
	if err := stage(StageSearch, func() error {
		ps := &problem.Store{DB: d, Now: func() time.Time { return opts.End }}
		return ps.RebuildSearch(ctx)
	}); err != nil {
		return rep, err
	}
	if err := stage(StageAnalyze, func() error { return analyze(ctx, d, opts.Progress) }); err != nil {
		return rep, err
	}
	rep.Took = Duration(time.Since(began))
	raw, err := json.Marshal(rep)
	if err != nil {
		return rep, fmt.Errorf("synth: report: %w", err)
	}
	if err := setting.Put(ctx, d, settingReport, string(raw)); err != nil {
		return rep, fmt.Errorf("synth: record report: %w", err)
	}
	return rep, nil
}

// CalendarClock is a loaded working calendar as problem.Store (Clock) and
// the rate computations (problem.HoursCounter) want it, for code that works
// on a database outside the server: the generator and the benchmarks.
type CalendarClock struct{ Calendar *calendar.Calendar }

// Deadline is the deadline of a limit started at start.
func (c CalendarClock) Deadline(_ context.Context, start time.Time, amount int, unit string) (time.Time, error) {
	return c.Calendar.Deadline(start, amount, calendar.Unit(unit)), nil
}

// WorkingHours counts the working hours between from and to.
func (c CalendarClock) WorkingHours(_ context.Context, from, to time.Time) (float64, error) {
	return c.Calendar.WorkingHoursBetween(from, to), nil
}

// ReadReport returns the report a completed Generate stored in d, and false
// when d holds no complete synthetic city.
func ReadReport(ctx context.Context, d *db.DB) (Report, bool, error) {
	raw, err := setting.Get(ctx, d, settingReport)
	if err != nil {
		if errors.Is(err, setting.ErrNotFound) {
			return Report{}, false, nil
		}
		return Report{}, false, fmt.Errorf("synth: read report: %w", err)
	}
	var rep Report
	if err := json.Unmarshal([]byte(raw), &rep); err != nil {
		return Report{}, false, fmt.Errorf("synth: read report: %w", err)
	}
	return rep, true, nil
}

// resolve checks the options and fills End.
func resolve(o Options) (Options, error) {
	switch {
	case o.Problems < 0:
		return o, fmt.Errorf("synth: negative number of problems")
	case o.Grids < 1:
		return o, fmt.Errorf("synth: at least one grid is needed")
	case o.Months < 1:
		return o, fmt.Errorf("synth: at least one month is needed")
	}
	if o.End.IsZero() {
		now := time.Now().In(calendar.Shanghai())
		o.End = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, calendar.Shanghai())
	}
	o.End = o.End.UTC()
	return o, nil
}

func startOf(o Options) time.Time { return o.End.AddDate(0, -o.Months, 0) }

func checkEmpty(ctx context.Context, d *db.DB) error {
	has, err := problem.HasCases(ctx, d)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	if has {
		return ErrNotEmpty
	}
	n, err := region.CountGrids(ctx, d, District, "410412")
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	if n > 0 {
		return ErrNotEmpty
	}
	return nil
}

func (o Options) progress(stage string, done, total int) {
	if o.Progress != nil {
		o.Progress(stage, done, total)
	}
}

// analyzedTables are the tables the generator fills.
func analyzedTables() []string {
	return []string{"region", "unit", "app_user", "user_role", "category_top", "category", "problem", "problem_event", "problem_seq"}
}

// analyze refreshes the planner statistics of the tables just filled.
func analyze(ctx context.Context, d *db.DB, progress func(string, int, int)) error {
	tables := analyzedTables()
	return d.Analyze(ctx, tables, func(n int) {
		if progress != nil {
			progress(StageAnalyze, n, len(tables))
		}
	})
}
