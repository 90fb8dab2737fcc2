package web

import (
	"database/sql"
	"net/http"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/workplan"
)

type workplanTaskData struct {
	Task      *workplan.Task
	Status    workplan.Status
	Late      bool
	Events    []workplan.Event
	Reports   []*workplan.Report
	CanManage bool
	CanReport bool
	IsLead    bool
	Period    string
	Coops     []workplanCoop
	// CanEdit offers the edit form, to those who manage the task; Lead
	// and Coop are its unit pickers (the task's units, names looked up
	// for them alone), Campaigns its choices.
	CanEdit   bool
	Lead      unitPicked
	Coop      unitsPicked
	Campaigns []*workplan.Campaign
	Error     string
	Now       time.Time
}

// Amount writes an optional figure for a form field, "" when unset.
func (d workplanTaskData) Amount(x sql.NullFloat64) string {
	if !x.Valid {
		return ""
	}
	return workplan.FormatAmount(x.Float64)
}

// CriteriaText is the task's criterion codes as the form takes them.
func (d workplanTaskData) CriteriaText() string { return strings.Join(d.Task.Criteria, "、") }

// workplanCoop is a cooperating unit in the lead unit's report form.
type workplanCoop struct {
	ID   int64
	Name string
}

func (s *Server) workplanTaskData(r *http.Request) (workplanTaskData, error) {
	ctx, a := r.Context(), actorOf(r)
	id, err := pathID(r)
	if err != nil {
		return workplanTaskData{}, err
	}
	t, err := s.Workplans.Task(ctx, a, id)
	if err != nil {
		return workplanTaskData{}, err
	}
	now := s.Workplans.Now()
	d := workplanTaskData{Task: t, Status: t.Status(now), Late: t.Late(now), CanManage: t.CanManage(a), CanReport: t.CanReport(a),
		IsLead: t.IsLead(a), Period: t.Rhythm.Period(now), Now: now}
	for i, u := range t.CoopUnitIDs {
		d.Coops = append(d.Coops, workplanCoop{ID: u, Name: t.CoopNames[i]})
	}
	if d.Events, err = s.Workplans.Timeline(ctx, a, id); err != nil {
		return d, err
	}
	if d.Reports, err = s.Workplans.Reports(ctx, a, workplan.ReportFilter{TaskID: id}); err != nil {
		return d, err
	}
	if d.CanManage && t.State != workplan.Done {
		d.CanEdit = true
		if d.Lead, err = s.shownUnit(ctx, a, leadPicker(), t.LeadUnitID); err != nil {
			return d, err
		}
		if d.Coop, err = s.shownUnits(ctx, a, coopPicker(), t.CoopUnitIDs); err != nil {
			return d, err
		}
		if d.Campaigns, err = s.Workplans.Campaigns(ctx, a); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (s *Server) workplanTaskShow(w http.ResponseWriter, r *http.Request) error {
	d, err := s.workplanTaskData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "workplan_task", "workplan.task_title", d)
	return nil
}

// workplanTaskRefused shows the task page again with the reason.
func (s *Server) workplanTaskRefused(w http.ResponseWriter, r *http.Request, err error) error {
	return s.workplanTaskEditRefused(w, r, err, nil)
}

// workplanTaskEditRefused is workplanTaskRefused for the edit form: its
// unit pickers show what was sent.
func (s *Server) workplanTaskEditRefused(w http.ResponseWriter, r *http.Request, err error, units *leadAndCoop) error {
	return s.refused(err, func(status int, msg string) error {
		d, derr := s.workplanTaskData(r)
		if derr != nil {
			return derr
		}
		d.Error = msg
		if units != nil && d.CanEdit {
			d.Lead, d.Coop = units.Lead, units.Coop
		}
		s.render(w, r, status, "workplan_task", "workplan.task_title", d)
		return nil
	})
}
