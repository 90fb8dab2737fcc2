package web

import (
	"net/http"
	"strconv"
)

// volunteerActivityConfirm credits the activity's hours to the ledger.
func (s *Server) volunteerActivityConfirm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := s.Volunteers.Confirm(r.Context(), actorOf(r), id)
	if err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error { return s.volunteerActivityPage(w, r, id, status, msg) })
	}
	return s.redirectWith(w, r, activityPath(id), "volunteer.confirmed", strconv.Itoa(n))
}
