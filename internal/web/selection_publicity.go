package web

import (
	"net/http"
)

// selectionPublicity puts a round's approved candidates on the 公示.
func (s *Server) selectionPublicity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := s.Selections.StartPublicity(r.Context(), actorOf(r), id, formInt(r, "days")); err != nil {
		return s.refused(err, func(status int, msg string) error { return s.selectionRoundPage(w, r, id, status, msg) })
	}
	return s.redirectWith(w, r, roundPath(id), "selection.publicity_started")
}
