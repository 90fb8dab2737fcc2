package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/apperr"
)

// workplanTaskUpdate saves an edit of a task by the office that manages
// its plan; the form carries the version it was made from.
func (s *Server) workplanTaskUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	in, units, err := s.taskInput(r)
	if err != nil {
		return s.workplanTaskEditRefused(w, r, err, &units)
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		return s.workplanTaskEditRefused(w, r, apperr.Conflict("workplan.task_changed"), &units)
	}
	terrs, err := s.Workplans.UpdateTask(r.Context(), actorOf(r), id, version, in)
	if err != nil {
		return s.workplanTaskEditRefused(w, r, err, &units)
	}
	if len(terrs) > 0 {
		return s.workplanTaskEditRefused(w, r, apperr.Invalid(terrs[0].Code, terrs[0].Args...), &units)
	}
	return s.redirectWith(w, r, "/workplans/tasks/"+strconv.FormatInt(id, 10), "workplan.task_updated")
}
