package web

import (
	"net/http"
)

func (s *Server) routingDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Routing.DeleteRule(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/settings/routing", "cfg.routing.deleted")
}
