package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/framework"
)

type fwSiteTypesData struct {
	Types   []framework.SiteType
	CanEdit bool
	Code    string
	Name    string
	Error   string
}

func (s *Server) fwSiteTypesPage(w http.ResponseWriter, r *http.Request, status int, d fwSiteTypesData) error {
	a := actorOf(r)
	types, err := s.Framework.SiteTypeCatalogue(r.Context(), a)
	if err != nil {
		return err
	}
	d.Types, d.CanEdit = types, framework.CanEdit(a)
	s.render(w, r, status, "framework_site_types", "sitetype.title", d)
	return nil
}

func (s *Server) fwSiteTypes(w http.ResponseWriter, r *http.Request) error {
	return s.fwSiteTypesPage(w, r, http.StatusOK, fwSiteTypesData{})
}
