package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// workplanReview lists the reports waiting for the office's review.
func (s *Server) workplanReview(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if !workplan.MayRun(a) {
		return apperr.Forbidden("workplan.forbidden")
	}
	reports, err := s.Workplans.Reports(r.Context(), a, workplan.ReportFilter{State: workplan.Submitted})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "workplan_review", "workplan.review_title", reports)
	return nil
}
