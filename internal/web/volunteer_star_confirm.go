package web

import (
	"net/http"
)

// volunteerStarConfirm is the office's 认定 of a proposed star level.
func (s *Server) volunteerStarConfirm(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	err := s.Volunteers.ConfirmStar(r.Context(), actorOf(r), formID(r, "volunteer"), formInt(r, "level"), r.PostFormValue("certified_as"))
	if err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error { return s.volunteerStarsPage(w, r, status, msg) })
	}
	return s.redirectWith(w, r, "/volunteers/stars", "volunteer.star_confirmed")
}
