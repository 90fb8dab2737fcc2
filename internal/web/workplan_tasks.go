package web

import (
	"net/http"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/workplan"
)

type workplanTasksData struct {
	Heading string // catalogue key
	Tasks   []*workplan.Task
	Now     time.Time
}

// workplanMine lists the tasks of the actor's unit: those it leads and
// those it cooperates on.
func (s *Server) workplanMine(w http.ResponseWriter, r *http.Request) error {
	tasks, err := s.Workplans.Tasks(r.Context(), actorOf(r), workplan.TaskFilter{Mine: true})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "workplan_tasks", "workplan.mine_title", workplanTasksData{Heading: "workplan.mine_title", Tasks: tasks, Now: s.Workplans.Now()})
	return nil
}

// workplanOverdue lists the overdue tasks the actor sees.
func (s *Server) workplanOverdue(w http.ResponseWriter, r *http.Request) error {
	if !workplan.MayOpen(actorOf(r)) {
		return apperr.Forbidden("workplan.forbidden")
	}
	tasks, err := s.Workplans.Tasks(r.Context(), actorOf(r), workplan.TaskFilter{Status: workplan.Overdue})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "workplan_tasks", "workplan.overdue_title", workplanTasksData{Heading: "workplan.overdue_title", Tasks: tasks, Now: s.Workplans.Now()})
	return nil
}
