package problem

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/region"
)

// What the assessment (the weekly bulletins, 通报) asks of the ledger: the
// cases of an area or of a group of units filed in a period, with who
// returned them; the cases found, by source; the cases overdue now, per
// unit and by name; and the cases reworked again and again. The bulletin
// weighs and ranks; the ledger alone reads its tables.

// AssessScope is an area (Region, a code subtree) or, when Units is not
// nil, a group of units.
type AssessScope struct {
	Region string
	Units  []int64
}

func (sc AssessScope) isUnits() bool { return sc.Units != nil }

// where limits problem rows (alias p) to the scope.
func (sc AssessScope) where() (string, []any) {
	if !sc.isUnits() {
		return region.SubtreeSQL("p.region_code", sc.Region)
	}
	if len(sc.Units) == 0 {
		return "1 = 0", nil
	}
	args := make([]any, len(sc.Units))
	for i, id := range sc.Units {
		args[i] = id
	}
	return "p.unit_id IN (" + db.Placeholders(len(args)) + ")", args
}

// AssessedCase is what the assessment counts of one case.
type AssessedCase struct {
	ID, CategoryID, UnitID int64
	Source                 Source
	State                  State
	Deadline, ClosedAt     time.Time
	DispatchedAt           time.Time
	RectifiedAt            time.Time
	Extensions, Returns    int
	UnjustifiedReturns     int
	Falsified              bool
	Verifications          int // passed and failed
	VerifyFailed           int
	Returners              []int64 // the units that returned it, oldest first
}

// ClosedOnTime reports whether the case was closed by its deadline.
func (c AssessedCase) ClosedOnTime() bool {
	return c.State == Closed && !c.Deadline.IsZero() && !c.ClosedAt.IsZero() && !c.ClosedAt.After(c.Deadline)
}

// AssessedCases returns the cases of the scope filed in [from, to),
// rejected and merged ones left out, in id order. For a group of units it
// adds the cases now elsewhere that were returned at least once, since the
// returns count against the unit that made them.
func (s *Store) AssessedCases(ctx context.Context, sc AssessScope, from, to time.Time) ([]AssessedCase, error) {
	scope, sargs := sc.where()
	where := scope
	if sc.isUnits() {
		where = "(" + scope + " OR p.return_count > 0)"
	}
	period := where + " AND p.filed_at >= ? AND p.filed_at < ? AND p.state NOT IN (?, ?)"
	args := append(append([]any{}, sargs...), db.Millis(from), db.Millis(to), string(Rejected), string(Duplicate))
	rows, err := s.DB.Query(ctx, `SELECT p.id, p.source, COALESCE(p.category_id, 0), p.state, COALESCE(p.unit_id, 0),
		p.deadline, p.closed_at, p.dispatched_at, p.rectified_at, p.extension_count,
		p.return_count, p.falsified, p.unjustified_returns, p.rework_count, p.verify_passes
		FROM problem p WHERE `+period+" ORDER BY p.id", args...)
	cases, err := db.Collect(rows, err, func(r *sql.Rows) (AssessedCase, error) {
		var c AssessedCase
		var deadline, closed, dispatched, rectified sql.NullInt64
		var passes int
		err := r.Scan(&c.ID, &c.Source, &c.CategoryID, &c.State, &c.UnitID, &deadline, &closed, &dispatched, &rectified,
			&c.Extensions, &c.Returns, &c.Falsified, &c.UnjustifiedReturns, &c.VerifyFailed, &passes)
		c.Deadline, c.ClosedAt = db.FromNullMillis(deadline), db.FromNullMillis(closed)
		c.DispatchedAt, c.RectifiedAt = db.FromNullMillis(dispatched), db.FromNullMillis(rectified)
		// Every failed check is a rework; with the passed ones they are the
		// verifications (the case row keeps both counts).
		c.Verifications = passes + c.VerifyFailed
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("assessed cases: %w", err)
	}
	byID := make(map[int64]int, len(cases))
	for i, c := range cases {
		byID[c.ID] = i
	}
	// Which units returned a case is only in its timeline: read the return
	// events of the cases returned at least once.
	erows, err := s.DB.Query(ctx, `SELECT e.problem_id, e.data FROM problem_event e JOIN problem p ON p.id = e.problem_id
		WHERE e.action = ? AND p.return_count > 0 AND `+period+" ORDER BY e.id", append([]any{string(ActReturn)}, args...)...)
	type returned struct {
		problem int64
		data    string
	}
	events, err := db.Collect(erows, err, func(r *sql.Rows) (returned, error) {
		var x returned
		return x, r.Scan(&x.problem, &x.data)
	})
	if err != nil {
		return nil, fmt.Errorf("assessed returns: %w", err)
	}
	for _, e := range events {
		i, ok := byID[e.problem]
		if !ok {
			continue
		}
		var d EventData
		if e.data != "" {
			if err := json.Unmarshal([]byte(e.data), &d); err != nil {
				return nil, fmt.Errorf("return event of case %d: %w", e.problem, err)
			}
		}
		cases[i].Returners = append(cases[i].Returners, d.UnitID)
	}
	return cases, nil
}

// FoundBySource counts the cases of the scope reported in [from, to),
// merged ones left out, by source.
func (s *Store) FoundBySource(ctx context.Context, sc AssessScope, from, to time.Time) (map[Source]int, error) {
	scope, sargs := sc.where()
	args := append(append([]any{}, sargs...), db.Millis(from), db.Millis(to), string(Duplicate))
	rows, err := s.DB.Query(ctx, "SELECT p.source, COUNT(*) FROM problem p WHERE ("+scope+
		") AND p.reported_at >= ? AND p.reported_at < ? AND p.state <> ? GROUP BY p.source", args...)
	type found struct {
		source Source
		n      int
	}
	counts, err := db.Collect(rows, err, func(r *sql.Rows) (found, error) {
		var x found
		return x, r.Scan(&x.source, &x.n)
	})
	if err != nil {
		return nil, fmt.Errorf("found by source: %w", err)
	}
	out := make(map[Source]int, len(counts))
	for _, x := range counts {
		out[x.source] += x.n
	}
	return out, nil
}

// overdueFrom is where the overdue cases of a scope are read: they are
// few, and SQLite would otherwise read a whole district through the
// region index (seconds at a million cases).
func (s *Store) overdueFrom() string {
	return s.DB.Dialect().Hints().IndexedBy("problem p", "problem_state")
}

func (sc AssessScope) overdueWhere(now time.Time) (string, []any) {
	scope, sargs := sc.where()
	return scope + " AND p.state IN (?, ?, ?) AND p.deadline < ?",
		append(append([]any{}, sargs...), string(Filed), string(Dispatched), string(InProgress), db.Millis(now))
}

// OverdueByUnit counts the cases of the scope open and past their deadline
// at now, by the unit they are with (0: with none).
func (s *Store) OverdueByUnit(ctx context.Context, sc AssessScope, now time.Time) (map[int64]int, error) {
	where, args := sc.overdueWhere(now)
	rows, err := s.DB.Query(ctx, "SELECT COALESCE(p.unit_id, 0), COUNT(*) FROM "+s.overdueFrom()+" WHERE "+where+" GROUP BY p.unit_id", args...)
	type perUnit struct {
		unit int64
		n    int
	}
	counts, err := db.Collect(rows, err, func(r *sql.Rows) (perUnit, error) {
		var x perUnit
		return x, r.Scan(&x.unit, &x.n)
	})
	if err != nil {
		return nil, fmt.Errorf("overdue by unit: %w", err)
	}
	out := make(map[int64]int, len(counts))
	for _, x := range counts {
		out[x.unit] += x.n
	}
	return out, nil
}

// OverdueCases names up to limit cases of the scope overdue at now, the
// longest overdue first. The states are written out, not bound, so that
// both planners see the partial index of the open cases by deadline
// (problem_open_deadline) applies, and walk it from the oldest deadline.
func (s *Store) OverdueCases(ctx context.Context, sc AssessScope, now time.Time, limit int) ([]*Case, error) {
	scope, sargs := sc.where()
	from := s.DB.Dialect().Hints().IndexedBy("problem p", "problem_open_deadline")
	return s.namedCases(ctx, "SELECT "+caseColumns+" FROM "+from+" WHERE "+scope+
		" AND "+overdueStates+" AND p.deadline < ? ORDER BY p.deadline, p.id LIMIT ?",
		append(append([]any{}, sargs...), db.Millis(now), limit))
}

// ReworkedCases names up to limit cases of the scope that failed
// verification twice or more, filed in [from, to) or still open, the most
// reworked first.
func (s *Store) ReworkedCases(ctx context.Context, sc AssessScope, from, to time.Time, limit int) ([]*Case, error) {
	scope, sargs := sc.where()
	args := append(append([]any{}, sargs...), db.Millis(from), db.Millis(to), string(Filed), string(Dispatched),
		string(InProgress), string(Parked), string(Rectified), limit)
	return s.namedCases(ctx, "SELECT "+caseColumns+caseFrom+" WHERE "+scope+` AND p.rework_count >= 2
		AND ((p.filed_at >= ? AND p.filed_at < ?) OR p.state IN (?, ?, ?, ?, ?)) ORDER BY p.rework_count DESC, p.id LIMIT ?`, args)
}

// namedCases reads the cases of a query with their names.
func (s *Store) namedCases(ctx context.Context, q string, args []any) ([]*Case, error) {
	rows, err := s.DB.Query(ctx, q, args...)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (*Case, error) { return scanCase(r) })
	if err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	if err := s.withNames(ctx, s.DB, out); err != nil {
		return nil, err
	}
	return out, nil
}
