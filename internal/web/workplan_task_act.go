package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/workplan"
)

// workplanTaskAct is the office's move on a task: accept it as done, send
// it back with a reason, pause or resume it.
func (s *Server) workplanTaskAct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	act := workplan.Act(r.PostFormValue("act"))
	if _, err := s.Workplans.ActOnTask(r.Context(), actorOf(r), id, act, r.PostFormValue("note")); err != nil {
		return s.workplanTaskRefused(w, r, err)
	}
	return s.redirectWith(w, r, taskPath(id), "workplan.act_done."+string(act))
}
