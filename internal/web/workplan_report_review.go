package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/workplan"
)

// workplanReportReview is the office's accept (采纳) or return (退回,
// with a reason) of a unit's report.
func (s *Server) workplanReportReview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	a := actorOf(r)
	rep, err := s.Workplans.Report(r.Context(), a, id)
	if err != nil {
		return err
	}
	back := localPath(r.PostFormValue("back"))
	if back == "/" {
		back = taskPath(rep.TaskID)
	}
	dec := workplan.Decision{Accept: r.PostFormValue("decision") == "accept", Note: r.PostFormValue("note")}
	if _, err := s.Workplans.ReviewReport(r.Context(), a, id, dec); err != nil {
		r.SetPathValue("id", itoa64(rep.TaskID))
		return s.workplanTaskRefused(w, r, err)
	}
	key := "workplan.report_returned"
	if dec.Accept {
		key = "workplan.report_accepted"
	}
	return s.redirectWith(w, r, back, key)
}
