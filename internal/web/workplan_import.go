package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// workplanImport adds a sheet's tasks to a plan, all or nothing.
func (s *Server) workplanImport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	show := func(status int, msg string, rows []string) error {
		d, derr := s.workplanData(r)
		if derr != nil {
			return derr
		}
		d.Error, d.Errors = msg, rows
		s.render(w, r, status, "workplan", "workplan.plan_title", d)
		return nil
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return s.refused(apperr.Invalid("workplan.import.file_required"), func(st int, m string) error { return show(st, m, nil) })
	}
	defer f.Close()
	n, rowErrs, err := s.Workplans.ImportTasks(r.Context(), actorOf(r), id, f)
	if err != nil {
		return s.refused(err, func(st int, m string) error { return show(st, m, nil) })
	}
	if len(rowErrs) > 0 {
		return show(http.StatusBadRequest, s.Catalog.T("workplan.import.rejected", len(rowErrs)), sheetsafe.Messages(rowErrs, s.Catalog.T))
	}
	return s.redirectWith(w, r, planPath(id), "workplan.imported", strconv.Itoa(n))
}
