package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/workplan"
)

type workplanListData struct {
	Plans   []workplan.Plan
	CanRun  bool
	Today   string
	Columns []string
	Errors  []string
	Error   string
	In      workplan.PlanInput
}

func (s *Server) workplanListData(r *http.Request) (workplanListData, error) {
	a := actorOf(r)
	if !workplan.MayOpen(a) {
		return workplanListData{}, apperr.Forbidden("workplan.forbidden")
	}
	plans, err := s.Workplans.Plans(r.Context(), a)
	if err != nil {
		return workplanListData{}, err
	}
	today := s.Problems.Now().In(s.loc).Format("2006-01-02")
	return workplanListData{Plans: plans, CanRun: workplan.MayRun(a), Today: today, Columns: workplan.ImportHeaders(),
		In: workplan.PlanInput{Rhythm: workplan.Monthly, StartsOn: today, EndsOn: today[:4] + "-12-31", RegionCode: a.Region}}, nil
}

func (s *Server) workplanList(w http.ResponseWriter, r *http.Request) error {
	d, err := s.workplanListData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "workplans", "workplan.title", d)
	return nil
}
