package inspect

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/workbench"
)

// Workbench is the inspections' part of the workbench (a
// workbench.Source): the office's plans still running, an inspector's
// plan sites still to check.
type Workbench struct {
	Store *Store
}

// Items implements workbench.Source.
func (w Workbench) Items(ctx context.Context, a access.Actor) ([]workbench.Item, error) {
	today := w.Store.Now().In(calendar.Shanghai()).Format("2006-01-02")
	var out []workbench.Item
	if a.IsAdmin() || a.Has(access.RoleOffice) && a.Region != "" {
		it, err := w.runningPlans(ctx, a, today)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	if a.Has(access.RoleInspector) {
		it, err := w.sitesToCheck(ctx, a, today)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// runningPlans are the plans of the office's area that have not ended and
// still have sites to check (plans are few: tens a year).
func (w Workbench) runningPlans(ctx context.Context, a access.Actor, today string) (workbench.Item, error) {
	plans, err := w.Store.Plans(ctx, a)
	if err != nil {
		return workbench.Item{}, err
	}
	it := workbench.Item{Kind: "inspect/plans", Section: workbench.SectionTodo, Title: workbench.T("workbench.inspect.plans"),
		Link: "/inspections", Tone: workbench.Normal}
	for _, p := range plans {
		if p.EndsOn < today || p.Done >= p.Sites {
			continue
		}
		it.Count++
		if len(it.Entries) < workbench.MaxEntries {
			it.Entries = append(it.Entries, workbench.Entry{Label: p.Name, Tone: workbench.Normal,
				Note: workbench.T("workbench.note.plan_progress", p.Done, p.Sites, p.EndsOn),
				Link: "/inspections/" + strconv.FormatInt(p.ID, 10)})
		}
	}
	return it, nil
}

// toCheck is the condition of the sites an inspector has still to check:
// in a plan of theirs that has not ended, dealt to them or to nobody, not
// inspected yet.
const toCheck = ` FROM inspection_plan_site x
	JOIN inspection_plan p ON p.id = x.plan_id
	JOIN inspection_plan_inspector u ON u.plan_id = x.plan_id AND u.user_id = ?
	WHERE p.ends_on >= ? AND (x.inspector_id IS NULL OR x.inspector_id = ?)
	AND NOT EXISTS (SELECT 1 FROM inspection i WHERE i.plan_id = x.plan_id AND i.site_id = x.site_id)`

// sitesToCheck is the inspector's plan sites still to check, those dealt
// to them first, each linking to its checklist.
func (w Workbench) sitesToCheck(ctx context.Context, a access.Actor, today string) (workbench.Item, error) {
	s := w.Store
	args := []any{a.UserID, today, a.UserID}
	it := workbench.Item{Kind: "inspect/sites", Section: workbench.SectionTodo, Title: workbench.T("workbench.inspect.sites"),
		Link: "/inspections", Tone: workbench.Normal}
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*)"+toCheck, args...).Scan(&it.Count); err != nil {
		return it, fmt.Errorf("sites to check: %w", err)
	}
	if it.Count == 0 {
		return it, nil
	}
	it.Tone = workbench.Warn
	type planSite struct {
		plan, site int64
		name       string
	}
	rows, err := s.DB.Query(ctx, "SELECT x.plan_id, x.site_id, p.name"+toCheck+
		" ORDER BY CASE WHEN x.inspector_id IS NULL THEN 1 ELSE 0 END, p.ends_on, x.plan_id, x.site_id LIMIT ?",
		append(args, workbench.MaxEntries)...)
	list, err := db.Collect(rows, err, func(r *sql.Rows) (planSite, error) {
		var x planSite
		return x, r.Scan(&x.plan, &x.site, &x.name)
	})
	if err != nil {
		return it, fmt.Errorf("sites to check: %w", err)
	}
	plans := map[int64]bool{}
	for _, x := range list {
		plans[x.plan] = true
		st, err := s.Sites.Get(ctx, a, x.site)
		if err != nil {
			return it, err
		}
		it.Entries = append(it.Entries, workbench.Entry{Label: st.Name, Tone: workbench.Normal,
			Note: workbench.T("workbench.note.site_of_plan", x.name, st.Address),
			Link: "/inspections/" + strconv.FormatInt(x.plan, 10) + "/sites/" + strconv.FormatInt(x.site, 10) + "/check"})
	}
	if len(plans) == 1 && len(list) == it.Count {
		it.Link = "/inspections/" + strconv.FormatInt(list[0].plan, 10)
	}
	return it, nil
}
