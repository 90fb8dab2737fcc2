package web

import (
	"net/http"
)

func (s *Server) fwActivate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Framework.Activate(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	return s.redirectWith(w, r, fwVersionPath(id), "framework.activated")
}
