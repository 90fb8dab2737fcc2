package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/site"
)

func (s *Server) siteNew(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.Sites.Edit(r.Context(), actorOf(r), 0); err != nil {
		return err
	}
	return s.siteForm(w, r, http.StatusOK, siteFormData{In: site.Input{TypeCode: r.URL.Query().Get("type")}})
}

func (s *Server) siteCreate(w http.ResponseWriter, r *http.Request) error {
	d, err := s.parseSiteForm(r)
	var x site.Site
	if err == nil {
		x, err = s.Sites.Create(r.Context(), actorOf(r), d.In)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			d.Error = msg
			return s.siteForm(w, r, status, d)
		})
	}
	return s.redirectWith(w, r, "/sites/"+strconv.FormatInt(x.ID, 10), "site.created")
}
