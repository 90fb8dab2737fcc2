package inspect

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/site"
)

// FieldPlan is a round whose inspections a field projection counted.
type FieldPlan struct {
	ID         int64
	Name       string
	RegionCode string
	StartsOn   string
	Counted    int // inspections of the round counted
}

// FieldFail is one failed check of a criterion at a site.
type FieldFail struct {
	SiteID, PlanID int64
	ProblemID      int64 // the case the failure was filed as; 0: none
}

// FieldCriterion counts a criterion's checks: passes and failures (不适用
// is not counted), and each failure.
type FieldCriterion struct {
	Pass, Fail int
	Fails      []FieldFail
}

// FieldResults are the latest public inspection of each site of an area.
type FieldResults struct {
	Plans       []FieldPlan // newest first
	Inspections int
	Criteria    map[int64]*FieldCriterion // by framework node id
}

// LatestField reads, for each site of the area (a region subtree), its
// latest inspection in a public round of the framework version: rounds
// that are not covert or whose results are published, leaving out 回头看
// rounds (they check only the sites that failed before). It counts each
// criterion's passes and failures over those inspections. The caller
// decides who may see them.
func LatestField(ctx context.Context, c db.Conn, versionID int64, area string) (FieldResults, error) {
	res := FieldResults{Criteria: map[int64]*FieldCriterion{}}
	rows, err := c.Query(ctx, `SELECT id, name, region_code, starts_on FROM inspection_plan
		WHERE version_id = ? AND followup_of IS NULL AND (NOT covert OR published_at IS NOT NULL) ORDER BY starts_on DESC, id DESC`, versionID)
	plans, err := db.Collect(rows, err, func(r *sql.Rows) (FieldPlan, error) {
		var p FieldPlan
		return p, r.Scan(&p.ID, &p.Name, &p.RegionCode, &p.StartsOn)
	})
	if err != nil {
		return res, fmt.Errorf("field plans: %w", err)
	}
	var planIDs []int64
	for _, p := range plans {
		if overlaps(p.RegionCode, area) {
			planIDs = append(planIDs, p.ID)
		}
	}
	type ins struct {
		id, site, plan, at int64
	}
	list, err := db.CollectIn(ctx, c, "SELECT id, site_id, plan_id, submitted_at FROM inspection WHERE plan_id IN ("+db.ListMarker+")", planIDs,
		func(r *sql.Rows) (ins, error) {
			var x ins
			return x, r.Scan(&x.id, &x.site, &x.plan, &x.at)
		})
	if err != nil {
		return res, fmt.Errorf("field inspections: %w", err)
	}
	latest := map[int64]ins{}
	for _, x := range list {
		if y, ok := latest[x.site]; !ok || x.at > y.at || (x.at == y.at && x.id > y.id) {
			latest[x.site] = x
		}
	}
	siteIDs := make([]int64, 0, len(latest))
	for id := range latest {
		siteIDs = append(siteIDs, id)
	}
	basics, err := site.Basics(ctx, c, siteIDs)
	if err != nil {
		return res, err
	}
	kept := map[int64]ins{} // by inspection id
	perPlan := map[int64]int{}
	for id, x := range latest {
		if b, ok := basics[id]; ok && (area == "" || access.InSubtree(b.RegionCode, area)) {
			kept[x.id] = x
			perPlan[x.plan]++
		}
	}
	res.Inspections = len(kept)
	for _, p := range plans {
		if n := perPlan[p.ID]; n > 0 {
			p.Counted = n
			res.Plans = append(res.Plans, p)
		}
	}
	ids := make([]int64, 0, len(kept))
	for id := range kept {
		ids = append(ids, id)
	}
	type count struct {
		node       int64
		pass, fail int
	}
	counts, err := db.CollectIn(ctx, c, `SELECT node_id, SUM(CASE WHEN outcome = 'pass' THEN 1 ELSE 0 END),
		SUM(CASE WHEN outcome = 'fail' THEN 1 ELSE 0 END) FROM inspection_result
		WHERE inspection_id IN (`+db.ListMarker+`) GROUP BY node_id`, ids, func(r *sql.Rows) (count, error) {
		var x count
		return x, r.Scan(&x.node, &x.pass, &x.fail)
	})
	if err != nil {
		return res, fmt.Errorf("field counts: %w", err)
	}
	for _, x := range counts {
		fc := res.Criteria[x.node]
		if fc == nil {
			fc = &FieldCriterion{}
			res.Criteria[x.node] = fc
		}
		fc.Pass += x.pass
		fc.Fail += x.fail
	}
	type fail struct{ inspection, node, problem int64 }
	fails, err := db.CollectIn(ctx, c, `SELECT inspection_id, node_id, COALESCE(problem_id, 0) FROM inspection_result
		WHERE outcome = 'fail' AND inspection_id IN (`+db.ListMarker+`) ORDER BY inspection_id, node_id`, ids, func(r *sql.Rows) (fail, error) {
		var x fail
		return x, r.Scan(&x.inspection, &x.node, &x.problem)
	})
	if err != nil {
		return res, fmt.Errorf("field failures: %w", err)
	}
	for _, f := range fails {
		x := kept[f.inspection]
		if fc := res.Criteria[f.node]; fc != nil {
			fc.Fails = append(fc.Fails, FieldFail{SiteID: x.site, PlanID: x.plan, ProblemID: f.problem})
		}
	}
	return res, nil
}

// overlaps: a plan of region p may hold sites of area a (either holds the other).
func overlaps(p, a string) bool {
	return a == "" || access.InSubtree(p, a) || access.InSubtree(a, p)
}
