package web

import (
	"net/http"
)

// volunteerActivityCancel takes the volunteer off the activity.
func (s *Server) volunteerActivityCancel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Volunteers.Cancel(r.Context(), actorOf(r), id); err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error { return s.volunteerActivityPage(w, r, id, status, msg) })
	}
	return s.redirectWith(w, r, activityPath(id), "volunteer.cancelled")
}
