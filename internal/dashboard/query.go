package dashboard

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/problem"
)

// query runs the board's aggregates over the problem rows matching where.
type query struct {
	db     *db.DB
	loc    *time.Location
	period Period
	where  string
	args   []any
	// wide says the scope is a whole area (most cases of the database),
	// so that a selective condition of the query's own should lead.
	wide bool
}

const dayMillis = 24 * 60 * 60 * 1000

// cohort is the condition and arguments of the cases the KPIs count: filed
// in the period, neither rejected nor merged (DESIGN.md's "filed").
func (q query) cohort() (string, []any) {
	args := append(append([]any{}, q.args...), db.Millis(q.period.From), db.Millis(q.period.To),
		string(problem.Rejected), string(problem.Duplicate))
	return q.where + " AND p.filed_at >= ? AND p.filed_at < ? AND p.state NOT IN (?, ?)", args
}

// OpenStates lists the states the board counts as open (and maps): the
// ledger's problem.StillOpen.
func OpenStates() []problem.State { return problem.StillOpen() }

// open counts the cases open now, whenever reported. For a whole area on
// SQLite the open cases are read through the state index first (o) and
// only then matched against the scope (p, the same row): with the scope's
// OR first, SQLite reads every case of the area (10× slower on a city of
// 100,000 cases); CROSS JOIN keeps that order. PostgreSQL finds the state
// index by itself (and the self-join would cost it 10×), and a unit's or a
// reporter's scope is selective enough to lead.
func (q query) open(ctx context.Context) (int, error) {
	var states []any
	open := problem.StillOpen()
	for _, st := range open {
		states = append(states, string(st))
	}
	in := "IN (" + db.Placeholders(len(open)) + ")"
	sqlText := "SELECT COUNT(*) FROM problem p WHERE " + q.where + " AND p.state " + in
	args := append(append([]any{}, q.args...), states...)
	if q.wide && q.db.Dialect().Hints().On() {
		sqlText = "SELECT COUNT(*) FROM problem o CROSS JOIN problem p WHERE p.id = o.id AND o.state " + in + " AND " + q.where
		args = append(append([]any{}, states...), q.args...)
	}
	var n int
	if err := q.db.QueryRow(ctx, sqlText, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("dashboard open cases: %w", err)
	}
	return n, nil
}

// dayIndex numbers the local days since 1970-01-01: the SQL expression
// for a millisecond column, and the Go function. Asia/Shanghai keeps one
// offset all year, so a fixed shift is exact.
func (q query) offsetMillis() int64 {
	_, off := q.period.To.In(q.loc).Zone()
	return int64(off) * 1000
}

func (q query) dayExpr(col string) string {
	return "((" + col + " + " + strconv.FormatInt(q.offsetMillis(), 10) + ") / " + strconv.Itoa(dayMillis) + ")"
}

func (q query) dayOf(t time.Time) int64 { return (db.Millis(t) + q.offsetMillis()) / dayMillis }

func dayString(idx int64) string { return time.Unix(idx*dayMillis/1000, 0).UTC().Format("2006-01-02") }

// monday is the day index of the Monday starting idx's week (day 0, 1970-01-01, was a Thursday).
func monday(idx int64) int64 { return idx - (idx+3)%7 }

// trends counts reports and closures per day over the period and per week
// over the last Weeks weeks (or the period, if longer): two GROUP BY
// queries by day, summed into weeks here.
func (q query) trends(ctx context.Context) (daily, weekly []Bucket, err error) {
	first, last := q.dayOf(q.period.From), q.dayOf(q.period.To)
	weekFirst := min(monday(last)-7*(Weeks-1), monday(first))
	from := time.UnixMilli(weekFirst*dayMillis - q.offsetMillis())
	reported, err := q.perDay(ctx, "p.reported_at", "p.state <> ?", string(problem.Duplicate), from)
	if err != nil {
		return nil, nil, err
	}
	closed, err := q.perDay(ctx, "p.closed_at", "p.state = ?", string(problem.Closed), from)
	if err != nil {
		return nil, nil, err
	}
	daily, weekly = buckets(first, last, weekFirst, reported, closed)
	return daily, weekly, nil
}

// perDay counts the rows whose time column falls on each day from from to
// the period's end.
func (q query) perDay(ctx context.Context, col, cond string, condArg any, from time.Time) (map[int64]int, error) {
	args := append(append([]any{}, q.args...), condArg, db.Millis(from), db.Millis(q.period.To))
	expr := q.dayExpr(col)
	rows, err := q.db.Query(ctx, "SELECT "+expr+", COUNT(*) FROM problem p WHERE "+q.where+" AND "+cond+
		" AND "+col+" >= ? AND "+col+" < ? GROUP BY "+expr, args...)
	if err != nil {
		return nil, fmt.Errorf("dashboard trend: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var d int64
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			return nil, fmt.Errorf("dashboard trend: %w", err)
		}
		out[d] = n
	}
	return out, rows.Err()
}

// sums are the counts of a group of filed cases: all, closed, closed on
// time, parked (DESIGN.md's metric definitions, as problem.Store.KPIs).
const sums = `COUNT(*) AS n,
	COALESCE(SUM(CASE WHEN p.state = 'closed' THEN 1 ELSE 0 END), 0) AS closed,
	COALESCE(SUM(CASE WHEN p.state = 'closed' AND p.deadline IS NOT NULL AND p.closed_at <= p.deadline THEN 1 ELSE 0 END), 0) AS ontime,
	COALESCE(SUM(CASE WHEN p.state = 'parked' THEN 1 ELSE 0 END), 0) AS parked`

// breakdown is the period's filed cases by category, by source and by
// responsible unit, read in one pass (GROUP BY all three) and summed here.
type breakdown struct {
	categories []Count
	other      Count // the categories after the TopCategories
	sources    []Count
	units      []UnitRow
}

func (q query) breakdown(ctx context.Context) (breakdown, error) {
	w, args := q.cohort()
	rows, err := q.db.Query(ctx, `SELECT x.category_id, COALESCE(c.name, ''), x.source, x.unit_id, COALESCE(u.name, ''),
		COALESCE(u.kind, ''), COALESCE(u.region_code, ''), x.n, x.closed, x.ontime, x.parked
		FROM (SELECT COALESCE(p.category_id, 0) AS category_id, p.source AS source, COALESCE(p.unit_id, 0) AS unit_id,
			`+sums+` FROM problem p WHERE `+w+` GROUP BY COALESCE(p.category_id, 0), p.source, COALESCE(p.unit_id, 0)) x
		LEFT JOIN category c ON c.id = x.category_id
		LEFT JOIN unit u ON u.id = x.unit_id`, args...)
	if err != nil {
		return breakdown{}, fmt.Errorf("dashboard breakdown: %w", err)
	}
	defer rows.Close()
	cats, srcs, units := map[int64]*Count{}, map[string]*Count{}, map[int64]*UnitRow{}
	for rows.Next() {
		var catID, unitID int64
		var catName, source, unitName, kind, region string
		var n, closed, onTime, parked int
		if err := rows.Scan(&catID, &catName, &source, &unitID, &unitName, &kind, &region, &n, &closed, &onTime, &parked); err != nil {
			return breakdown{}, fmt.Errorf("dashboard breakdown: %w", err)
		}
		c, ok := cats[catID]
		if !ok {
			c = &Count{Key: strconv.FormatInt(catID, 10), Name: catName}
			cats[catID] = c
		}
		c.Filed, c.Closed = c.Filed+n, c.Closed+closed
		sc, ok := srcs[source]
		if !ok {
			sc = &Count{Key: source}
			srcs[source] = sc
		}
		sc.Filed, sc.Closed = sc.Filed+n, sc.Closed+closed
		if unitID == 0 {
			continue
		}
		u, ok := units[unitID]
		if !ok {
			u = &UnitRow{ID: unitID, Name: unitName, group: groupOf(kind, region)}
			units[unitID] = u
		}
		u.Filed, u.Closed, u.ClosedOnTime, u.Parked = u.Filed+n, u.Closed+closed, u.ClosedOnTime+onTime, u.Parked+parked
	}
	if err := rows.Err(); err != nil {
		return breakdown{}, fmt.Errorf("dashboard breakdown: %w", err)
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
	w, args := q.cohort()
	rows, err := q.db.Query(ctx, `SELECT u.id, u.name, u.kind, COALESCE(u.region_code, ''), x.n, x.closed, x.ontime, x.parked
		FROM (SELECT p.unit_id AS unit_id, `+sums+` FROM problem p WHERE `+w+` AND p.unit_id IS NOT NULL GROUP BY p.unit_id) x
		JOIN unit u ON u.id = x.unit_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("dashboard units: %w", err)
	}
	defer rows.Close()
	var out []UnitRow
	for rows.Next() {
		var u UnitRow
		var kind, region string
		if err := rows.Scan(&u.ID, &u.Name, &kind, &region, &u.Filed, &u.Closed, &u.ClosedOnTime, &u.Parked); err != nil {
			return nil, fmt.Errorf("dashboard units: %w", err)
		}
		u.group = groupOf(kind, region)
		out = append(out, u)
	}
	return out, rows.Err()
}
