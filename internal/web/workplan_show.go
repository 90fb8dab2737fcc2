package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/workplan"
)

type workplanData struct {
	Plan      workplan.Plan
	Tasks     []*workplan.Task
	CanManage bool
	Lead      unitPicked  // the new task's lead unit
	Coop      unitsPicked // the new task's cooperating units
	Campaigns []*workplan.Campaign
	Columns   []string
	Error     string
	Errors    []string
	Added     int
	Now       any
}

func (s *Server) workplanData(r *http.Request) (workplanData, error) {
	ctx, a := r.Context(), actorOf(r)
	id, err := pathID(r)
	if err != nil {
		return workplanData{}, err
	}
	p, err := s.Workplans.Plan(ctx, a, id)
	if err != nil {
		return workplanData{}, err
	}
	tasks, err := s.Workplans.Tasks(ctx, a, workplan.TaskFilter{PlanID: id})
	if err != nil {
		return workplanData{}, err
	}
	d := workplanData{Plan: p, Tasks: tasks, CanManage: p.CanManage(a), Columns: workplan.ImportHeaders(), Now: s.Workplans.Now()}
	if d.CanManage {
		d.Lead, d.Coop = leadPicker(), coopPicker()
		if d.Campaigns, err = s.Workplans.Campaigns(ctx, a); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (s *Server) workplanShow(w http.ResponseWriter, r *http.Request) error {
	d, err := s.workplanData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "workplan", "workplan.plan_title", d)
	return nil
}
