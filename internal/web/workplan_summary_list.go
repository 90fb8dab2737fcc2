package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// summaryRow is a summary in the list with its number in words.
type summaryRow struct {
	*workplan.Summary
	Number string
}

type summaryListData struct {
	Summaries []summaryRow
	CanRun    bool
	Month     string
	Error     string
}

func (s *Server) summaryListData(r *http.Request) (summaryListData, error) {
	a := actorOf(r)
	if !workplan.MayOpen(a) {
		return summaryListData{}, apperr.Forbidden("workplan.forbidden")
	}
	list, err := s.Workplans.Summaries(r.Context(), a)
	if err != nil {
		return summaryListData{}, err
	}
	month := s.Workplans.Now().In(s.loc).AddDate(0, 0, -s.Workplans.Now().In(s.loc).Day()).Format("2006-01")
	d := summaryListData{CanRun: workplan.MayRun(a), Month: month}
	for _, x := range list {
		d.Summaries = append(d.Summaries, summaryRow{Summary: x, Number: x.NumberText(s.Catalog.T)})
	}
	return d, nil
}

// summaryList is the monthly summaries (月报总结) and the form to draft one.
func (s *Server) summaryList(w http.ResponseWriter, r *http.Request) error {
	d, err := s.summaryListData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "workplan_summaries", "workplan.summaries_title", d)
	return nil
}

// summaryDraft opens the month's summary of the scope, drafting it from
// the month's figures the first time.
func (s *Server) summaryDraft(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	x, err := s.Workplans.DraftSummary(r.Context(), actorOf(r), r.PostFormValue("region"), r.PostFormValue("month"))
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			d, derr := s.summaryListData(r)
			if derr != nil {
				return derr
			}
			d.Error = msg
			s.render(w, r, status, "workplan_summaries", "workplan.summaries_title", d)
			return nil
		})
	}
	return s.redirectWith(w, r, summaryPath(x.ID), "")
}
