package problem

import (
	"slices"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
)

// maxUnitParts is the largest unit tree whose page is read unit by unit
// (a street office and its communities are 20–40 units).
const maxUnitParts = 64

// unitPageTree is the units whose cases a page of f shows the actor unit
// by unit (see unitPageIDs), or ok false when the page is read as one
// query: an area, an administrator, a citizen, text (one search of the
// index, not one per unit), the workbench's queues and the actor's own
// reports (orders and indexes of their own), orders other than by the
// reporting time (nearest first, by deadline: the unit indexes do not
// hold them), a page by number (OFFSET), and on PostgreSQL: there the
// unit-by-unit query took 0.4 s through the driver for a street's
// overdue cases (30 ms in psql, planning its 29 parts each time), and
// its planner serves the single query (16 ms).
func (f Filter) unitPageTree(a access.Actor, d db.Dialect) (units []int64, ok bool) {
	tree := unitTree(a)
	if d != db.SQLite || f.Offset > 0 || a.IsAdmin() || areaScope(a) || len(tree) == 0 || !f.byReportedTime() || f.Mine ||
		f.Queue != "" || strings.TrimSpace(f.Text) != "" || f.scopeAdds(a) {
		return nil, false
	}
	// Only the units the filter keeps: a part per unit the filter rules
	// out would read that unit's cases to find none.
	keep := func(id int64) bool {
		return (f.UnitID == 0 || f.UnitID == id) && (len(f.Units) == 0 || slices.Contains(f.Units, id)) &&
			(!f.Below || slices.Contains(a.SubUnits, id))
	}
	for _, id := range tree {
		if keep(id) {
			units = append(units, id)
		}
	}
	return units, len(units) <= maxUnitParts
}

// unitPageIDs is the inner query of a handler's first or cursor page:
// the page's ids from each unit's newest (or oldest) cases on that unit's
// indexes, and from the cases the actor reported outside the units, merged
// in the page's order. As one query, "reported by me OR one of my 28
// units" kept every index but the state's or the deadline's from serving
// it: a community's overdue cases were found by reading every overdue case
// of the city (0.23 s at a million), and a street's pages sorted all of
// its 137,000 cases or walked the city's newest for them. A part is at
// most a page long; the merge sorts a few hundred ids.
//
// The query is SQLite's (INDEXED BY). unitIndex is the index each
// unit's part reads (see unitPageIndex); conds are f's conditions (each
// after " AND ") and order the page's, on alias p; the result is the SQL
// and its arguments, the page's limit last.
func unitPageIDs(a access.Actor, units []int64, unitIndex string, conds string, cargs []any, order string,
	limit int) (string, []any) {
	const cols = "SELECT p.id, p.reported_at" // the order's columns, which the unit indexes hold
	var parts []string
	var args []any
	from := " FROM problem p INDEXED BY " + unitIndex
	for _, id := range units {
		parts = append(parts, "SELECT * FROM ("+cols+from+" WHERE p.unit_id = ?"+conds+order+" LIMIT ?) u")
		args = append(append(append(args, id), cargs...), limit)
	}
	// The actor's own reports outside their units: few, by the reporter's
	// index (the planners otherwise took the state's or the deadline's).
	outside, oargs := unitInSQL("p.unit_id", unitTree(a))
	parts = append(parts, "SELECT * FROM ("+cols+" FROM problem p INDEXED BY problem_reporter"+
		" WHERE p.reporter_id = ? AND NOT COALESCE("+outside+", 1 = 0)"+conds+order+" LIMIT ?) r")
	args = append(append(append(append(args, a.UserID), oargs...), cargs...), limit)
	merged := strings.ReplaceAll(order, "p.", "")
	return "SELECT id FROM (" + strings.Join(parts, " UNION ALL ") + ") m" + merged + " LIMIT ?", append(args, limit)
}

// unitPageIndex is the index a unit's part of a page of f reads:
// SQLite otherwise walked the city's cases of a state (or a
// category) newest first for each unit, testing each row's unit (1.5 s
// for a street's dispatched cases). The overdue cases, or a state of
// few cases (walk false: the count was not capped) and no other filter:
// the unit's cases of those states (problem_unit_open holds their
// reporting time), sorted. Any other filter, or a state of many cases
// (closed: sorting a street's 100,000 took 0.36 s): the unit's cases
// newest first, tested on problem_unit_scope, which holds the filters'
// columns and the state.
func (f Filter) unitPageIndex(walk bool) string {
	others := f.Region != "" || f.CategoryID != 0 || len(f.Categories) > 0 || f.SiteID != 0 || f.Source != "" ||
		f.Escalation > 0 || !f.From.IsZero() || !f.To.IsZero()
	if f.Overdue || (len(f.States) > 0 && !others && !walk) {
		return "problem_unit_open"
	}
	return "problem_unit_scope"
}
