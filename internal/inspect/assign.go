package inspect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/site"
)

// Assignment modes: how a plan's sites are dealt to its inspectors
// (分片包干). A site nobody is assigned to stays open to every inspector of
// the plan.
const (
	AssignNone   = ""       // leave the sites open to every inspector
	AssignStreet = "street" // whole streets, balancing the site counts
	AssignEven   = "even"   // site by site, in turn
)

// ValidAssignMode reports whether mode is one of the assignment modes.
func ValidAssignMode(mode string) bool {
	switch mode {
	case AssignNone, AssignStreet, AssignEven:
		return true
	}
	return false
}

// InspectorProgress is one inspector's share of a plan.
type InspectorProgress struct {
	InspectorID int64
	Assigned    int // sites assigned to the inspector, inspected or not
	Done        int // inspections the inspector submitted
	ToDo        int // sites assigned to the inspector not inspected yet
}

// OpenSite is a site of a plan not inspected yet, as the dealing sees it.
type OpenSite struct {
	ID         int64
	RegionCode string
}

// street is the street of a region code: its first 9 digits.
func street(region string) string {
	if len(region) > 9 {
		return region[:9]
	}
	return region
}

// DealByStreet deals whole streets to inspectors so that the numbers of
// sites they get are as even as whole streets allow: the largest street
// first (ties by street code), each to the inspector with the fewest sites
// so far (ties by the inspector's place in the list). Sites must be in a
// fixed order (by id); the result maps each site to its inspector.
func DealByStreet(sites []OpenSite, inspectors []int64) map[int64]int64 {
	out := map[int64]int64{}
	if len(inspectors) == 0 {
		return out
	}
	by := map[string][]int64{}
	var streets []string
	for _, st := range sites {
		k := street(st.RegionCode)
		if _, ok := by[k]; !ok {
			streets = append(streets, k)
		}
		by[k] = append(by[k], st.ID)
	}
	sort.SliceStable(streets, func(i, j int) bool {
		if a, b := len(by[streets[i]]), len(by[streets[j]]); a != b {
			return a > b
		}
		return streets[i] < streets[j]
	})
	load := make([]int, len(inspectors))
	for _, k := range streets {
		least := 0
		for i := range load {
			if load[i] < load[least] {
				least = i
			}
		}
		for _, id := range by[k] {
			out[id] = inspectors[least]
		}
		load[least] += len(by[k])
	}
	return out
}

// DealEvenly deals sites one by one to the inspectors in turn.
func DealEvenly(sites []OpenSite, inspectors []int64) map[int64]int64 {
	out := map[int64]int64{}
	if len(inspectors) == 0 {
		return out
	}
	for i, st := range sites {
		out[st.ID] = inspectors[i%len(inspectors)]
	}
	return out
}

// mayAssign: only the office managing the plan's area (or an
// administrator) deals its sites.
func (s *Store) mayAssign(ctx context.Context, a access.Actor, planID int64) (Plan, error) {
	p, err := s.Plan(ctx, a, planID)
	if err != nil {
		return Plan{}, err
	}
	if !canPlan(a, p.RegionCode) {
		return Plan{}, apperr.Forbidden("inspect.assign_forbidden")
	}
	return p, nil
}

// AssignSites deals the plan's sites not inspected yet to its inspectors
// by mode (AssignStreet or AssignEven), replacing their earlier
// assignment; inspected sites keep theirs. It returns how many sites were
// dealt.
func (s *Store) AssignSites(ctx context.Context, a access.Actor, planID int64, mode string) (int, error) {
	if mode == AssignNone || !ValidAssignMode(mode) {
		return 0, apperr.Invalid("inspect.assign_mode_invalid")
	}
	p, err := s.mayAssign(ctx, a, planID)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		n, err = deal(ctx, tx, p.ID, p.Inspectors, mode)
		return err
	})
	return n, err
}

// deal assigns the open sites of a plan by mode inside a transaction.
func deal(ctx context.Context, c db.Conn, planID int64, inspectors []int64, mode string) (int, error) {
	if mode == AssignNone {
		return 0, nil
	}
	if len(inspectors) == 0 {
		return 0, apperr.Invalid("inspect.no_inspectors")
	}
	rows, err := c.Query(ctx, `SELECT x.site_id FROM inspection_plan_site x
		WHERE x.plan_id = ? AND NOT EXISTS (SELECT 1 FROM inspection i WHERE i.plan_id = x.plan_id AND i.site_id = x.site_id)
		ORDER BY x.site_id`, planID)
	if err != nil {
		return 0, fmt.Errorf("open sites: %w", err)
	}
	var open []OpenSite
	for rows.Next() {
		var o OpenSite
		if err := rows.Scan(&o.ID); err != nil {
			rows.Close()
			return 0, fmt.Errorf("open sites: %w", err)
		}
		open = append(open, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("open sites: %w", err)
	}
	ids := make([]int64, len(open))
	for i, o := range open {
		ids[i] = o.ID
	}
	regions, err := site.RegionsOf(ctx, c, ids)
	if err != nil {
		return 0, err
	}
	for i := range open {
		open[i].RegionCode = regions[open[i].ID]
	}
	insp := slices.Clone(inspectors)
	slices.Sort(insp)
	var dealt map[int64]int64
	switch mode {
	case AssignStreet:
		dealt = DealByStreet(open, insp)
	case AssignEven:
		dealt = DealEvenly(open, insp)
	default:
		return 0, apperr.Invalid("inspect.assign_mode_invalid")
	}
	for _, o := range open {
		if _, err := c.Exec(ctx, `UPDATE inspection_plan_site SET inspector_id = ? WHERE plan_id = ? AND site_id = ?
			AND NOT EXISTS (SELECT 1 FROM inspection i WHERE i.plan_id = ? AND i.site_id = ?)`,
			dealt[o.ID], planID, o.ID, planID, o.ID); err != nil {
			return 0, fmt.Errorf("assign site %d: %w", o.ID, err)
		}
	}
	return len(open), nil
}

// AssignSite assigns one site of a plan to one of its inspectors;
// inspectorID 0 opens it to every inspector of the plan again. A site
// already inspected keeps its inspection and cannot be reassigned.
func (s *Store) AssignSite(ctx context.Context, a access.Actor, planID, siteID, inspectorID int64) error {
	p, err := s.mayAssign(ctx, a, planID)
	if err != nil {
		return err
	}
	if inspectorID != 0 && !slices.Contains(p.Inspectors, inspectorID) {
		return apperr.Invalid("inspect.assignee_not_in_plan")
	}
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM inspection_plan_site WHERE plan_id = ? AND site_id = ?", p.ID, siteID).Scan(&n); err != nil {
		return fmt.Errorf("plan site: %w", err)
	}
	if n == 0 {
		return apperr.Invalid("inspect.site_not_in_plan")
	}
	res, err := s.DB.Exec(ctx, `UPDATE inspection_plan_site SET inspector_id = ? WHERE plan_id = ? AND site_id = ?
		AND NOT EXISTS (SELECT 1 FROM inspection i WHERE i.plan_id = ? AND i.site_id = ?)`,
		db.NullID(inspectorID), p.ID, siteID, p.ID, siteID)
	if err != nil {
		return fmt.Errorf("assign site: %w", err)
	}
	if rows, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("assign site: %w", err)
	} else if rows == 0 {
		return apperr.Conflict("inspect.assign_inspected")
	}
	return nil
}

// assignee returns who a plan's site is assigned to (0: anyone) and that
// inspector's name.
func (s *Store) assignee(ctx context.Context, planID, siteID int64) (int64, string, error) {
	var id int64
	var name string
	err := s.DB.QueryRow(ctx, `SELECT COALESCE(x.inspector_id, 0) FROM inspection_plan_site x
		WHERE x.plan_id = ? AND x.site_id = ?`, planID, siteID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", apperr.Invalid("inspect.site_not_in_plan")
	}
	if err != nil {
		return 0, "", fmt.Errorf("site assignee: %w", err)
	}
	if id != 0 {
		names, err := org.DisplayNames(ctx, s.DB, []int64{id})
		if err != nil {
			return 0, "", fmt.Errorf("site assignee: %w", err)
		}
		name = names[id]
	}
	return id, name, nil
}

// progress counts each inspector's share of a plan from its sites.
func progress(inspectors []int64, sites []SiteScore) (out []InspectorProgress, unassigned int) {
	at := map[int64]int{}
	for _, id := range inspectors {
		at[id] = len(out)
		out = append(out, InspectorProgress{InspectorID: id})
	}
	for _, sc := range sites {
		if i, ok := at[sc.AssigneeID]; ok {
			out[i].Assigned++
			if !sc.Done {
				out[i].ToDo++
			}
		} else if !sc.Done {
			unassigned++
		}
		if i, ok := at[sc.InspectorID]; ok && sc.Done {
			out[i].Done++
		}
	}
	return out, unassigned
}
