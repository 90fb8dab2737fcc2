package web

import (
	"errors"
	"net/http"

	"github.com/wenming-civic/wenming/internal/sheetsafe"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// workplanCreate makes a plan, empty or from a sheet in the offices'
// layout (all or nothing: a wrong row leaves no plan behind).
func (s *Server) workplanCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseMultipartForm(maxPhotoForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	a := actorOf(r)
	in := planInput(r)
	show := func(status int, msg string, rows []string) error {
		d, err := s.workplanListData(r)
		if err != nil {
			return err
		}
		d.Error, d.Errors, d.In = msg, rows, in
		s.render(w, r, status, "workplans", "workplan.title", d)
		return nil
	}
	var p workplan.Plan
	var err error
	if f, _, ferr := r.FormFile("file"); ferr == nil {
		defer f.Close()
		var rowErrs []workplan.RowError
		p, rowErrs, err = s.Workplans.ImportPlan(r.Context(), a, in, f)
		if err == nil && len(rowErrs) > 0 {
			return show(http.StatusBadRequest, s.Catalog.T("workplan.import.rejected", len(rowErrs)), sheetsafe.Messages(rowErrs, s.Catalog.T))
		}
	} else {
		p, _, err = s.Workplans.CreatePlan(r.Context(), a, in, nil)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error { return show(status, msg, nil) })
	}
	return s.redirectWith(w, r, planPath(p.ID), "workplan.created")
}
