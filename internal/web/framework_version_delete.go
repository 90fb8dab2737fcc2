package web

import (
	"net/http"
)

func (s *Server) fwDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Framework.DeleteVersion(r.Context(), actorOf(r), id); err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error {
			return s.fwIndexPage(w, r, status, fwIndexData{ListError: msg})
		})
	}
	return s.redirectWith(w, r, "/framework", "framework.deleted")
}
