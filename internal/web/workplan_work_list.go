package web

import (
	"net/http"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/workplan"
)

type workListData struct {
	Reports   []*workplan.WorkReport
	Counts    []workplan.WorkCount
	Month     string
	State     string
	CanSubmit bool
	CanReview bool
	Tasks     []*workplan.Task
	Today     string
	In        workplan.WorkReportInput
	Error     string
}

func (s *Server) workListData(r *http.Request) (workListData, error) {
	ctx, a := r.Context(), actorOf(r)
	if !workplan.MayOpen(a) {
		return workListData{}, apperr.Forbidden("workplan.forbidden")
	}
	now := s.Workplans.Now().In(s.loc)
	d := workListData{Month: r.URL.Query().Get("month"), State: r.URL.Query().Get("state"), CanSubmit: workplan.MaySubmitWork(a),
		CanReview: workplan.MayRun(a), Today: now.Format("2006-01-02")}
	if _, err := time.Parse("2006-01", d.Month); err != nil {
		d.Month = now.Format("2006-01")
	}
	var err error
	if d.Reports, err = s.Workplans.WorkReports(ctx, a, workplan.WorkFilter{State: workplan.WorkState(d.State), Limit: 200}); err != nil {
		return d, err
	}
	if d.Counts, err = s.Workplans.WorkCounts(ctx, a, d.Month, d.Month); err != nil {
		return d, err
	}
	if d.CanSubmit {
		if d.Tasks, err = s.Workplans.Tasks(ctx, a, workplan.TaskFilter{Mine: true}); err != nil {
			return d, err
		}
	}
	return d, nil
}

// workList is the work reports (信息报送): a unit's own with the form to
// send one, the office's to handle, and the counts by unit for a month.
func (s *Server) workList(w http.ResponseWriter, r *http.Request) error {
	d, err := s.workListData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "workplan_work", "workplan.work_title", d)
	return nil
}
