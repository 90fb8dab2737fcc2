package problem

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/region"
)

// Filter narrows the ledger.
type Filter struct {
	States     []State
	UnitID     int64
	Units      []int64 // dispatched to one of these units (a unit and the units below it)
	Below      bool    // only the cases dispatched to the units below the actor's unit (a street's communities)
	Region     string  // subtree
	CategoryID int64
	Categories []int64 // of one of these categories (a campaign's)
	Source     Source
	Overdue    bool
	Escalation int // 0 any, 1 yellow or worse, 2 red
	From, To   time.Time
	Text       string // code or description contains
	SiteID     int64  // found at this inspection site
	// Near orders the cases nearest this place first (cases without a
	// place last), whatever Sort says: an inspector's cases to verify.
	Near   *geo.Point
	Queue  Queue  // one of the workbench's queues
	Mine   bool   // reported by the actor
	Sort   string // "new" (default), "old", "deadline"
	Offset int
	Limit  int
	// walkText: the page walks the reported-time index past many text
	// matches, so each walked case is tested (see textCondition).
	walkText bool
}

// overdueStates are the states a case is overdue in, written out as
// problem_open_deadline's condition is (migration 0027).
const overdueStates = "p.state IN ('filed', 'dispatched', 'in_progress')"

// MaxLimit bounds one page of the ledger (exports stream instead).
const MaxLimit = 500

// CountCap bounds how far List counts: past it the ledger says "more than"
// rather than scanning a whole city's cases for an exact number.
const CountCap = 10000

// TextCountCap is CountCap for a text search: each match is tested against
// the case's text, and a common word matches 44,000 cases of a million;
// "more than 1,000" tells a searcher as much as "more than 10,000".
const TextCountCap = 1000

// CountCapOf is how far the ledger counts the cases of f.
func CountCapOf(f Filter) int {
	if strings.TrimSpace(f.Text) != "" {
		return TextCountCap
	}
	return CountCap
}

// scopeSQL limits problem rows (alias p) to what the actor may see; it
// mirrors CanSee.
func scopeSQL(a access.Actor) (string, []any) { return scopeFor(a, db.Hints{}) }

// scopeFor is scopeSQL with planner hints: on SQLite the terms of a scope
// made of several alternatives get SQLite's unary plus, which keeps them
// from driving the plan: over a whole city, SQLite otherwise gathers every
// case of the area through a multi-index OR and sorts them (0.27 s at a
// million cases), where walking the reported-time index stops after one
// page (0.2 ms). A scope of one term keeps its index.
func scopeFor(a access.Actor, hints db.Hints) (string, []any) {
	if a.IsAdmin() {
		return "1 = 1", nil
	}
	col := func(c string) string { return c }
	tree := unitTree(a)
	many := a.HasAny(access.RoleOffice, access.RoleLeader, access.RoleInspector) && a.Region != "" || len(tree) > 0
	if many {
		col = hints.NoIndex
	}
	// The reporter's term last: SQLite reads a row only for a column its
	// index lacks, and the area's or units' terms, true first, spare the
	// row read that reporter_id needs (3 ms, not 30, for the office's
	// overdue cases of a unit, on the unit's index).
	var parts []string
	var args []any
	if a.HasAny(access.RoleOffice, access.RoleLeader, access.RoleInspector) && a.Region != "" {
		hi, bounded := region.NextPrefix(a.Region)
		cond := "substr(p.region_code, 1, ?) = ?"
		cargs := []any{len(a.Region), a.Region}
		if bounded {
			cond = "(" + col("p.region_code") + " >= ? AND " + col("p.region_code") + " < ? AND " + cond + ")"
			cargs = append([]any{a.Region, hi}, cargs...)
		}
		parts = append(parts, cond)
		args = append(args, cargs...)
	}
	if len(tree) > 0 {
		cond, cargs := unitInSQL(col("p.unit_id"), tree)
		parts = append(parts, cond)
		args = append(args, cargs...)
	}
	parts, args = append(parts, col("p.reporter_id")+" = ?"), append(args, a.UserID)
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// areaScope reports whether the actor's scope holds an area (the
// office's, a leader's, an inspector's region).
func areaScope(a access.Actor) bool {
	return a.HasAny(access.RoleOffice, access.RoleLeader, access.RoleInspector) && a.Region != ""
}

// scopeParts are the alternatives of the actor's scope: the area or the
// units first, the cases they reported themselves last; regionCol is the
// area's column, with or without a hint. nil for an administrator
// (everything).
func scopeParts(a access.Actor, regionCol string) (parts []string, args [][]any) {
	if a.IsAdmin() {
		return nil, nil
	}
	if a.HasAny(access.RoleOffice, access.RoleLeader, access.RoleInspector) && a.Region != "" {
		cond, cargs := region.SubtreeSQL(regionCol, a.Region)
		parts, args = append(parts, "("+cond+")"), append(args, cargs)
	}
	if tree := unitTree(a); len(tree) > 0 {
		cond, cargs := unitInSQL("p.unit_id", tree)
		parts, args = append(parts, "("+cond+")"), append(args, cargs)
	}
	return append(parts, "p.reporter_id = ?"), append(args, []any{a.UserID})
}

func (f Filter) where(a access.Actor, now time.Time, d db.Dialect) (string, []any) {
	return f.whereFor(a, now, d, db.Hints{})
}

// whereFor is where, with the planner hints of scopeFor.
func (f Filter) whereFor(a access.Actor, now time.Time, d db.Dialect, hints db.Hints) (string, []any) {
	return f.whereWith(a, now, d, hints, hints)
}

// whereWith is whereFor with the scope's hints apart from the filter's.
func (f Filter) whereWith(a access.Actor, now time.Time, d db.Dialect, scopeHints, hints db.Hints) (string, []any) {
	w, args := scopeFor(f.narrowed(a), scopeHints)
	if f.scopeAdds(a) {
		w, args = "1 = 1", nil
	}
	conds, cargs := f.conditions(a, now, d, hints)
	return w + conds, append(args, cargs...)
}

// narrowed is the actor as their scope's SQL sees them under f: a region
// filter inside their area narrows the area's range to it. The cases are
// the same (the filter's range applies anyway), but the planners use the
// first range on the column they find: the district's, walking 740,000
// index entries before the street's first (40 ms for a capped count).
func (f Filter) narrowed(a access.Actor) access.Actor {
	if f.Region != "" && a.Region != "" && access.InSubtree(f.Region, a.Region) {
		a.Region = f.Region
	}
	return a
}

// scopeTerms are the search index's terms of the actor's scope under f,
// one of which a case must hold (see scopeTerms in search.go); nil when
// the scope narrows nothing the index could (an administrator, a
// district's office).
func (f Filter) scopeTerms(a access.Actor) []string {
	if a.IsAdmin() {
		return nil
	}
	a = f.narrowed(a)
	var terms []string
	if areaScope(a) {
		if !hasRegionTerm(a.Region) {
			return nil
		}
		terms = append(terms, regionTerm(a.Region))
	}
	for _, id := range unitTree(a) {
		terms = append(terms, unitTerm(id))
	}
	return append(terms, reporterTerm(a.UserID))
}

// regionColumn is the region column as f's area conditions name it: off
// the region index where another index serves f better. A queue's own
// (partial) index leads, not the area's cases; a state, the overdue
// cases or a category have indexes that hold the region too, so a count
// reads their entries alone, where SQLite, left to itself, read the
// rows of the area's range to test their state (0.4–1 s for a street's
// dispatched cases at a million, 3 ms by the state index).
func (f Filter) regionColumn(hints db.Hints) string {
	if f.Queue.valid() || len(f.States) > 0 || f.Overdue || f.CategoryID != 0 {
		return hints.NoIndex("p.region_code")
	}
	return "p.region_code"
}

// scopeAdds reports whether f leaves the actor's scope nothing to add,
// so that the count reads f's own index alone.
func (f Filter) scopeAdds(a access.Actor) bool {
	// A queue of an area inside the actor's own: they see all of it.
	if f.Queue.valid() && f.Region != "" && a.HasAny(access.RoleOffice, access.RoleLeader, access.RoleInspector) &&
		access.InSubtree(f.Region, a.Region) {
		return true
	}
	// The units below are all the actor's to read.
	return f.Below && SupervisesUnits(a)
}

// conditions are f's own conditions, each after " AND ".
func (f Filter) conditions(a access.Actor, now time.Time, d db.Dialect, hints db.Hints) (string, []any) {
	w, args := "", []any(nil)
	add := func(cond string, xs ...any) {
		w += " AND " + cond
		args = append(args, xs...)
	}
	if len(f.States) > 0 {
		ph := make([]any, len(f.States))
		for i, s := range f.States {
			ph[i] = string(s)
		}
		add("p.state IN ("+db.Placeholders(len(ph))+")", ph...)
	}
	if f.UnitID != 0 {
		add("p.unit_id = ?", f.UnitID)
	}
	if f.Below {
		cond, cargs := unitInSQL("p.unit_id", a.SubUnits)
		add(cond, cargs...)
	}
	if len(f.Units) > 0 {
		cond, cargs := unitInSQL("p.unit_id", f.Units)
		add(cond, cargs...)
	}
	if f.Region != "" {
		cond, cargs := region.SubtreeSQL(f.regionColumn(hints), f.Region)
		add(cond, cargs...)
	}
	if f.CategoryID != 0 {
		add("p.category_id = ?", f.CategoryID)
	}
	if len(f.Categories) > 0 {
		args := make([]any, len(f.Categories))
		for i, id := range f.Categories {
			args[i] = id
		}
		add("p.category_id IN ("+db.Placeholders(len(args))+")", args...)
	}
	if f.SiteID != 0 {
		add("p.site_id = ?", f.SiteID)
	}
	if f.Source != "" {
		add("p.source = ?", string(f.Source))
	}
	if f.Overdue {
		// With a unit, (unit_id, state, deadline) answers from the index;
		// without, the partial index of the open cases by deadline, which
		// the planners see applies only to the states written out.
		add(overdueStates+" AND p.deadline < ?", db.Millis(now))
	}
	if f.Escalation >= 2 {
		// Written out, so that the planners may take the red cases' own
		// (partial) index.
		add("p.escalation_level >= 2")
	}
	if f.Escalation > 0 {
		add("p.escalation_level >= ?", f.Escalation)
	}
	if !f.From.IsZero() {
		add("p.reported_at >= ?", db.Millis(f.From))
	}
	if !f.To.IsZero() {
		add("p.reported_at < ?", db.Millis(f.To))
	}
	if f.Mine {
		add("p.reporter_id = ?", a.UserID)
	}
	if cond, qargs, ok := f.Queue.where(now); ok {
		add(cond, qargs...)
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		q := textQuery{text: t, walk: f.walkText, scope: f.scopeTerms(a)}
		if hasRegionTerm(f.Region) {
			q.within = regionTerm(f.Region)
		}
		cond, targs := q.condition(d)
		add(cond, targs...)
	}
	return w, args
}

// byReportedTime reports whether f's order is by the reporting time, as
// the reported-time and unit indexes hold the cases.
func (f Filter) byReportedTime() bool {
	return f.Near == nil && (f.Sort == "" || f.Sort == "new" || f.Sort == "old")
}

func (f Filter) order() string {
	if f.Near != nil {
		// Squared distance on the plane, a degree of longitude shortened
		// by the cosine of the latitude; the point is a parsed, checked
		// number, written into the statement as a literal.
		x := strconv.FormatFloat(f.Near.Lng, 'f', 7, 64)
		y := strconv.FormatFloat(f.Near.Lat, 'f', 7, 64)
		c := strconv.FormatFloat(math.Cos(f.Near.Lat*math.Pi/180), 'f', 6, 64)
		dx, dy := "(p.lng - "+x+") * "+c, "(p.lat - "+y+")"
		return " ORDER BY CASE WHEN p.lng IS NULL THEN 1 ELSE 0 END, " + dx + " * " + dx + " + " + dy + " * " + dy + ", p.id"
	}
	switch f.Sort {
	case "old":
		return " ORDER BY p.reported_at, p.id"
	case "due": // cases that all have a deadline (the red ones), in the order of their index
		return " ORDER BY p.deadline, p.id"
	case "rectified": // the workbench's cases to verify, longest waiting first
		return " ORDER BY p.rectified_at, p.id"
	case "deadline":
		return " ORDER BY CASE WHEN p.deadline IS NULL THEN 1 ELSE 0 END, p.deadline, p.id"
	}
	return " ORDER BY p.reported_at DESC, p.id DESC"
}

// List returns one page of the cases the actor may see that match f, and
// how many match in all — up to CountCap+1, which means "more than CountCap".
func (s *Store) List(ctx context.Context, a access.Actor, f Filter) ([]*Case, int, error) {
	if !a.SignedIn() {
		return nil, 0, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	total, err := s.countCapped(ctx, a, f)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	f.Limit = min(f.Limit, MaxLimit)
	out, err := s.page(ctx, a, f, total, "", nil, "")
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// Count counts exactly the cases the actor may see that match f (List
// stops at CountCap): the workbench's counts, whose links open the same
// filter in the ledger. The queues are narrow (a state, a unit), so the
// count reads an index range, not the area.
func (s *Store) Count(ctx context.Context, a access.Actor, f Filter) (int, error) {
	if !a.SignedIn() {
		return 0, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	where, args := f.whereFor(a, s.Now(), s.DB.Dialect(), s.DB.Dialect().Hints())
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*)"+f.from(s.DB.Dialect().Hints())+" WHERE "+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count problems: %w", err)
	}
	return n, nil
}

// countCapped counts the cases of f the actor may see, up to
// CountCapOf(f)+1.
// A scope of several alternatives (the area, or reported by me) makes
// every match a row read, to test the alternative that is not in the
// index: 54 ms for the district's 办理中 at a million cases. Counted as
// disjoint parts instead (the area; reported by me and outside it), each
// part reads an index alone (5 ms).
func (s *Store) countCapped(ctx context.Context, a access.Actor, f Filter) (int, error) {
	hints, capAt := s.DB.Dialect().Hints(), CountCapOf(f)
	from := f.from(hints)
	parts, pargs := scopeParts(f.narrowed(a), f.regionColumn(hints))
	if len(parts) < 2 || f.scopeAdds(a) {
		where, args := f.whereFor(a, s.Now(), s.DB.Dialect(), hints)
		return s.countPart(ctx, from, where, args, capAt+1)
	}
	conds, cargs := f.conditions(a, s.Now(), s.DB.Dialect(), hints)
	// Outside each part: NOT the part (a NULL column is outside), or for
	// an area, the ranges around it on the bare column, which the reporter
	// index holds.
	outside, oargs := make([]string, len(parts)), make([][]any, len(parts))
	for j := range parts {
		outside[j], oargs[j] = "NOT COALESCE("+parts[j]+", 1 = 0)", pargs[j]
	}
	if na := f.narrowed(a); areaScope(na) {
		if cond, args, ok := region.OutsideSQL("p.region_code", na.Region); ok {
			outside[0], oargs[0] = cond, args
		}
	}
	total := 0
	for i := range parts {
		where, args := parts[i], append([]any{}, pargs[i]...)
		for j := range i {
			where += " AND " + outside[j]
			args = append(args, oargs[j]...)
		}
		partFrom := from
		if i == len(parts)-1 && from == caseFrom {
			// The cases one reported outside one's area are few: found
			// through (reporter_id, region_code), not by reading every
			// overdue or open case of the city for its reporter (26 ms).
			partFrom = " FROM " + hints.IndexedBy("problem p", "problem_reporter")
		}
		n, err := s.countPart(ctx, partFrom, where+conds, append(args, cargs...), capAt+1-total)
		if err != nil {
			return 0, err
		}
		if total += n; total > capAt {
			break
		}
	}
	return total, nil
}

// countPart counts the rows of where, up to limit.
func (s *Store) countPart(ctx context.Context, from, where string, args []any, limit int) (int, error) {
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1"+from+" WHERE "+where+" LIMIT ?) capped",
		append(args, limit)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count problems: %w", err)
	}
	return n, nil
}

// pageFrom is the FROM clause of a page of f, which matches total cases
// (capped). SQLite plans a common filter (办理中, 逾期, a street) by the
// filter's index, gathers every match and sorts them to show 20: half a
// second for the 97,000 overdue cases of a million. When many cases
// match, walking the reported-time index newest (or oldest) first finds a
// page after a few thousand rows instead; the order is the same.
func (s *Store) pageFrom(f Filter, total int) string {
	from := f.from(s.DB.Dialect().Hints())
	if from != caseFrom || !f.byReportedTime() {
		return from
	}
	if f.Overdue && f.UnitID > 0 {
		// One unit's overdue cases, from its open cases on
		// problem_unit_open, which holds their time and place: SQLite
		// took that unit's every case newest first, reading each row for
		// its deadline (30 ms for the busiest unit).
		return " FROM " + s.DB.Dialect().Hints().IndexedBy("problem p", "problem_unit_open")
	}
	if !s.walks(f, total) {
		return from
	}
	if len(f.States) == 1 && f.Queue == "" {
		return from // problem_state_reported holds one state's cases in this order
	}
	if f.Overdue && f.UnitID == 0 && len(f.Units) == 0 && !f.Below && f.Queue == "" {
		// The overdue cases, sorted from problem_open_deadline alone.
		return " FROM " + s.DB.Dialect().Hints().IndexedBy("problem p", "problem_open_deadline")
	}
	if f.Escalation >= 2 && len(f.States) == 0 && !f.Overdue && f.Queue == "" {
		// The red cases are old ones: walking every case newest first
		// passed 50,000 before the first page of them (90 ms).
		return " FROM " + s.DB.Dialect().Hints().IndexedBy("problem p", "problem_red_reported")
	}
	return " FROM " + s.DB.Dialect().Hints().IndexedBy("problem p", "problem_reported")
}

// walks reports whether a page of f with total matches (as counted)
// walks the reported-time index rather than sorting the matches: when
// the count was capped, or past WalkNewestAbove.
func (s *Store) walks(f Filter, total int) bool {
	above := CountCapOf(f)
	if s.WalkNewestAbove > 0 && s.WalkNewestAbove < above {
		above = s.WalkNewestAbove
	}
	return total > above
}

// Each streams every case matching f (no paging), for exports and the map.
func (s *Store) Each(ctx context.Context, a access.Actor, f Filter, fn func(*Case) error) error {
	if !a.SignedIn() {
		return apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	where, args := f.whereFor(a, s.Now(), s.DB.Dialect(), s.DB.Dialect().Hints())
	rows, err := s.DB.Query(ctx, "SELECT "+caseColumns+f.from(s.DB.Dialect().Hints())+" WHERE "+where+f.order(), args...)
	if err != nil {
		return fmt.Errorf("read problems: %w", err)
	}
	return s.eachNamed(ctx, s.DB, rows, fn)
}
