package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/httpx"
	"github.com/wenming-civic/wenming/internal/region"
)

// gridFormError shows the community page again with the reasons.
func (s *Server) gridFormError(w http.ResponseWriter, r *http.Request, code string, err error) error {
	e := apperr.As(err)
	var ie *region.ImportError
	var msgs []string
	switch {
	case errors.As(err, &ie):
		msgs = ie.Messages(s.Catalog.T)
	case e.Kind == apperr.KindInvalid || e.Kind == apperr.KindConflict:
		msgs = []string{s.Catalog.T(e.Code, e.Args...)}
	default:
		return err
	}
	d, derr := s.regionDetailData(r, code)
	if derr != nil {
		return derr
	}
	d.Errors, d.GridName = msgs, r.PostFormValue("name")
	s.render(w, r, httpx.Status(e.Kind), "region", "regions.detail_title", d)
	return nil
}

func (s *Server) gridAdd(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	g, err := s.Regions.AddGrid(r.Context(), actorOf(r), code, r.PostFormValue("name"), []byte(strings.TrimSpace(r.PostFormValue("boundary"))))
	if err != nil {
		return s.gridFormError(w, r, code, err)
	}
	return s.redirectWith(w, r, "/regions/"+g.ParentCode, "regions.grid_added")
}
