package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/workplan"
)

// workReview is the office's adopt (采用), highlight (亮点) or return of a
// work report.
func (s *Server) workReview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	d := workplan.WorkDecision(r.PostFormValue("decision"))
	if _, err := s.Workplans.ReviewWork(r.Context(), actorOf(r), id, d, r.PostFormValue("note")); err != nil {
		return s.refused(err, func(status int, msg string) error {
			data, derr := s.workListData(r)
			if derr != nil {
				return derr
			}
			data.Error = msg
			s.render(w, r, status, "workplan_work", "workplan.work_title", data)
			return nil
		})
	}
	return s.redirectWith(w, r, "/workplans/work", "workplan.work_reviewed."+string(d))
}
