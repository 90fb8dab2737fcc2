package dashboard

import (
	"context"
	"sort"
	"strconv"
	"time"

	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
)

// query is one board's question to the ledger, counted from the cases by
// problem's board API, with the names their owners keep.
type query struct {
	problems *problem.Store
	q        problem.BoardQuery
}

const dayMillis = problem.DayMillis

// OpenStates lists the states the board counts as open (and maps): the
// ledger's problem.StillOpen.
func OpenStates() []problem.State { return problem.StillOpen() }

func (q query) open(ctx context.Context) (int, error) { return q.problems.OpenCount(ctx, q.q) }

// dayOf numbers the local days since 1970-01-01.
func (q query) dayOf(t time.Time) int64 { return (db.Millis(t) + q.q.DayMillisOffset()) / dayMillis }

func dayString(idx int64) string { return time.Unix(idx*dayMillis/1000, 0).UTC().Format("2006-01-02") }

// monday is the day index of the Monday starting idx's week (day 0, 1970-01-01, was a Thursday).
func monday(idx int64) int64 { return idx - (idx+3)%7 }

// trends counts reports and closures per day over the period and per week
// over the last Weeks weeks (or the period, if longer): two GROUP BY
// queries by day, summed into weeks here.
func (q query) trends(ctx context.Context) (daily, weekly []Bucket, err error) {
	first, last := q.dayOf(q.q.From), q.dayOf(q.q.To)
	weekFirst := min(monday(last)-7*(Weeks-1), monday(first))
	from := time.UnixMilli(weekFirst*dayMillis - q.q.DayMillisOffset())
	reported, err := q.problems.PerDay(ctx, q.q, problem.PerDayReported, from)
	if err != nil {
		return nil, nil, err
	}
	closed, err := q.problems.PerDay(ctx, q.q, problem.PerDayClosed, from)
	if err != nil {
		return nil, nil, err
	}
	daily, weekly = buckets(first, last, weekFirst, reported, closed)
	return daily, weekly, nil
}

// breakdown is the period's filed cases by category, by source and by
// responsible unit, read in one pass (GROUP BY all three) and summed here.
type breakdown struct {
	categories []Count
	other      Count // the categories after the TopCategories
	sources    []Count
	units      []UnitRow
}

func (q query) breakdown(ctx context.Context) (breakdown, error) {
	rows, err := q.problems.Breakdown(ctx, q.q)
	if err != nil {
		return breakdown{}, err
	}
	var catIDs, unitIDs []int64
	for _, r := range rows {
		catIDs, unitIDs = append(catIDs, r.CategoryID), append(unitIDs, r.UnitID)
	}
	catNames, err := category.Names(ctx, q.problems.DB, uniq(catIDs))
	if err != nil {
		return breakdown{}, err
	}
	infos, err := org.UnitInfos(ctx, q.problems.DB, uniq(unitIDs))
	if err != nil {
		return breakdown{}, err
	}
	cats, srcs, units := map[int64]*Count{}, map[string]*Count{}, map[int64]*UnitRow{}
	for _, r := range rows {
		c, ok := cats[r.CategoryID]
		if !ok {
			c = &Count{Key: strconv.FormatInt(r.CategoryID, 10), Name: catNames[r.CategoryID]}
			cats[r.CategoryID] = c
		}
		c.Filed, c.Closed = c.Filed+r.Filed, c.Closed+r.Closed
		source := string(r.Source)
		sc, ok := srcs[source]
		if !ok {
			sc = &Count{Key: source}
			srcs[source] = sc
		}
		sc.Filed, sc.Closed = sc.Filed+r.Filed, sc.Closed+r.Closed
		if r.UnitID == 0 {
			continue
		}
		u, ok := units[r.UnitID]
		if !ok {
			info := infos[r.UnitID]
			u = &UnitRow{ID: r.UnitID, Name: info.Name, group: groupOf(string(info.Kind), info.RegionCode)}
			units[r.UnitID] = u
		}
		u.Filed, u.Closed, u.ClosedOnTime, u.Parked = u.Filed+r.Filed, u.Closed+r.Closed, u.ClosedOnTime+r.ClosedOnTime, u.Parked+r.Parked
	}
	var b breakdown
	b.categories, b.other = topCounts(cats)
	b.sources = []Count{}
	for _, c := range srcs {
		b.sources = append(b.sources, *c)
	}
	sortCounts(b.sources)
	for _, u := range units {
		b.units = append(b.units, *u)
	}
	return b, nil
}

// uniq drops zeros and repeats.
func uniq(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := ids[:0:0]
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// sortCounts orders counts by cases filed, most first, then by name and key.
func sortCounts(cs []Count) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Filed != cs[j].Filed {
			return cs[i].Filed > cs[j].Filed
		}
		if cs[i].Name != cs[j].Name {
			return cs[i].Name < cs[j].Name
		}
		return cs[i].Key < cs[j].Key
	})
}

// topCounts keeps the TopCategories largest and sums the rest.
func topCounts(m map[int64]*Count) ([]Count, Count) {
	all := []Count{}
	for _, c := range m {
		all = append(all, *c)
	}
	sortCounts(all)
	other := Count{Key: "other"}
	if len(all) > TopCategories {
		for _, c := range all[TopCategories:] {
			other.Filed += c.Filed
			other.Closed += c.Closed
		}
		all = all[:TopCategories]
	}
	return all, other
}

// units is the period's filed cases by responsible unit only, for a
// unit's rank among its peers.
func (q query) units(ctx context.Context) ([]UnitRow, error) {
	counts, err := q.problems.CountsByUnit(ctx, q.q)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	return unitRows(ctx, q.problems.DB, ids, func(id int64) problem.CaseCounts { return counts[id] })
}

// unitRows names and groups the units with the ids; units no longer there
// are left out, as a join would.
func unitRows(ctx context.Context, c db.Conn, ids []int64, counts func(int64) problem.CaseCounts) ([]UnitRow, error) {
	infos, err := org.UnitInfos(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	out := make([]UnitRow, 0, len(infos))
	for _, id := range ids {
		info, ok := infos[id]
		if !ok {
			continue
		}
		n := counts(id)
		out = append(out, UnitRow{ID: id, Name: info.Name, Filed: n.Filed, Closed: n.Closed, ClosedOnTime: n.ClosedOnTime,
			Parked: n.Parked, group: groupOf(string(info.Kind), info.RegionCode)})
	}
	return out, nil
}
