package web

import (
	"net/http"
)

// selectionReview records the actor's level's decision on a nomination.
func (s *Server) selectionReview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	round := formID(r, "round")
	if err := s.Selections.Review(r.Context(), actorOf(r), id, r.PostFormValue("decision"), r.PostFormValue("comment")); err != nil {
		return s.refused(err, func(status int, msg string) error { return s.selectionRoundPage(w, r, round, status, msg) })
	}
	return s.redirectWith(w, r, roundPath(round), "selection.reviewed")
}
