package web

import (
	"net/http"
)

func (s *Server) fwUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := parseVersionForm(r)
	if err != nil {
		return err
	}
	if _, err := s.Framework.UpdateVersion(r.Context(), actorOf(r), id, f.Name, f.Note); err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error {
			return s.fwVersionPage(w, r, status, id, msg)
		})
	}
	return s.redirectWith(w, r, fwVersionPath(id), "common.saved")
}
