package workplan

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/workbench"
)

// Workbench is the work plan's part of the workbench (a workbench.Source):
// a unit's tasks due or overdue and the reports it owes this period; the
// office's reports to review and the overdue tasks of its plans.
type Workbench struct {
	Store *Store
}

// Items implements workbench.Source.
func (w Workbench) Items(ctx context.Context, a access.Actor) ([]workbench.Item, error) {
	s := w.Store
	now := s.now()
	var out []workbench.Item
	if a.Has(access.RoleHandler) && a.UnitID != 0 {
		tasks, err := s.Tasks(ctx, a, TaskFilter{Mine: true})
		if err != nil {
			return nil, err
		}
		due := workbench.Item{Kind: "workplan/due", Section: workbench.SectionTodo, Title: workbench.T("workbench.workplan.due"),
			Link: "/workplans/mine", Tone: workbench.Normal}
		owed := workbench.Item{Kind: "workplan/owed", Section: workbench.SectionTodo, Title: workbench.T("workbench.workplan.owed"),
			Link: "/workplans/mine", Tone: workbench.Normal}
		var open []int64
		for _, t := range tasks {
			if !t.State.Open() || !t.onTask(a.UnitID) {
				continue
			}
			open = append(open, t.ID)
		}
		filed, err := s.filedThisPeriod(ctx, a.UnitID, open, tasks)
		if err != nil {
			return nil, err
		}
		soon := now.AddDate(0, 0, 14)
		for _, t := range tasks {
			if !t.State.Open() || !t.onTask(a.UnitID) {
				continue
			}
			link := "/workplans/tasks/" + strconv.FormatInt(t.ID, 10)
			if t.DueAt.Before(soon) {
				due.Count++
				tone := workbench.Warn
				note := workbench.T("workbench.note.task_due", t.DueOn)
				if t.DueAt.Before(now) {
					tone, note = workbench.Danger, workbench.T("workbench.note.task_overdue", t.DueOn)
					due.Tone = workbench.Danger
				} else if due.Tone == workbench.Normal {
					due.Tone = workbench.Warn
				}
				due.Entries = append(due.Entries, workbench.Entry{Label: t.Title, Note: note, Tone: tone, Link: link})
			}
			if t.StartsOn <= s.today() && !filed[t.ID] {
				owed.Count++
				owed.Tone = workbench.Warn
				owed.Entries = append(owed.Entries, workbench.Entry{Label: t.Title, Tone: workbench.Normal, Link: link + "#report",
					Note: workbench.T("workbench.note.report_owed", t.Rhythm.Period(now))})
			}
		}
		out = append(out, due, owed)
	}
	if MayRun(a) && (a.IsAdmin() || a.Region != "") {
		reports, err := s.Reports(ctx, a, ReportFilter{State: Submitted})
		if err != nil {
			return nil, err
		}
		review := workbench.Item{Kind: "workplan/review", Section: workbench.SectionTodo, Title: workbench.T("workbench.workplan.review"),
			Link: "/workplans/review", Tone: workbench.Normal, Count: len(reports)}
		if len(reports) > 0 {
			review.Tone = workbench.Warn
		}
		for _, r := range reports {
			review.Entries = append(review.Entries, workbench.Entry{Label: r.TaskTitle, Tone: workbench.Normal,
				Note: workbench.T("workbench.note.report_from", r.UnitName), Link: "/workplans/tasks/" + strconv.FormatInt(r.TaskID, 10)})
			if len(review.Entries) == workbench.MaxEntries {
				break
			}
		}
		late, err := s.Tasks(ctx, a, TaskFilter{Status: Overdue})
		if err != nil {
			return nil, err
		}
		overdue := workbench.Item{Kind: "workplan/overdue", Section: workbench.SectionTodo, Title: workbench.T("workbench.workplan.overdue"),
			Link: "/workplans/overdue", Tone: workbench.Normal, Count: len(late)}
		if len(late) > 0 {
			overdue.Tone = workbench.Danger
		}
		for _, t := range late {
			overdue.Entries = append(overdue.Entries, workbench.Entry{Label: t.Title, Tone: workbench.Danger,
				Note: workbench.T("workbench.note.task_overdue_unit", t.LeadUnitName, t.DueOn), Link: "/workplans/tasks/" + strconv.FormatInt(t.ID, 10)})
			if len(overdue.Entries) == workbench.MaxEntries {
				break
			}
		}
		work, err := s.WorkReports(ctx, a, WorkFilter{State: WorkSubmitted, Limit: 500})
		if err != nil {
			return nil, err
		}
		news := workbench.Item{Kind: "workplan/work", Section: workbench.SectionTodo, Title: workbench.T("workbench.workplan.work"),
			Link: "/workplans/work?state=submitted", Tone: workbench.Normal, Count: len(work)}
		for _, r := range work {
			news.Entries = append(news.Entries, workbench.Entry{Label: r.Title, Tone: workbench.Normal,
				Note: workbench.T("workbench.note.report_from", r.UnitName), Link: "/workplans/work?state=submitted"})
			if len(news.Entries) == workbench.MaxEntries {
				break
			}
		}
		out = append(out, review, overdue, news)
	}
	return out, nil
}

// filedThisPeriod tells which of the tasks the unit has reported on in
// the current period of its plan.
func (s *Store) filedThisPeriod(ctx context.Context, unit int64, ids []int64, tasks []*Task) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	now := s.now()
	byID := map[int64]*Task{}
	for _, t := range tasks {
		byID[t.ID] = t
	}
	type pair struct {
		task   int64
		period string
	}
	list, err := db.CollectIn(ctx, s.DB, "SELECT DISTINCT task_id, period FROM workplan_report WHERE unit_id = "+strconv.FormatInt(unit, 10)+
		" AND state <> 'returned' AND task_id IN ("+db.ListMarker+")", ids, func(r *sql.Rows) (pair, error) {
		var p pair
		return p, r.Scan(&p.task, &p.period)
	})
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		if t := byID[p.task]; t != nil && t.Rhythm.Period(now) == p.period {
			out[p.task] = true
		}
	}
	return out, nil
}
