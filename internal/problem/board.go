package problem

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
)

// The aggregates the dashboard draws when the tally cannot answer (a scope
// that is not a whole area or unit): counted from the cases the actor may
// see that match the filter, by the ledger's own scope rule, so the board
// and the ledger always agree.

// BoardQuery is one board's question to the ledger.
type BoardQuery struct {
	Actor    access.Actor
	Filter   Filter
	From, To time.Time      // the period; the KPIs count cases filed in it
	Loc      *time.Location // the zone whose days the trend counts
	// Wide says the scope is a whole area (most cases of the database),
	// so that a selective condition of the query's own should lead.
	Wide bool
}

// CaseCounts are the counts of a group of filed cases: all, closed,
// closed on time, parked (DESIGN.md's metric definitions, as KPI).
type CaseCounts struct {
	Filed, Closed, ClosedOnTime, Parked int
}

// BreakdownRow is the filed cases of one category, source and unit (0:
// none) in the period.
type BreakdownRow struct {
	CategoryID int64
	Source     Source
	UnitID     int64
	CaseCounts
}

const caseSums = `COUNT(*) AS n,
	COALESCE(SUM(CASE WHEN p.state = 'closed' THEN 1 ELSE 0 END), 0) AS closed,
	COALESCE(SUM(CASE WHEN p.state = 'closed' AND p.deadline IS NOT NULL AND p.closed_at <= p.deadline THEN 1 ELSE 0 END), 0) AS ontime,
	COALESCE(SUM(CASE WHEN p.state = 'parked' THEN 1 ELSE 0 END), 0) AS parked`

func (s *Store) boardWhere(q BoardQuery) (string, []any) {
	return q.Filter.where(q.Actor, s.Now(), s.DB.Dialect())
}

// cohort is the condition and arguments of the cases the KPIs count: filed
// in the period, neither rejected nor merged (DESIGN.md's "filed").
func (s *Store) cohort(q BoardQuery) (string, []any) {
	where, args := s.boardWhere(q)
	return where + " AND p.filed_at >= ? AND p.filed_at < ? AND p.state NOT IN (?, ?)",
		append(args, db.Millis(q.From), db.Millis(q.To), string(Rejected), string(Duplicate))
}

// OpenCount counts the cases open now, whenever reported. For a whole area
// on SQLite the open cases are read through the state index first (o) and
// only then matched against the scope (p, the same row): with the scope's
// OR first, SQLite reads every case of the area (10× slower on a city of
// 100,000 cases); CROSS JOIN keeps that order. PostgreSQL finds the state
// index by itself (and the self-join would cost it 10×), and a unit's or a
// reporter's scope is selective enough to lead.
func (s *Store) OpenCount(ctx context.Context, q BoardQuery) (int, error) {
	if !q.Actor.SignedIn() {
		return 0, nil
	}
	where, wargs := s.boardWhere(q)
	var states []any
	open := StillOpen()
	for _, st := range open {
		states = append(states, string(st))
	}
	in := "IN (" + db.Placeholders(len(open)) + ")"
	sqlText := "SELECT COUNT(*) FROM problem p WHERE " + where + " AND p.state " + in
	args := append(append([]any{}, wargs...), states...)
	if q.Wide && s.DB.Dialect().Hints().On() {
		sqlText = "SELECT COUNT(*) FROM problem o CROSS JOIN problem p WHERE p.id = o.id AND o.state " + in + " AND " + where
		args = append(append([]any{}, states...), wargs...)
	}
	var n int
	if err := s.DB.QueryRow(ctx, sqlText, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("open cases: %w", err)
	}
	return n, nil
}

// DayMillisOffset is the offset of q's zone in milliseconds; day indexes
// are (millis + offset) / DayMillis. Asia/Shanghai keeps one offset all
// year, so a fixed shift is exact.
func (q BoardQuery) DayMillisOffset() int64 {
	_, off := q.To.In(q.Loc).Zone()
	return int64(off) * 1000
}

// Per-day counts the board's trend draws.
const (
	PerDayReported = "reported" // reports, merged ones left out
	PerDayClosed   = "closed"   // closures
)

// PerDay counts, for each local day from from to the period's end, the
// cases reported (PerDayReported) or closed (PerDayClosed) on it, by day
// index.
func (s *Store) PerDay(ctx context.Context, q BoardQuery, what string, from time.Time) (map[int64]int, error) {
	if !q.Actor.SignedIn() {
		return map[int64]int{}, nil
	}
	col, cond, condArg := "p.reported_at", "p.state <> ?", string(Duplicate)
	if what == PerDayClosed {
		col, cond, condArg = "p.closed_at", "p.state = ?", string(Closed)
	}
	where, wargs := s.boardWhere(q)
	args := append(append([]any{}, wargs...), condArg, db.Millis(from), db.Millis(q.To))
	expr := "((" + col + " + " + strconv.FormatInt(q.DayMillisOffset(), 10) + ") / " + strconv.Itoa(DayMillis) + ")"
	rows, err := s.DB.Query(ctx, "SELECT "+expr+", COUNT(*) FROM problem p WHERE "+where+" AND "+cond+
		" AND "+col+" >= ? AND "+col+" < ? GROUP BY "+expr, args...)
	type day struct {
		idx int64
		n   int
	}
	days, err := db.Collect(rows, err, func(r *sql.Rows) (day, error) {
		var d day
		return d, r.Scan(&d.idx, &d.n)
	})
	if err != nil {
		return nil, fmt.Errorf("cases per day: %w", err)
	}
	out := make(map[int64]int, len(days))
	for _, d := range days {
		out[d.idx] = d.n
	}
	return out, nil
}

// Breakdown is the period's filed cases by category, source and
// responsible unit, read in one pass (GROUP BY all three).
func (s *Store) Breakdown(ctx context.Context, q BoardQuery) ([]BreakdownRow, error) {
	if !q.Actor.SignedIn() {
		return nil, nil
	}
	w, args := s.cohort(q)
	rows, err := s.DB.Query(ctx, `SELECT COALESCE(p.category_id, 0), p.source, COALESCE(p.unit_id, 0), `+caseSums+`
		FROM problem p WHERE `+w+` GROUP BY COALESCE(p.category_id, 0), p.source, COALESCE(p.unit_id, 0)`, args...)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (BreakdownRow, error) {
		var b BreakdownRow
		return b, r.Scan(&b.CategoryID, &b.Source, &b.UnitID, &b.Filed, &b.Closed, &b.ClosedOnTime, &b.Parked)
	})
	if err != nil {
		return nil, fmt.Errorf("case breakdown: %w", err)
	}
	return out, nil
}

// CountsByUnit is the period's filed cases by responsible unit only.
func (s *Store) CountsByUnit(ctx context.Context, q BoardQuery) (map[int64]CaseCounts, error) {
	if !q.Actor.SignedIn() {
		return map[int64]CaseCounts{}, nil
	}
	w, args := s.cohort(q)
	rows, err := s.DB.Query(ctx, `SELECT p.unit_id, `+caseSums+` FROM problem p WHERE `+w+
		` AND p.unit_id IS NOT NULL GROUP BY p.unit_id`, args...)
	type perUnit struct {
		unit int64
		CaseCounts
	}
	counts, err := db.Collect(rows, err, func(r *sql.Rows) (perUnit, error) {
		var x perUnit
		return x, r.Scan(&x.unit, &x.Filed, &x.Closed, &x.ClosedOnTime, &x.Parked)
	})
	if err != nil {
		return nil, fmt.Errorf("cases by unit: %w", err)
	}
	out := make(map[int64]CaseCounts, len(counts))
	for _, x := range counts {
		out[x.unit] = x.CaseCounts
	}
	return out, nil
}
