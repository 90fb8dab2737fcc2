package web

import (
	"net/http"
)

// selectionRevoke withdraws an awarded title with a reason.
func (s *Server) selectionRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	round := formID(r, "round")
	if err := s.Selections.Revoke(r.Context(), actorOf(r), id, r.PostFormValue("reason")); err != nil {
		return s.refused(err, func(status int, msg string) error { return s.selectionRoundPage(w, r, round, status, msg) })
	}
	return s.redirectWith(w, r, roundPath(round), "selection.revoked")
}
