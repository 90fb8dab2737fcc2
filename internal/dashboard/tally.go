package dashboard

import (
	"context"
	"strconv"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/parallel"
	"github.com/wenming-civic/wenming/internal/problem"
)

// The board from the ledger's tally (problem_tally): the counts kept per
// day, street and unit as cases change, so that a district's board sums a
// few thousand rows instead of reading every case it counts. Only the
// overdue cases are still counted from the cases (overdue depends on the
// hour of asking), and a unit's categories and sources (its own cases are
// few).

// tallyScope is the tally's view of a board's scope, and false when the
// tally cannot answer for it (the cases one reported; an area below a
// street).
func tallyScope(sc Scope) (problem.TallyScope, bool) {
	switch sc.Mode {
	case ModeAll:
		return problem.TallyScope{}, true
	case ModeRegion:
		return problem.TallyScope{Region: sc.Region}, problem.TallyUsable(sc.Region)
	case ModeUnit:
		if len(sc.Units) > 0 {
			return problem.TallyScope{Units: sc.Units}, true
		}
		return problem.TallyScope{UnitID: sc.UnitID}, true
	}
	return problem.TallyScope{}, false
}

// fromTally fills the board's figures from the tally.
func (s *Store) fromTally(ctx context.Context, a access.Actor, ts problem.TallyScope, b *Board, now time.Time) error {
	ps := s.Problems
	first, last := problem.DayOf(b.Period.From), problem.DayOf(b.Period.To)
	sum := func(dim string, byDay, byUnit bool, scope problem.TallyScope, from, to int64) ([]problem.TallyRow, error) {
		return ps.Tally(ctx, problem.TallyQuery{Scope: scope, From: from, To: to, Dim: dim, ByDay: byDay, ByUnit: byUnit})
	}
	weekFirst := min(monday(last)-7*(Weeks-1), monday(first))
	unitScope := ts.UnitID != 0 || len(ts.Units) > 0
	// The sums are independent reads of the tally: side by side, the board
	// waits for the slowest (the 90-day categories), not for all in a row.
	var rows, open, days, cats, srcs []problem.TallyRow
	var overdue int
	var units []UnitRow
	var names map[int64]string
	var bd breakdown
	reads := []func() error{
		func() (err error) { rows, err = sum(problem.DimTotal, false, false, ts, first, last); return },
		func() (err error) { overdue, err = ps.OverdueIn(ctx, ts); return },
		func() (err error) {
			open, err = sum(problem.DimTotal, false, false, ts, problem.OpenDay, problem.OpenDay)
			return
		},
		// Trends: reports and closures per day, summed into weeks.
		func() (err error) { days, err = sum(problem.DimTotal, true, false, ts, weekFirst, last); return },
	}
	if unitScope {
		// A unit's categories and sources from its own cases.
		reads = append(reads, func() (err error) {
			q := query{problems: s.Problems, q: problem.BoardQuery{Actor: a, Filter: b.Scope.Filter(), From: b.Period.From, To: b.Period.To,
				Loc: s.loc()}}
			bd, err = q.breakdown(ctx)
			return
		})
	} else {
		reads = append(reads,
			func() (err error) { cats, err = sum(problem.DimCategory, false, false, ts, first, last); return },
			func() (err error) { names, err = s.categoryNames(ctx); return },
			func() (err error) { srcs, err = sum(problem.DimSource, false, false, ts, first, last); return },
			func() (err error) { units, err = s.tallyUnits(ctx, ts.Region, first, last); return })
	}
	if err := parallel.Do(reads...); err != nil {
		return err
	}
	var total problem.Counts
	for _, r := range rows {
		total.Add(r.Counts)
	}
	k := total.KPI()
	k.Overdue = overdue
	b.KPI = kpiOf(k)
	for _, r := range open {
		b.KPI.Open += r.Open
	}
	reported, closed := map[int64]int{}, map[int64]int{}
	for _, r := range days {
		reported[r.Day] += r.Reported
		closed[r.Day] += r.Closures
	}
	b.Daily, b.Weekly = buckets(first, last, weekFirst, reported, closed)
	if unitScope {
		b.Categories, b.OtherCategories, b.Sources = bd.categories, bd.other, bd.sources
		return nil
	}
	byCat := map[int64]*Count{}
	for _, r := range cats {
		id, _ := strconv.ParseInt(r.Key, 10, 64)
		byCat[id] = &Count{Key: r.Key, Name: names[id], Filed: r.Filed, Closed: r.Closed}
	}
	b.Categories, b.OtherCategories = topCounts(byCat)
	b.Sources = []Count{}
	for _, r := range srcs {
		b.Sources = append(b.Sources, Count{Key: r.Key, Filed: r.Filed, Closed: r.Closed})
	}
	sortCounts(b.Sources)
	b.Ranking = rank(units)
	return nil
}

// tallyUnits is the filed cases by responsible unit in a region (""
// everywhere) over days [first, last], with the units' names and groups.
func (s *Store) tallyUnits(ctx context.Context, region string, first, last int64) ([]UnitRow, error) {
	rows, err := s.Problems.Tally(ctx, problem.TallyQuery{Scope: problem.TallyScope{Region: region}, From: first, To: last,
		Dim: problem.DimTotal, ByUnit: true})
	if err != nil {
		return nil, err
	}
	counts := map[int64]problem.CaseCounts{}
	var ids []int64
	for _, r := range rows {
		if r.Filed == 0 {
			continue // only reports or closures of older cases on these days
		}
		counts[r.UnitID] = problem.CaseCounts{Filed: r.Filed, Closed: r.Closed, ClosedOnTime: r.ClosedOnTime, Parked: r.Parked}
		ids = append(ids, r.UnitID)
	}
	return unitRows(ctx, s.Problems.DB, ids, func(id int64) problem.CaseCounts { return counts[id] })
}

// categoryNames maps category ids to names (a catalogue of tens of rows).
func (s *Store) categoryNames(ctx context.Context) (map[int64]string, error) {
	all, err := category.CodesAndNames(ctx, s.Problems.DB)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(all))
	for _, c := range all {
		out[c.ID] = c.Name
	}
	return out, nil
}

// buckets lays per-day counts out as the period's days and the weeks from
// weekFirst.
func buckets(first, last, weekFirst int64, reported, closed map[int64]int) (daily, weekly []Bucket) {
	daily = make([]Bucket, 0, last-first+1)
	for d := first; d <= last; d++ {
		daily = append(daily, Bucket{Day: dayString(d), Reported: reported[d], Closed: closed[d]})
	}
	for w := weekFirst; w <= last; w += 7 {
		b := Bucket{Day: dayString(w)}
		for d := w; d < w+7; d++ {
			b.Reported += reported[d]
			b.Closed += closed[d]
		}
		weekly = append(weekly, b)
	}
	return daily, weekly
}
