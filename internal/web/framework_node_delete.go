package web

import (
	"net/http"
)

func (s *Server) fwNodeDelete(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	vid, n, err := s.fwPathNode(r)
	if err != nil {
		return err
	}
	if err := s.Framework.DeleteNode(r.Context(), a, n.ID); err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error {
			return s.fwVersionPage(w, r, status, vid, msg)
		})
	}
	return s.redirectWith(w, r, fwVersionPath(vid), "framework.node_deleted")
}
