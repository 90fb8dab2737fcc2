package bulletin

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/problem"
)

// maxListed bounds the overdue cases a bulletin names.
const maxListed = 200

// subtreeSQL matches codes in the subtree rooted at root (as the ledger
// does: a range for the index, substr for exactness).
func subtreeSQL(col, root string) (string, []any) {
	hi := nextPrefix(root)
	if hi == "" {
		return "substr(" + col + ", 1, ?) = ?", []any{len(root), root}
	}
	return "(" + col + " >= ? AND " + col + " < ? AND substr(" + col + ", 1, ?) = ?)", []any{root, hi, len(root), root}
}

func nextPrefix(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}

// scopeSQL limits problem rows (alias p) to the scope.
func scopeSQL(sc Scope) (string, []any) {
	if !sc.IsUnits() {
		return subtreeSQL("p.region_code", sc.Region)
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

// caseRec is what the tally reads of one case.
type caseRec struct {
	id, categoryID, unit         int64
	source, category, top, state string
	deadline, closed, dispatched sql.NullInt64
	rectified                    sql.NullInt64
	extensions, returns, unjust  int
	falsified                    bool
	verifications, failed        int
	returners                    []int64 // units that returned it, in order
	inScope                      bool
}

func (c *caseRec) closedOnTime() bool {
	return c.state == string(problem.Closed) && c.deadline.Valid && c.closed.Valid && c.closed.Int64 <= c.deadline.Int64
}

// unitTally gathers one unit's counts.
type unitTally struct {
	fig        problem.KPI
	w          Weighted
	cases      map[int64]bool
	dispatched map[int64]bool
	returned   int
	falsified  int
	unjust     int
}

func newUnitTally() *unitTally {
	return &unitTally{cases: map[int64]bool{}, dispatched: map[int64]bool{}}
}

// tally is the counts of one scope and period.
type tally struct {
	totals     problem.KPI
	bySource   map[string]*problem.KPI
	byCategory map[int64]*CategoryRow
	units      map[int64]*unitTally
}

func (t *tally) unit(id int64) *unitTally {
	u, ok := t.units[id]
	if !ok {
		u = newUnitTally()
		t.units[id] = u
	}
	return u
}

// count adds one case to figures, as the metric definitions say.
func count(f *problem.KPI, c *caseRec) {
	f.Filed++
	if c.state == string(problem.Closed) {
		f.Closed++
	}
	if c.closedOnTime() {
		f.ClosedOnTime++
	}
	if c.state == string(problem.Parked) {
		f.Parked++
	}
	if c.dispatched.Valid {
		f.Dispatched++
	}
	if c.extensions > 0 {
		f.Extended++
	}
	if c.returns > 0 {
		f.Returned++
	}
	f.Verifications += c.verifications
	f.VerifyFailed += c.failed
}

// tally counts the cases of the scope filed in the period: the totals by
// the metric definitions, by source and category, and per responsible unit.
// A unit's cases are those with it now and those it returned: returns and
// unjustified returns count against the unit that returned, the rest
// against the unit the case is with.
func (s *Store) tally(ctx context.Context, sc Scope, p Period, cfg Config) (*tally, error) {
	t := &tally{bySource: map[string]*problem.KPI{}, byCategory: map[int64]*CategoryRow{}, units: map[int64]*unitTally{}}
	scope, sargs := scopeSQL(sc)
	where := scope
	if sc.IsUnits() {
		// Returns by the group's units on cases now elsewhere count too.
		where = "(" + scope + " OR p.return_count > 0)"
	}
	period := where + " AND p.filed_at >= ? AND p.filed_at < ? AND p.state NOT IN (?, ?)"
	args := append(append([]any{}, sargs...), db.Millis(p.Start()), db.Millis(p.End()), string(problem.Rejected), string(problem.Duplicate))
	rows, err := s.DB.Query(ctx, `SELECT p.id, p.source, COALESCE(p.category_id, 0), COALESCE(cat.name, ''), COALESCE(ct.name, ''),
		p.state, COALESCE(p.unit_id, 0), p.deadline, p.closed_at, p.dispatched_at, p.rectified_at, p.extension_count,
		p.return_count, p.falsified, p.unjustified_returns, p.rework_count, p.verify_passes
		FROM problem p LEFT JOIN category cat ON cat.id = p.category_id LEFT JOIN category_top ct ON ct.id = cat.top_id
		WHERE `+period+" ORDER BY p.id", args...)
	if err != nil {
		return nil, fmt.Errorf("bulletin cases: %w", err)
	}
	var cases []*caseRec
	byID := map[int64]*caseRec{}
	for rows.Next() {
		c := &caseRec{}
		if err := rows.Scan(&c.id, &c.source, &c.categoryID, &c.category, &c.top, &c.state, &c.unit, &c.deadline, &c.closed,
			&c.dispatched, &c.rectified, &c.extensions, &c.returns, &c.falsified, &c.unjust, &c.failed, &c.verifications); err != nil {
			rows.Close()
			return nil, fmt.Errorf("bulletin cases: %w", err)
		}
		// Every failed check is a rework; with the passed ones they are the
		// verifications (the case row keeps both counts).
		c.verifications += c.failed
		cases = append(cases, c)
		byID[c.id] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("bulletin cases: %w", err)
	}
	// Which units returned a case is only in its timeline: read the return
	// events of the cases returned at least once.
	erows, err := s.DB.Query(ctx, `SELECT e.problem_id, e.action, e.data FROM problem_event e JOIN problem p ON p.id = e.problem_id
		WHERE e.action = 'return' AND p.return_count > 0 AND `+period+" ORDER BY e.id", args...)
	if err != nil {
		return nil, fmt.Errorf("bulletin events: %w", err)
	}
	for erows.Next() {
		var id int64
		var action, data string
		if err := erows.Scan(&id, &action, &data); err != nil {
			erows.Close()
			return nil, fmt.Errorf("bulletin events: %w", err)
		}
		c := byID[id]
		if c == nil {
			continue
		}
		switch action {
		case string(problem.ActReturn):
			var d problem.EventData
			if data != "" {
				if err := json.Unmarshal([]byte(data), &d); err != nil {
					erows.Close()
					return nil, fmt.Errorf("bulletin return event of case %d: %w", id, err)
				}
			}
			c.returners = append(c.returners, d.UnitID)
		}
	}
	erows.Close()
	if err := erows.Err(); err != nil {
		return nil, fmt.Errorf("bulletin events: %w", err)
	}
	inGroup := map[int64]bool{}
	for _, id := range sc.Units {
		inGroup[id] = true
	}
	for _, c := range cases {
		c.inScope = !sc.IsUnits() || inGroup[c.unit]
		w := cfg.Weight(c.source)
		if c.inScope {
			count(&t.totals, c)
			f := t.bySource[c.source]
			if f == nil {
				f = &problem.KPI{}
				t.bySource[c.source] = f
			}
			count(f, c)
			if c.categoryID != 0 {
				cr := t.byCategory[c.categoryID]
				if cr == nil {
					cr = &CategoryRow{CategoryID: c.categoryID, Name: c.category, Top: c.top}
					t.byCategory[c.categoryID] = cr
				}
				count(&cr.Figures, c)
			}
			if c.unit != 0 {
				u := t.unit(c.unit)
				u.cases[c.id] = true
				// Its returns and dispatches are counted apart below.
				count(&u.fig, c)
				u.w.Filed += w
				if c.state == string(problem.Closed) {
					u.w.Closed += w
				}
				if c.closedOnTime() {
					u.w.ClosedOnTime += w
				}
				if c.state == string(problem.Parked) {
					u.w.Parked += w
				}
				if c.extensions > 0 {
					u.w.Extended += w
				}
				u.w.Verifications += w * float64(c.verifications)
				u.w.VerifyFailed += w * float64(c.failed)
				if c.dispatched.Valid {
					u.dispatched[c.id] = true
				}
				if c.falsified {
					u.falsified++
					u.w.Falsified += w
				}
			}
		}
		// Returns count against the units that returned the case, and the
		// office's unjustified marks against the latest returns.
		seen := map[int64]bool{}
		for i, r := range c.returners {
			if r == 0 || (sc.IsUnits() && !inGroup[r]) {
				continue
			}
			u := t.unit(r)
			if !seen[r] {
				seen[r] = true
				u.cases[c.id] = true
				u.dispatched[c.id] = true
				u.returned++
				u.w.Returned += w
			}
			if i >= len(c.returners)-c.unjust {
				u.unjust++
				u.w.UnjustifiedReturns += w
			}
		}
	}
	for _, u := range t.units {
		u.fig.Returned, u.fig.Dispatched = u.returned, len(u.dispatched)
		for cid := range u.dispatched {
			u.w.Dispatched += cfg.Weight(byID[cid].source)
		}
	}
	if s.Hours != nil {
		var sum float64
		for _, c := range cases {
			if !c.inScope || !c.dispatched.Valid || !c.rectified.Valid || c.rectified.Int64 < c.dispatched.Int64 {
				continue
			}
			h, err := s.Hours.WorkingHours(ctx, db.FromMillis(c.dispatched.Int64), db.FromMillis(c.rectified.Int64))
			if err != nil {
				return nil, err
			}
			sum += h
			t.totals.Handled++
		}
		if t.totals.Handled > 0 {
			t.totals.MeanHandlingHours = sum / float64(t.totals.Handled)
		}
	}
	found := "(" + scope + ") AND p.reported_at >= ? AND p.reported_at < ? AND p.state <> ?"
	fargs := append(append([]any{}, sargs...), db.Millis(p.Start()), db.Millis(p.End()), string(problem.Duplicate))
	frows, err := s.DB.Query(ctx, "SELECT p.source, COUNT(*) FROM problem p WHERE "+found+" GROUP BY p.source", fargs...)
	if err != nil {
		return nil, fmt.Errorf("bulletin found: %w", err)
	}
	defer frows.Close()
	for frows.Next() {
		var src string
		var n int
		if err := frows.Scan(&src, &n); err != nil {
			return nil, fmt.Errorf("bulletin found: %w", err)
		}
		t.totals.Found += n
		f := t.bySource[src]
		if f == nil {
			f = &problem.KPI{}
			t.bySource[src] = f
		}
		f.Found += n
	}
	return t, frows.Err()
}

// caseRows reads cases for the bulletin's lists.
func (s *Store) caseRows(ctx context.Context, now time.Time, from, where string, args []any, order string) ([]CaseRow, error) {
	rows, err := s.DB.Query(ctx, `SELECT p.id, p.code, p.description, p.source, COALESCE(cat.name, ''), COALESCE(u.name, ''),
		COALESCE(r.name, ''), p.state, p.deadline, p.rework_count, p.escalation_level
		FROM `+from+` LEFT JOIN category cat ON cat.id = p.category_id LEFT JOIN unit u ON u.id = p.unit_id
		LEFT JOIN region r ON r.code = p.region_code WHERE `+where+order, args...)
	if err != nil {
		return nil, fmt.Errorf("bulletin case list: %w", err)
	}
	defer rows.Close()
	var out []CaseRow
	for rows.Next() {
		var c CaseRow
		var deadline sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Code, &c.Description, &c.Source, &c.Category, &c.Unit, &c.Region, &c.State,
			&deadline, &c.Rework, &c.Escalation); err != nil {
			return nil, fmt.Errorf("bulletin case list: %w", err)
		}
		if r := []rune(c.Description); len(r) > 60 {
			c.Description = string(r[:60]) + "…"
		}
		c.Deadline = db.FromNullMillis(deadline)
		if deadline.Valid && c.Deadline.Before(now) {
			c.OverdueDays = int(math.Ceil(now.Sub(c.Deadline).Hours() / 24))
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

type unitInfo struct {
	id                 int64
	name, kind, region string
}

// groupOf puts a unit in its ranking group.
func groupOf(u unitInfo) string {
	switch {
	case u.kind == "department":
		return GroupDepartment
	case u.kind == "territorial" && len(u.region) == 9:
		return GroupStreet
	case u.kind == "territorial" && len(u.region) >= 12:
		return GroupCommunity
	}
	return GroupOther
}

// units reads the units named by ids, and for a region scope the line
// departments and territorial units of the region, so that a unit without
// cases is listed too.
func (s *Store) units(ctx context.Context, sc Scope, ids map[int64]bool) (map[int64]unitInfo, error) {
	out := map[int64]unitInfo{}
	read := func(q string, args ...any) error {
		rows, err := s.DB.Query(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("bulletin units: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var u unitInfo
			if err := rows.Scan(&u.id, &u.name, &u.kind, &u.region); err != nil {
				return fmt.Errorf("bulletin units: %w", err)
			}
			out[u.id] = u
		}
		return rows.Err()
	}
	const cols = "SELECT u.id, u.name, u.kind, COALESCE(u.region_code, '') FROM unit u WHERE "
	if !sc.IsUnits() {
		cond, args := subtreeSQL("u.region_code", sc.Region)
		if err := read(cols+"u.kind IN ('department', 'territorial') AND "+cond, args...); err != nil {
			return nil, err
		}
	}
	all := make([]int64, 0, len(ids)+len(sc.Units))
	for id := range ids {
		all = append(all, id)
	}
	all = append(all, sc.Units...)
	for len(all) > 0 {
		n := min(len(all), 500)
		args := make([]any, n)
		for i, id := range all[:n] {
			args[i] = id
		}
		if err := read(cols+"u.id IN ("+db.Placeholders(n)+")", args...); err != nil {
			return nil, err
		}
		all = all[n:]
	}
	return out, nil
}

// build computes a bulletin's content for a scope and a period, as of now.
func (s *Store) build(ctx context.Context, sc Scope, p Period, cfg Config, now time.Time) (Content, error) {
	ct := Content{Scope: sc, Period: p, Previous: p.Previous(), TakenAt: now.UTC().Truncate(time.Millisecond), Config: cfg}
	cur, err := s.tally(ctx, sc, p, cfg)
	if err != nil {
		return ct, err
	}
	prev, err := s.tally(ctx, sc, ct.Previous, cfg)
	if err != nil {
		return ct, err
	}
	ct.Totals, ct.PrevTotals = cur.totals, prev.totals
	for _, src := range problem.Sources() {
		if f := cur.bySource[string(src)]; f != nil {
			ct.BySource = append(ct.BySource, SourceRow{Source: src, Figures: *f})
		}
	}
	for _, c := range cur.byCategory {
		ct.Categories = append(ct.Categories, *c)
	}
	sort.Slice(ct.Categories, func(i, j int) bool {
		a, b := ct.Categories[i], ct.Categories[j]
		if a.Figures.Filed != b.Figures.Filed {
			return a.Figures.Filed > b.Figures.Filed
		}
		return a.CategoryID < b.CategoryID
	})
	ct.Categories = ct.Categories[:min(len(ct.Categories), 10)]

	// Overdue now, whatever the filing time; and the cases that failed
	// verification twice or more, filed in the period or still open.
	scope, sargs := scopeSQL(sc)
	oargs := append(append([]any{}, sargs...), string(problem.Filed), string(problem.Dispatched), string(problem.InProgress), db.Millis(now))
	overdueWhere := scope + " AND p.state IN (?, ?, ?) AND p.deadline < ?"
	overdueFrom := "problem p"
	if s.DB.Dialect() == db.SQLite {
		// The overdue cases are few; SQLite would otherwise read a whole
		// district through the region index (seconds at a million cases).
		overdueFrom = "problem p INDEXED BY problem_state"
	}
	urows, err := s.DB.Query(ctx, "SELECT COALESCE(p.unit_id, 0), COUNT(*) FROM "+overdueFrom+" WHERE "+overdueWhere+" GROUP BY p.unit_id", oargs...)
	if err != nil {
		return ct, fmt.Errorf("bulletin overdue: %w", err)
	}
	for urows.Next() {
		var unit int64
		var n int
		if err := urows.Scan(&unit, &n); err != nil {
			urows.Close()
			return ct, fmt.Errorf("bulletin overdue: %w", err)
		}
		ct.Totals.Overdue += n
		if unit != 0 {
			cur.unit(unit).fig.Overdue += n
		}
	}
	urows.Close()
	if err := urows.Err(); err != nil {
		return ct, fmt.Errorf("bulletin overdue: %w", err)
	}
	if ct.Overdue, err = s.caseRows(ctx, now, overdueFrom, overdueWhere, append(oargs, maxListed), " ORDER BY p.deadline, p.id LIMIT ?"); err != nil {
		return ct, err
	}
	ct.OverdueMore = max(0, ct.Totals.Overdue-len(ct.Overdue))
	rargs := append(append([]any{}, sargs...), db.Millis(p.Start()), db.Millis(p.End()), string(problem.Filed), string(problem.Dispatched),
		string(problem.InProgress), string(problem.Parked), string(problem.Rectified))
	if ct.Repeated, err = s.caseRows(ctx, now, "problem p", scope+` AND p.rework_count >= 2 AND ((p.filed_at >= ? AND p.filed_at < ?)
		OR p.state IN (?, ?, ?, ?, ?))`, rargs, " ORDER BY p.rework_count DESC, p.id LIMIT 200"); err != nil {
		return ct, err
	}

	ids := map[int64]bool{}
	for id := range cur.units {
		ids[id] = true
	}
	infos, err := s.units(ctx, sc, ids)
	if err != nil {
		return ct, err
	}
	ct.Groups = rank(cfg, infos, cur.units, prev.units)
	if ct.Inspections, err = s.inspections(ctx, sc, infos, p); err != nil {
		return ct, err
	}
	prevIns, err := s.inspections(ctx, sc, infos, ct.Previous)
	if err != nil {
		return ct, err
	}
	ct.Inspections.PrevCount, ct.Inspections.PrevMean = prevIns.Count, prevIns.Mean
	return ct, nil
}

// rank makes the unit rows, groups them and ranks each group by the
// composite score. Units excluded by the configuration or with fewer cases
// than the minimum sample are listed apart. The red list is the best k
// and the black list the worst k of the ranked units, k being the list
// size but at most half the ranked units, so that no unit is on both.
func rank(cfg Config, infos map[int64]unitInfo, cur, prev map[int64]*unitTally) []Group {
	byGroup := map[string][]UnitRow{}
	for id, info := range infos {
		t := cur[id]
		if t == nil {
			t = newUnitTally()
		}
		row := UnitRow{UnitID: id, Name: info.name, Kind: info.kind, Region: info.region, Group: groupOf(info),
			Cases: len(t.cases), Figures: t.fig, Falsified: t.falsified, UnjustifiedReturns: t.unjust, Weighted: t.w}
		row.Score, row.Parts = cfg.Score(t.w)
		switch {
		case cfg.Excludes(id):
			row.Apart = ApartExcluded
		case row.Cases < cfg.MinSample:
			row.Apart = ApartFew
		}
		if pt := prev[id]; pt != nil && len(pt.cases) >= cfg.MinSample && !cfg.Excludes(id) {
			row.PrevScore, _ = cfg.Score(pt.w)
			row.HasPrev = true
		}
		byGroup[row.Group] = append(byGroup[row.Group], row)
	}
	var out []Group
	for _, key := range Groups() {
		rows := byGroup[key]
		if len(rows) == 0 {
			continue
		}
		var ranked, apart []UnitRow
		for _, r := range rows {
			if r.Apart == "" {
				ranked = append(ranked, r)
			} else {
				apart = append(apart, r)
			}
		}
		sort.SliceStable(ranked, func(i, j int) bool {
			a, b := ranked[i], ranked[j]
			if !same(a.Score, b.Score) {
				return a.Score > b.Score
			}
			if !same(a.Figures.OnTimeRate(), b.Figures.OnTimeRate()) {
				return a.Figures.OnTimeRate() > b.Figures.OnTimeRate()
			}
			return a.Name < b.Name
		})
		k := min(cfg.ListSize, len(ranked)/2)
		n := len(ranked)
		for i := range ranked {
			// Equal scores share a rank (1, 2, 2, 4); the same from the bottom.
			if i > 0 && same(ranked[i].Score, ranked[i-1].Score) {
				ranked[i].Rank = ranked[i-1].Rank
			} else {
				ranked[i].Rank = i + 1
			}
		}
		bottom := make([]int, n)
		for i := n - 1; i >= 0; i-- {
			if i < n-1 && same(ranked[i].Score, ranked[i+1].Score) {
				bottom[i] = bottom[i+1]
			} else {
				bottom[i] = n - i
			}
		}
		for i := range ranked {
			ranked[i].Red = k > 0 && ranked[i].Rank <= k
			ranked[i].Black = k > 0 && !ranked[i].Red && bottom[i] <= k
		}
		sort.SliceStable(apart, func(i, j int) bool {
			if apart[i].Cases != apart[j].Cases {
				return apart[i].Cases > apart[j].Cases
			}
			return apart[i].Name < apart[j].Name
		})
		out = append(out, Group{Key: key, Units: append(ranked, apart...)})
	}
	return out
}

// same compares scores, forgiving the last bits of floating point.
func same(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// inspections averages the score rates of inspections submitted in the
// period at sites in the scope (for a group of units, in the territorial
// units' regions). Covert rounds count once published.
func (s *Store) inspections(ctx context.Context, sc Scope, infos map[int64]unitInfo, p Period) (Inspections, error) {
	var res Inspections
	var conds []string
	var args []any
	if !sc.IsUnits() {
		c, a := subtreeSQL("st.region_code", sc.Region)
		conds, args = append(conds, c), append(args, a...)
	} else {
		for _, id := range sc.Units {
			if info, ok := infos[id]; ok && info.kind == "territorial" && info.region != "" {
				c, a := subtreeSQL("st.region_code", info.region)
				conds, args = append(conds, c), append(args, a...)
			}
		}
	}
	if len(conds) == 0 {
		return res, nil
	}
	args = append(args, db.Millis(p.Start()), db.Millis(p.End()))
	rows, err := s.DB.Query(ctx, `SELECT st.type_code, t.name, substr(st.region_code, 1, 9), COALESCE(r.name, ''), i.score_rate
		FROM inspection i JOIN site st ON st.id = i.site_id JOIN site_type t ON t.code = st.type_code
		JOIN inspection_plan pl ON pl.id = i.plan_id LEFT JOIN region r ON r.code = substr(st.region_code, 1, 9)
		WHERE (`+strings.Join(conds, " OR ")+`) AND i.submitted_at >= ? AND i.submitted_at < ? AND i.score_rate IS NOT NULL
		AND (NOT pl.covert OR pl.published_at IS NOT NULL)`, args...)
	if err != nil {
		return res, fmt.Errorf("bulletin inspections: %w", err)
	}
	defer rows.Close()
	byType, byStreet := map[string]*ScoreRate{}, map[string]*ScoreRate{}
	add := func(m map[string]*ScoreRate, key, name string, rate float64) {
		g := m[key]
		if g == nil {
			g = &ScoreRate{Key: key, Name: name}
			m[key] = g
		}
		g.Inspections++
		g.Mean += rate // a sum until the end
	}
	var sum float64
	for rows.Next() {
		var typ, typName, street, streetName string
		var rate float64
		if err := rows.Scan(&typ, &typName, &street, &streetName, &rate); err != nil {
			return res, fmt.Errorf("bulletin inspections: %w", err)
		}
		res.Count++
		sum += rate
		add(byType, typ, typName, rate)
		add(byStreet, street, streetName, rate)
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("bulletin inspections: %w", err)
	}
	if res.Count > 0 {
		res.Mean = sum / float64(res.Count)
	}
	finish := func(m map[string]*ScoreRate) []ScoreRate {
		out := make([]ScoreRate, 0, len(m))
		for _, g := range m {
			g.Mean /= float64(g.Inspections)
			out = append(out, *g)
		}
		sort.Slice(out, func(i, j int) bool {
			if !same(out[i].Mean, out[j].Mean) {
				return out[i].Mean > out[j].Mean
			}
			return out[i].Key < out[j].Key
		})
		return out
	}
	res.ByType, res.ByStreet = finish(byType), finish(byStreet)
	return res, nil
}
