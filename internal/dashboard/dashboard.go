// Package dashboard computes the figures of the dashboard (数据大屏 / 一张图)
// for an actor's scope and a period: the ledger's KPIs, reports and
// closures by day and by week, categories, sources, the units' ranking and
// the latest inspection scores.
//
// The figures come from the ledger's tally (problem_tally: counts per day,
// street and unit kept as cases change) wherever the scope allows, and
// otherwise from aggregate queries (GROUP BY) over the problem rows the
// actor may see, limited as the ledger limits them (see where) and to the
// board's area or unit; a test holds the two ways to the same figures. A
// board never shows more than the ledger would. The one deliberate
// exception is a unit's rank: it is computed among the units of the same
// group in the unit's district, but only the rank and the number of ranked
// units leave this package, never another unit's name or figures.
package dashboard

import (
	"context"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
)

// Store computes boards.
type Store struct {
	Problems    *problem.Store // the ledger: its database, clock and KPIs
	Inspections *inspect.Store // nil: boards carry no inspection scores
	Hours       problem.HoursCounter
	Loc         *time.Location // nil: Asia/Shanghai
	// NoTally computes every figure from the cases, not from the
	// ledger's tally (to compare the two, and to measure).
	NoTally bool
}

// Periods are the lengths, in days, a board may cover; DefaultDays is the
// one it covers when none is asked for.
var Periods = []int{7, 30, 90}

// DefaultDays is the period of a board by default.
const DefaultDays = 30

// ValidDays reports whether n is one of Periods.
func ValidDays(n int) bool {
	for _, p := range Periods {
		if p == n {
			return true
		}
	}
	return false
}

// MinSample is the least number of cases (filed − parked) a unit needs in
// the period to be ranked; fewer, and one case would swing its rates.
const MinSample = 5

// Weeks is how many weeks, this one included, the weekly trend covers (at
// least; a 90-day board covers its whole period).
const Weeks = 12

// TopCategories is how many categories the board names; the rest are
// summed as one.
const TopCategories = 10

// Mode says whose figures a board shows.
type Mode string

// The modes, from the actor's roles.
const (
	ModeAll    Mode = "all"    // administrators: everything
	ModeRegion Mode = "region" // office, leaders, inspectors: the jurisdiction
	ModeUnit   Mode = "unit"   // a unit's handler: the unit's own cases
	ModeOwn    Mode = "own"    // anyone else: the cases the actor reported
)

// Scope is whose figures a board shows.
type Scope struct {
	Mode   Mode   `json:"mode"`
	Region string `json:"region,omitempty"`
	UnitID int64  `json:"unit_id,omitempty"`
	// Units are the unit and the units below it, for a unit that
	// supervises others (a street office and its communities).
	Units []int64 `json:"-"`
	Name  string  `json:"name"` // the region's or the unit's name; "" for everything
}

// ScopeOf is the scope of the actor's board. The office, leaders and
// inspectors see their jurisdiction as the ledger shows it; a handler sees
// its unit's cases only (not the ones it reported for other units).
func ScopeOf(a access.Actor) Scope {
	switch {
	case a.IsAdmin():
		return Scope{Mode: ModeAll}
	case a.HasAny(access.RoleOffice, access.RoleLeader, access.RoleInspector) && a.Region != "":
		return Scope{Mode: ModeRegion, Region: a.Region}
	case a.Has(access.RoleHandler) && a.UnitID != 0:
		sc := Scope{Mode: ModeUnit, UnitID: a.UnitID}
		if problem.SupervisesUnits(a) {
			// Under 属地管理 a street's board counts its communities too,
			// as its ledger lists them.
			sc.Units = append([]int64{a.UnitID}, a.SubUnits...)
		}
		return sc
	}
	return Scope{Mode: ModeOwn}
}

// Filter is the ledger filter that narrows the actor's visible cases to
// the scope (the ledger's own rule does the rest): an area's board counts
// the area's cases, not the ones its office reported elsewhere, which the
// ledger lists too.
func (sc Scope) Filter() problem.Filter {
	if len(sc.Units) > 0 {
		return problem.Filter{Units: sc.Units}
	}
	return problem.Filter{UnitID: sc.UnitID, Region: sc.Region}
}

// Ranks reports whether the board ranks every unit of the scope (in unit
// and own mode it ranks the actor's unit only, or nothing).
func (sc Scope) Ranks() bool { return sc.Mode == ModeAll || sc.Mode == ModeRegion }

// Period is the span a board counts cases in (by filing time): the last
// Days calendar days in Asia/Shanghai, today included, up to now.
type Period struct {
	Days int       `json:"days"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// NewPeriod is the period of days days ending at now.
func NewPeriod(days int, now time.Time, loc *time.Location) Period {
	l := now.In(loc)
	from := time.Date(l.Year(), l.Month(), l.Day()-(days-1), 0, 0, 0, 0, loc)
	return Period{Days: days, From: from, To: l}
}

// Board is everything the dashboard shows.
type Board struct {
	Scope       Scope     `json:"scope"`
	Period      Period    `json:"period"`
	GeneratedAt time.Time `json:"generated_at"`
	KPI         KPI       `json:"kpi"`
	// Daily has one bucket per day of the period; Weekly one per week
	// (Monday to Sunday) of the last Weeks weeks. Reported counts reports
	// by reporting time (merged duplicates left out), Closed closures by
	// closing time.
	Daily  []Bucket `json:"daily"`
	Weekly []Bucket `json:"weekly"`
	// Categories are the TopCategories with most cases filed in the
	// period; OtherCategories counts the rest, so that they and the
	// sources add up to KPI.Filed.
	Categories      []Count `json:"categories"`
	OtherCategories Count   `json:"other_categories"`
	Sources         []Count `json:"sources"`
	MinSample       int     `json:"min_sample"`
	// Ranking groups the units of the scope (ModeAll, ModeRegion);
	// MyRank is a unit's place among its peers (ModeUnit).
	Ranking    []RankGroup `json:"ranking"`
	MyRank     *MyRank     `json:"my_rank"`
	Inspection *Scores     `json:"inspection"`
}

// KPI is problem.KPI with its rates, and the cases open now.
type KPI struct {
	Filed             int     `json:"filed"`
	Closed            int     `json:"closed"`
	ClosedOnTime      int     `json:"closed_on_time"`
	Parked            int     `json:"parked"`
	Dispatched        int     `json:"dispatched"`
	Overdue           int     `json:"overdue"` // open and past deadline now
	Open              int     `json:"open"`    // not closed, rejected or merged, now
	ClosureRate       float64 `json:"closure_rate"`
	OnTimeRate        float64 `json:"on_time_rate"`
	ReworkRate        float64 `json:"rework_rate"`
	ExtensionRate     float64 `json:"extension_rate"`
	ReturnRate        float64 `json:"return_rate"`
	MeanHandlingHours float64 `json:"mean_handling_hours"`
	Handled           int     `json:"handled"`
}

func kpiOf(k problem.KPI) KPI {
	return KPI{Filed: k.Filed, Closed: k.Closed, ClosedOnTime: k.ClosedOnTime, Parked: k.Parked, Dispatched: k.Dispatched,
		Overdue: k.Overdue, ClosureRate: k.ClosureRate(), OnTimeRate: k.OnTimeRate(), ReworkRate: k.ReworkRate(),
		ExtensionRate: k.ExtensionRate(), ReturnRate: k.ReturnRate(), MeanHandlingHours: k.MeanHandlingHours, Handled: k.Handled}
}

// Bucket is one day or week of the trend; Day is its first day.
type Bucket struct {
	Day      string `json:"day"` // YYYY-MM-DD, Asia/Shanghai
	Reported int    `json:"reported"`
	Closed   int    `json:"closed"`
}

// Count is the cases filed in the period with one category or source.
type Count struct {
	Key    string `json:"key"`  // category id or source
	Name   string `json:"name"` // the category's name; sources are named by the web layer
	Filed  int    `json:"filed"`
	Closed int    `json:"closed"`
}

// RankGroup is the ranking of one group of units (departments, streets,
// communities …).
type RankGroup struct {
	Key   string    `json:"key"`
	Name  string    `json:"name"` // filled by the web layer
	Units []UnitRow `json:"units"`
}

// UnitRow is one unit's figures in the period. Rank is 0 when the unit has
// fewer than MinSample cases; equal rates share a rank.
type UnitRow struct {
	Rank         int     `json:"rank"`
	ID           int64   `json:"id"`
	Name         string  `json:"name"`
	Filed        int     `json:"filed"`
	Closed       int     `json:"closed"`
	ClosedOnTime int     `json:"closed_on_time"`
	Parked       int     `json:"parked"`
	ClosureRate  float64 `json:"closure_rate"`
	OnTimeRate   float64 `json:"on_time_rate"`
	group        string
}

// MyRank is a unit's place among the units of its group in its district:
// its own figures, its rank (0: fewer than MinSample cases) and how many
// units are ranked. Nothing about the other units.
type MyRank struct {
	Group        string  `json:"group"`
	GroupName    string  `json:"group_name"` // filled by the web layer
	Rank         int     `json:"rank"`
	Of           int     `json:"of"`
	Filed        int     `json:"filed"`
	Closed       int     `json:"closed"`
	ClosedOnTime int     `json:"closed_on_time"`
	Parked       int     `json:"parked"`
	ClosureRate  float64 `json:"closure_rate"`
	OnTimeRate   float64 `json:"on_time_rate"`
}

// Scores are the latest inspection round's average score rates by site
// type and by street, with the previous round's beside them.
type Scores struct {
	PlanID       int64        `json:"plan_id"`
	PlanName     string       `json:"plan_name"`
	EndsOn       string       `json:"ends_on"`
	Overall      float64      `json:"overall"`
	Rated        int          `json:"rated"`
	Sites        int          `json:"sites"`
	PreviousName string       `json:"previous_name,omitempty"`
	ByType       []ScoreGroup `json:"by_type"`
	ByStreet     []ScoreGroup `json:"by_street"`
}

// ScoreGroup is the mean score rate (0–1) of a group's rated sites.
type ScoreGroup struct {
	Key      string   `json:"key"`
	Name     string   `json:"name"`
	Sites    int      `json:"sites"`
	Rated    int      `json:"rated"`
	Mean     float64  `json:"mean"`
	Previous *float64 `json:"previous"` // null when the previous round did not rate the group
}

func (s *Store) loc() *time.Location {
	if s.Loc != nil {
		return s.Loc
	}
	return calendar.Shanghai()
}

// Board computes the actor's board over the last days days (DefaultDays
// when days is not one of Periods).
func (s *Store) Board(ctx context.Context, a access.Actor, days int) (Board, error) {
	if !a.SignedIn() {
		return Board{}, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	if !ValidDays(days) {
		days = DefaultDays
	}
	now := s.Problems.Now()
	sc := ScopeOf(a)
	b := Board{Scope: sc, Period: NewPeriod(days, now, s.loc()), GeneratedAt: now.In(s.loc()), MinSample: MinSample,
		Categories: []Count{}, Sources: []Count{}}
	var err error
	if b.Scope.Name, err = s.scopeName(ctx, sc); err != nil {
		return b, err
	}
	if ts, ok := tallyScope(sc); ok && !s.NoTally {
		err = s.fromTally(ctx, a, ts, &b, now)
	} else {
		err = s.fromCases(ctx, a, &b, now)
	}
	if err != nil {
		return b, err
	}
	if sc.Mode == ModeUnit {
		if b.MyRank, err = s.myRank(ctx, sc.UnitID, b.Period, now); err != nil {
			return b, err
		}
	}
	if sc.Ranks() && s.Inspections != nil {
		if b.Inspection, err = s.scores(ctx, a); err != nil {
			return b, err
		}
	}
	return b, nil
}

// fromCases fills the board's figures from the cases themselves, for the
// scopes the tally cannot answer (and with NoTally, to compare).
func (s *Store) fromCases(ctx context.Context, a access.Actor, b *Board, now time.Time) error {
	sc := b.Scope
	kpis := s.Problems.KPIs
	if s.NoTally {
		kpis = s.Problems.KPIsFromCases
	}
	k, err := kpis(ctx, a, sc.Filter(), b.Period.From, b.Period.To, s.Hours)
	if err != nil {
		return err
	}
	b.KPI = kpiOf(k)
	q := query{problems: s.Problems, q: problem.BoardQuery{Actor: a, Filter: sc.Filter(), From: b.Period.From, To: b.Period.To,
		Loc: s.loc(), Wide: sc.Ranks()}}
	if b.KPI.Open, err = q.open(ctx); err != nil {
		return err
	}
	if b.Daily, b.Weekly, err = q.trends(ctx); err != nil {
		return err
	}
	bd, err := q.breakdown(ctx)
	if err != nil {
		return err
	}
	b.Categories, b.OtherCategories, b.Sources = bd.categories, bd.other, bd.sources
	if sc.Ranks() {
		b.Ranking = rank(bd.units)
	}
	return nil
}

// scopeName names the scope's region or unit.
func (s *Store) scopeName(ctx context.Context, sc Scope) (string, error) {
	switch sc.Mode {
	case ModeRegion:
		names, err := region.Names(ctx, s.Problems.DB, []string{sc.Region})
		return names[sc.Region], err
	case ModeUnit:
		names, err := org.UnitNames(ctx, s.Problems.DB, []int64{sc.UnitID})
		return names[sc.UnitID], err
	}
	return "", nil
}

// myRank places the unit among the units of its group in its district,
// as the district's leader would see them ranked.
func (s *Store) myRank(ctx context.Context, unitID int64, p Period, now time.Time) (*MyRank, error) {
	infos, err := org.UnitInfos(ctx, s.Problems.DB, []int64{unitID})
	if err != nil {
		return nil, err
	}
	info, ok := infos[unitID]
	if !ok {
		return nil, nil
	}
	me := &MyRank{Group: groupOf(string(info.Kind), info.RegionCode)}
	if info.RegionCode == "" {
		return me, nil // no district to rank in
	}
	district := info.RegionCode[:min(len(info.RegionCode), 6)]
	var rows []UnitRow
	if !s.NoTally {
		if rows, err = s.tallyUnits(ctx, district, problem.DayOf(p.From), problem.DayOf(p.To)); err != nil {
			return nil, err
		}
	} else if rows, err = s.peerUnits(ctx, district, p, now); err != nil {
		return nil, err
	}
	// Only the rank and the count leave this function.
	for _, g := range rank(rows) {
		if g.Key != me.Group {
			continue
		}
		for _, u := range g.Units {
			if u.Rank > 0 {
				me.Of++
			}
			if u.ID == unitID {
				me.Rank, me.Filed, me.Closed, me.ClosedOnTime, me.Parked = u.Rank, u.Filed, u.Closed, u.ClosedOnTime, u.Parked
				me.ClosureRate, me.OnTimeRate = u.ClosureRate, u.OnTimeRate
			}
		}
	}
	return me, nil
}

// peerUnits is the units' figures in the district from the cases, read
// with the district leader's view.
func (s *Store) peerUnits(ctx context.Context, district string, p Period, now time.Time) ([]UnitRow, error) {
	peer := access.Actor{UserID: -1, Username: "dashboard", Region: district, Roles: []access.Role{access.RoleLeader}}
	q := query{problems: s.Problems, q: problem.BoardQuery{Actor: peer, From: p.From, To: p.To, Loc: s.loc(), Wide: true}}
	return q.units(ctx)
}

// scores reads the latest inspection round the actor may read that has
// results, and the round before it in the same area.
func (s *Store) scores(ctx context.Context, a access.Actor) (*Scores, error) {
	if !inspect.MayListPlans(a) {
		return nil, nil
	}
	plans, err := s.Inspections.Plans(ctx, a)
	if err != nil {
		return nil, err
	}
	var latest, previous *inspect.Plan
	for i := range plans { // newest first
		p := &plans[i]
		if p.Done == 0 {
			continue
		}
		if latest == nil {
			latest = p
		} else if p.RegionCode == latest.RegionCode {
			previous = p
			break
		}
	}
	if latest == nil {
		return nil, nil
	}
	res, err := s.Inspections.Results(ctx, a, latest.ID)
	if err != nil {
		return nil, err
	}
	out := &Scores{PlanID: latest.ID, PlanName: latest.Name, EndsOn: latest.EndsOn, Overall: res.Overall.Mean,
		Rated: res.Overall.Rated, Sites: res.Overall.Sites}
	var prev inspect.Results
	if previous != nil {
		if prev, err = s.Inspections.Results(ctx, a, previous.ID); err != nil {
			return nil, err
		}
		out.PreviousName = previous.Name
	}
	out.ByType = scoreGroups(res.ByType, prev.ByType)
	out.ByStreet = scoreGroups(res.ByStreet, prev.ByStreet)
	return out, nil
}

func scoreGroups(cur, prev []inspect.Group) []ScoreGroup {
	before := map[string]float64{}
	for _, g := range prev {
		if g.Rated > 0 {
			before[g.Key] = g.Mean
		}
	}
	out := []ScoreGroup{}
	for _, g := range cur {
		sg := ScoreGroup{Key: g.Key, Name: g.Name, Sites: g.Sites, Rated: g.Rated, Mean: g.Mean}
		if m, ok := before[g.Key]; ok {
			sg.Previous = &m
		}
		if g.Key == "" || (g.Rated == 0 && sg.Previous == nil) {
			continue // sites above street level, or nothing rated in either round
		}
		out = append(out, sg)
	}
	return out
}
