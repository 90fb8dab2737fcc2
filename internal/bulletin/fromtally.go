package bulletin

import (
	"context"
	"strconv"

	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/problem"
)

// tallyFromCounters is tally for an area of whole streets (a district, a
// street, the city), read from the ledger's tally instead of the period's
// cases: a few thousand counter rows instead of a week's or a month's
// cases of a city. The figures are the same as counting the cases
// (TestBulletinFromTheTallyEqualsCounting): the tally keeps each unit's
// cases by source, for the weights, and each return under the unit that
// made it. Periods are whole days, as the tally is.
func (s *Store) tallyFromCounters(ctx context.Context, sc Scope, p Period, cfg Config) (*tally, error) {
	t := &tally{bySource: map[string]*problem.KPI{}, byCategory: map[int64]*CategoryRow{}, units: map[int64]*unitTally{}}
	first, last := problem.DayOf(p.Start()), problem.DayOf(p.End())-1
	read := func(dim string, byUnit bool) ([]problem.TallyRow, error) {
		return s.Problems.Tally(ctx, problem.TallyQuery{Scope: problem.TallyScope{Region: sc.Region}, From: first, To: last,
			Dim: dim, ByUnit: byUnit})
	}
	// The figures a case adds to a table (bulletin.count): no handling time.
	figures := func(c problem.Counts) problem.KPI {
		k := c.KPI()
		k.Handled, k.MeanHandlingHours = 0, 0
		return k
	}

	totals, err := read(problem.DimTotal, false)
	if err != nil {
		return nil, err
	}
	var sum problem.Counts
	for _, r := range totals {
		sum.Add(r.Counts)
	}
	t.totals = sum.KPI()
	t.totals.Found = sum.Reported
	if s.Hours == nil {
		t.totals.Handled, t.totals.MeanHandlingHours = 0, 0
	}

	sources, err := read(problem.DimSource, false)
	if err != nil {
		return nil, err
	}
	for _, r := range sources {
		if r.Filed == 0 && r.Reported == 0 {
			continue // a row counted down to nothing
		}
		k := figures(r.Counts)
		k.Found = r.Reported
		t.bySource[r.Key] = &k
	}

	cats, err := read(problem.DimCategory, false)
	if err != nil {
		return nil, err
	}
	var catIDs []int64
	for _, r := range cats {
		if id, _ := strconv.ParseInt(r.Key, 10, 64); id != 0 && r.Filed > 0 {
			catIDs = append(catIDs, id)
			t.byCategory[id] = &CategoryRow{CategoryID: id, Figures: figures(r.Counts)}
		}
	}
	labels, err := category.Labels(ctx, s.DB, catIDs)
	if err != nil {
		return nil, err
	}
	for id, cr := range t.byCategory {
		cr.Name, cr.Top = labels[id].Name, labels[id].Top
	}

	// A unit's cases, by source for the weights.
	units, err := read(problem.DimUnitSource, true)
	if err != nil {
		return nil, err
	}
	for _, r := range units {
		if r.Filed == 0 {
			continue
		}
		u, w, c := t.unit(r.UnitID), cfg.Weight(r.Key), r.Counts
		u.nCases += c.Filed
		u.fig.Filed += c.Filed
		u.fig.Closed += c.Closed
		u.fig.ClosedOnTime += c.ClosedOnTime
		u.fig.Parked += c.Parked
		u.fig.Dispatched += c.Dispatched
		u.fig.Extended += c.Extended
		u.fig.Verifications += c.Verifications
		u.fig.VerifyFailed += c.VerifyFailed
		u.falsified += c.Falsified
		u.w.Filed += w * float64(c.Filed)
		u.w.Closed += w * float64(c.Closed)
		u.w.ClosedOnTime += w * float64(c.ClosedOnTime)
		u.w.Parked += w * float64(c.Parked)
		u.w.Dispatched += w * float64(c.Dispatched)
		u.w.Extended += w * float64(c.Extended)
		u.w.Verifications += w * float64(c.Verifications)
		u.w.VerifyFailed += w * float64(c.VerifyFailed)
		u.w.Falsified += w * float64(c.Falsified)
	}
	// The returns count against the unit that made them.
	returners, err := read(problem.DimReturner, true)
	if err != nil {
		return nil, err
	}
	for _, r := range returners {
		if r.ReturnsMade == 0 && r.UnjustReturns == 0 {
			continue
		}
		u, w, c := t.unit(r.UnitID), cfg.Weight(r.Key), r.Counts
		u.nCases += c.OtherCases
		u.fig.Dispatched += c.OtherDispatched
		u.returned += c.ReturnsMade
		u.unjust += c.UnjustReturns
		u.w.Dispatched += w * float64(c.OtherDispatched)
		u.w.Returned += w * float64(c.ReturnsMade)
		u.w.UnjustifiedReturns += w * float64(c.UnjustReturns)
	}
	for _, u := range t.units {
		u.fig.Returned = u.returned
	}
	return t, nil
}
