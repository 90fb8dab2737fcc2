package problem

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/region"
)

// HoursCounter measures working hours between two times.
type HoursCounter interface {
	WorkingHours(ctx context.Context, from, to time.Time) (float64, error)
}

// KPI holds the figures of DESIGN.md's metric definitions for one scope
// and period (cases counted by filing time). It is the one type the
// ledger, the dashboard and the bulletins count in; a bulletin keeps its
// figures as JSON, hence the tags, which must not change.
type KPI struct {
	Found             int     `json:"found"`          // reported in the period, duplicates excluded (bulletins)
	Filed             int     `json:"filed"`          // filed in the period, rejected and duplicates excluded
	Closed            int     `json:"closed"`         // of those, closed
	ClosedOnTime      int     `json:"closed_on_time"` // closed on or before the deadline
	Parked            int     `json:"parked"`
	Dispatched        int     `json:"dispatched"`
	Extended          int     `json:"extended"` // dispatched cases with an approved extension
	Returned          int     `json:"returned"` // dispatched cases returned by a unit
	Verifications     int     `json:"verifications"`
	VerifyFailed      int     `json:"verify_failed"`
	Overdue           int     `json:"overdue"`             // open and past deadline now, whatever the period
	MeanHandlingHours float64 `json:"mean_handling_hours"` // dispatch to rectified, working hours
	Handled           int     `json:"handled"`             // cases the mean is over
}

// Ratio divides, giving 0 for an empty denominator: every rate of the
// metric definitions is one, weighted or not.
func Ratio(n, d float64) float64 {
	if d <= 0 {
		return 0
	}
	return n / d
}

func ratio(n, d int) float64 { return Ratio(float64(n), float64(d)) }

// ClosureRate is 结案率 = closed / (filed − parked).
func (k KPI) ClosureRate() float64 { return ratio(k.Closed, k.Filed-k.Parked) }

// OnTimeRate is 按期结案率 = closed on or before deadline / (filed − parked).
func (k KPI) OnTimeRate() float64 { return ratio(k.ClosedOnTime, k.Filed-k.Parked) }

// ReworkRate is 返工率 = verifications failed / verifications.
func (k KPI) ReworkRate() float64 { return ratio(k.VerifyFailed, k.Verifications) }

// ExtensionRate is 延期率 per dispatched case.
func (k KPI) ExtensionRate() float64 { return ratio(k.Extended, k.Dispatched) }

// ReturnRate is 退回率 per dispatched case.
func (k KPI) ReturnRate() float64 { return ratio(k.Returned, k.Dispatched) }

// Percent writes a rate as text with one decimal, or a dash when it is
// undefined (its denominator is empty).
func Percent(x float64, defined bool) string {
	if !defined {
		return "—"
	}
	return strconv.FormatFloat(x*100, 'f', 1, 64) + "%"
}

// ClosureText is the closure rate as text, a dash when undefined; so are
// the other …Text methods.
func (k KPI) ClosureText() string { return Percent(k.ClosureRate(), k.Filed-k.Parked > 0) }

// OnTimeText is the on-time rate as text.
func (k KPI) OnTimeText() string { return Percent(k.OnTimeRate(), k.Filed-k.Parked > 0) }

// ReworkText is the rework rate as text.
func (k KPI) ReworkText() string { return Percent(k.ReworkRate(), k.Verifications > 0) }

// ExtensionText is the extension rate as text.
func (k KPI) ExtensionText() string { return Percent(k.ExtensionRate(), k.Dispatched > 0) }

// ReturnText is the return rate as text.
func (k KPI) ReturnText() string { return Percent(k.ReturnRate(), k.Dispatched > 0) }

// KPIs computes the figures for the cases the actor may see that match the
// scope filter (unit, region, category, source) and were filed in [from, to).
// Whole days of an area or a unit are summed from the tally (see
// tallyPlanFor); anything else is counted from the cases.
func (s *Store) KPIs(ctx context.Context, a access.Actor, f Filter, from, to time.Time, hours HoursCounter) (KPI, error) {
	return s.kpis(ctx, a, f, from, to, hours, true)
}

// KPIsFromCases is KPIs counted from the cases only, never from the
// tally: for the tests that hold the two to each other, and to measure.
func (s *Store) KPIsFromCases(ctx context.Context, a access.Actor, f Filter, from, to time.Time, hours HoursCounter) (KPI, error) {
	return s.kpis(ctx, a, f, from, to, hours, false)
}

func (s *Store) kpis(ctx context.Context, a access.Actor, f Filter, from, to time.Time, hours HoursCounter, useTally bool) (KPI, error) {
	if !a.SignedIn() {
		return KPI{}, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	now := s.Now()
	scope := Filter{UnitID: f.UnitID, Below: f.Below, Region: f.Region, CategoryID: f.CategoryID, Categories: f.Categories, Source: f.Source}
	where, args := scope.where(a, now, s.DB.Dialect())
	var k KPI
	var err error
	plan, ok := tallyPlanFor(a, scope, from, to, s.DB.Dialect().Hints())
	if ok = ok && useTally; ok {
		if ok, err = s.wholeDays(ctx, from, to); err != nil {
			return k, err
		}
	}
	if !ok {
		if k, err = s.countKPIs(ctx, where, args, from, to, hours); err != nil {
			return k, err
		}
		k.Overdue, err = s.overdue(ctx, where, args, now)
		return k, err
	}
	if k, err = s.kpisFromTally(ctx, plan, from, to, hours); err != nil {
		return k, err
	}
	// The overdue cases of the area or unit through the state index, and
	// those among the cases seen besides.
	if k.Overdue, err = s.OverdueIn(ctx, plan.scope); err != nil || plan.extra == "" {
		return k, err
	}
	more, err := s.overdue(ctx, plan.extra, plan.extraArgs, now)
	k.Overdue += more
	return k, err
}

// countKPIs counts the figures from the cases matching where, filed in
// [from, to); Overdue is left to the caller.
func (s *Store) countKPIs(ctx context.Context, where string, args []any, from, to time.Time, hours HoursCounter) (KPI, error) {
	var k KPI
	period := where + " AND p.filed_at >= ? AND p.filed_at < ? AND p.state NOT IN (?, ?)"
	pargs := append(append([]any{}, args...), db.Millis(from), db.Millis(to), string(Rejected), string(Duplicate))
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN p.state = 'closed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.state = 'closed' AND p.deadline IS NOT NULL AND p.closed_at <= p.deadline THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.state = 'parked' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.dispatched_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.extension_count > 0 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN p.return_count > 0 THEN 1 ELSE 0 END), 0)
		FROM problem p WHERE `+period, pargs...).
		Scan(&k.Filed, &k.Closed, &k.ClosedOnTime, &k.Parked, &k.Dispatched, &k.Extended, &k.Returned)
	if err != nil {
		return k, fmt.Errorf("kpi counts: %w", err)
	}
	err = s.DB.QueryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN e.action IN ('verify_pass', 'verify_fail') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN e.action = 'verify_fail' THEN 1 ELSE 0 END), 0)
		FROM problem_event e JOIN problem p ON p.id = e.problem_id
		WHERE e.action IN ('verify_pass', 'verify_fail') AND `+period, pargs...).Scan(&k.Verifications, &k.VerifyFailed)
	if err != nil {
		return k, fmt.Errorf("kpi verifications: %w", err)
	}
	if hours == nil {
		return k, nil
	}
	rows, err := s.DB.Query(ctx, "SELECT p.dispatched_at, p.rectified_at FROM problem p WHERE "+period+
		" AND p.dispatched_at IS NOT NULL AND p.rectified_at IS NOT NULL AND p.rectified_at >= p.dispatched_at", pargs...)
	if err != nil {
		return k, fmt.Errorf("kpi handling time: %w", err)
	}
	defer rows.Close()
	var sum float64
	for rows.Next() {
		var d, r int64
		if err := rows.Scan(&d, &r); err != nil {
			return k, fmt.Errorf("kpi handling time: %w", err)
		}
		h, err := hours.WorkingHours(ctx, db.FromMillis(d), db.FromMillis(r))
		if err != nil {
			return k, err
		}
		sum += h
		k.Handled++
	}
	if k.Handled > 0 {
		k.MeanHandlingHours = sum / float64(k.Handled)
	}
	return k, rows.Err()
}

// tallyPlan is how KPIs sums the tally: the rows of one area or unit, and
// the cases the actor also sees outside it (the ones they reported, or
// their unit's outside their area), counted from the cases.
type tallyPlan struct {
	scope     TallyScope
	extra     string // condition of the cases counted besides; "" none
	extraArgs []any
}

// tallyPlanFor decides whether the tally can answer exactly for what the
// actor sees of the filter: no category or source, and a scope whose
// visible part is an area of at most a street's depth or a set of units
// (a unit and those below it), plus what the actor sees besides. (The
// period is wholeDays' question.)
func tallyPlanFor(a access.Actor, f Filter, from, to time.Time, hints db.Hints) (tallyPlan, bool) {
	if f.CategoryID != 0 || len(f.Categories) > 0 || f.Source != "" || !from.Before(to) {
		return tallyPlan{}, false
	}
	regional := a.HasAny(access.RoleOffice, access.RoleLeader, access.RoleInspector) && a.Region != ""
	tree := unitTree(a)
	switch {
	case a.IsAdmin():
		if f.UnitID != 0 && f.Region != "" || f.Below || !TallyUsable(f.Region) {
			return tallyPlan{}, false
		}
		return tallyPlan{scope: TallyScope{Region: f.Region, UnitID: f.UnitID}}, true
	case f.Below:
		// The units below, whose every case a unit's handler or leader sees.
		if f.Region != "" || f.UnitID != 0 && !a.Supervises(f.UnitID) || !unitReader(a) || len(a.SubUnits) == 0 {
			return tallyPlan{}, false
		}
		if f.UnitID != 0 {
			return tallyPlan{scope: TallyScope{UnitID: f.UnitID}}, true
		}
		return tallyPlan{scope: TallyScope{Units: a.SubUnits}}, true
	case f.UnitID != 0:
		// Only the unit's handlers and leaders, and those of the units
		// above it, see every case of it.
		if f.Region != "" || !seesUnit(a, f.UnitID) {
			return tallyPlan{}, false
		}
		return tallyPlan{scope: TallyScope{UnitID: f.UnitID}}, true
	case regional && f.Region != "" && access.InSubtree(f.Region, a.Region):
		// Inside the actor's area they see everything.
		return tallyPlan{scope: TallyScope{Region: f.Region}}, TallyUsable(f.Region)
	case regional && f.Region == "" && TallyUsable(a.Region):
		// The area, and what they reported or their units hold outside it.
		// Region codes are digit strings, so outside the subtree is outside
		// the range, and problem_reporter (reporter_id, region_code) finds
		// those few among the many cases an office enters; the units' term
		// is kept off its index so that SQLite reads the few cases outside
		// the area rather than every case of the units.
		outside := "(p.region_code IS NULL OR "
		var oargs []any
		if hi, bounded := region.NextPrefix(a.Region); bounded {
			outside += "p.region_code < ? OR p.region_code >= ?)"
			oargs = append(oargs, a.Region, hi)
		} else {
			outside += "substr(p.region_code, 1, ?) <> ?)"
			oargs = append(oargs, len(a.Region), a.Region)
		}
		if len(tree) == 0 {
			return tallyPlan{scope: TallyScope{Region: a.Region}, extra: "p.reporter_id = ? AND " + outside,
				extraArgs: append([]any{a.UserID}, oargs...)}, true
		}
		units, uargs := unitInSQL(hints.NoIndex("p.unit_id"), tree)
		args := append(append([]any{a.UserID}, uargs...), oargs...)
		return tallyPlan{scope: TallyScope{Region: a.Region}, extra: "(p.reporter_id = ? OR " + units + ") AND " + outside,
			extraArgs: args}, true
	case len(tree) > 0 && !regional && f.Region == "":
		// The units, and what they reported for other units or none.
		units, uargs := unitInSQL("p.unit_id", tree)
		sc := TallyScope{UnitID: a.UnitID}
		if len(tree) > 1 {
			sc = TallyScope{Units: tree}
		}
		return tallyPlan{scope: sc, extra: "p.reporter_id = ? AND (p.unit_id IS NULL OR NOT " + units + ")",
			extraArgs: append([]any{a.UserID}, uargs...)}, true
	}
	return tallyPlan{}, false
}

// wholeDays reports whether [from, to) holds the same filed cases as the
// tally's days for it, DayOf(from) to lastDay(to): no case was filed on
// from's day before from, nor on the last day from to on (the usual "this
// month up to now" qualifies, and so does any period ending at midnight,
// whatever was filed after it).
func (s *Store) wholeDays(ctx context.Context, from, to time.Time) (bool, error) {
	dayStart := func(t time.Time) int64 { return DayOf(t)*DayMillis - shanghaiOffset }
	f, t := db.Millis(from), db.Millis(to)
	lastEnd := (lastDay(to)+1)*DayMillis - shanghaiOffset
	var n int
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM problem WHERE filed_at >= ? AND filed_at < ? OR filed_at >= ? AND filed_at < ?`,
		dayStart(from), f, t, lastEnd).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("kpi period: %w", err)
	}
	return n == 0, nil
}

// lastDay is the last tally day of [from, to).
func lastDay(to time.Time) int64 {
	if (db.Millis(to)+shanghaiOffset)%DayMillis == 0 {
		return DayOf(to) - 1
	}
	return DayOf(to)
}

// kpisFromTally sums the plan's tally rows over the days of [from, to) and
// adds the cases counted besides.
func (s *Store) kpisFromTally(ctx context.Context, plan tallyPlan, from, to time.Time, hours HoursCounter) (KPI, error) {
	rows, err := s.Tally(ctx, TallyQuery{Scope: plan.scope, From: DayOf(from), To: lastDay(to), Dim: DimTotal})
	if err != nil {
		return KPI{}, err
	}
	var c Counts
	for _, r := range rows {
		c.Add(r.Counts)
	}
	if hours == nil { // as countKPIs: no mean handling time without a calendar
		c.Handled, c.HandlingHours = 0, 0
	}
	k := c.KPI()
	if plan.extra == "" {
		return k, nil
	}
	x, err := s.countKPIs(ctx, plan.extra, plan.extraArgs, from, to, hours)
	if err != nil {
		return k, err
	}
	sum := k.MeanHandlingHours*float64(k.Handled) + x.MeanHandlingHours*float64(x.Handled)
	k.Filed, k.Closed, k.ClosedOnTime, k.Parked = k.Filed+x.Filed, k.Closed+x.Closed, k.ClosedOnTime+x.ClosedOnTime, k.Parked+x.Parked
	k.Dispatched, k.Extended, k.Returned = k.Dispatched+x.Dispatched, k.Extended+x.Extended, k.Returned+x.Returned
	k.Verifications, k.VerifyFailed, k.Handled = k.Verifications+x.Verifications, k.VerifyFailed+x.VerifyFailed, k.Handled+x.Handled
	k.MeanHandlingHours = 0
	if k.Handled > 0 {
		k.MeanHandlingHours = sum / float64(k.Handled)
	}
	return k, nil
}

// overdue counts the cases matching where that are open and past their
// deadline now.
func (s *Store) overdue(ctx context.Context, where string, args []any, now time.Time) (int, error) {
	oargs := append(append([]any{}, args...), string(Filed), string(Dispatched), string(InProgress), db.Millis(now))
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM problem p WHERE "+where+" AND p.state IN (?, ?, ?) AND p.deadline < ?", oargs...).
		Scan(&n); err != nil {
		return 0, fmt.Errorf("kpi overdue: %w", err)
	}
	return n, nil
}
