package web

import (
	"errors"
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/site"
)

type siteImportData struct {
	Errors  []string
	Created int
	Updated int
	Done    bool
	Error   string
	Columns []string
}

func siteColumns() []string {
	var out []string
	for c := site.Column(0); c < site.ColLiaisonPhone+1; c++ {
		out = append(out, c.Header())
	}
	return out
}

func (s *Server) siteImportForm(w http.ResponseWriter, r *http.Request) error {
	if !site.CanWrite(actorOf(r)) {
		return apperr.Forbidden("site.forbidden")
	}
	s.render(w, r, http.StatusOK, "site_import", "site.import_title", siteImportData{Columns: siteColumns()})
	return nil
}

func (s *Server) siteImport(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	d := siteImportData{Columns: siteColumns()}
	fail := func(err error) error {
		return s.refused(err, func(status int, msg string) error {
			d.Error = msg
			s.render(w, r, status, "site_import", "site.import_title", d)
			return nil
		})
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return fail(apperr.Invalid("site.import.file_required"))
	}
	defer f.Close()
	rep, rowErrs, err := s.Sites.ImportXLSX(r.Context(), a, f)
	if err != nil {
		return fail(err)
	}
	if len(rowErrs) > 0 {
		d.Errors = site.Messages(rowErrs, s.Catalog.T)
		s.render(w, r, http.StatusBadRequest, "site_import", "site.import_title", d)
		return nil
	}
	d.Done, d.Created, d.Updated = true, rep.Created, rep.Updated
	s.render(w, r, http.StatusOK, "site_import", "site.import_title", d)
	return nil
}
