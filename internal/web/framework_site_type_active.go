package web

import (
	"net/http"
	"net/url"
)

func (s *Server) fwSiteTypeActive(w http.ResponseWriter, r *http.Request) error {
	code := r.PostFormValue("code")
	on := r.PostFormValue("active") == "1"
	if err := s.Framework.SetSiteTypeActive(r.Context(), actorOf(r), code, on); err != nil {
		return err
	}
	flash := "sitetype.deactivated"
	if on {
		flash = "sitetype.activated"
	}
	return s.redirectWith(w, r, "/framework/site-types#t-"+url.PathEscape(code), flash)
}
