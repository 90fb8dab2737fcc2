package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/workplan"
)

// workplanTaskCreate adds one task typed by hand to a plan.
func (s *Server) workplanTaskCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	in, units, ferr := s.taskInput(r)
	show := func(status int, msg string) error {
		d, derr := s.workplanData(r)
		if derr != nil {
			return derr
		}
		d.Error, d.Lead, d.Coop = msg, units.Lead, units.Coop
		s.render(w, r, status, "workplan", "workplan.plan_title", d)
		return nil
	}
	if ferr != nil {
		return s.refused(ferr, show)
	}
	terrs, err := s.Workplans.AddTasks(r.Context(), actorOf(r), id, []workplan.TaskInput{in})
	if err != nil {
		return s.refused(err, show)
	}
	if len(terrs) > 0 {
		return show(http.StatusBadRequest, s.Catalog.T(terrs[0].Code, terrs[0].Args...))
	}
	return s.redirectWith(w, r, planPath(id), "workplan.task_added")
}
