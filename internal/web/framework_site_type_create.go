package web

import (
	"net/http"
)

func (s *Server) fwSiteTypeCreate(w http.ResponseWriter, r *http.Request) error {
	code, name := r.PostFormValue("code"), r.PostFormValue("name")
	t, err := s.Framework.CreateSiteType(r.Context(), actorOf(r), code, name)
	if err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error {
			return s.fwSiteTypesPage(w, r, status, fwSiteTypesData{Code: code, Name: name, Error: msg})
		})
	}
	return s.redirectWith(w, r, "/framework/site-types#t-"+t.Code, "sitetype.created")
}
