package web

import (
	"net/http"
)

// volunteerActivitySignup puts the signed-in volunteer on the activity (or
// its waiting list).
func (s *Server) volunteerActivitySignup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	state, err := s.Volunteers.SignUpFor(r.Context(), actorOf(r), id)
	if err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error { return s.volunteerActivityPage(w, r, id, status, msg) })
	}
	return s.redirectWith(w, r, activityPath(id), "volunteer.signed_"+state)
}
