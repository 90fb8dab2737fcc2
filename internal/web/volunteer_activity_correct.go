package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

// volunteerActivityCorrect appends a correction of one volunteer's hours
// for the activity, with its reason.
func (s *Server) volunteerActivityCorrect(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	c := volunteer.Correction{ActivityID: id, VolunteerID: formID(r, "volunteer"), Reason: r.PostFormValue("reason"), Minutes: -1}
	if h, err := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("hours")), 64); err == nil && h >= 0 {
		c.Minutes = int64(h*60 + 0.5)
	}
	if err := s.Volunteers.Correct(r.Context(), actorOf(r), c); err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error { return s.volunteerActivityPage(w, r, id, status, msg) })
	}
	return s.redirectWith(w, r, activityPath(id), "volunteer.corrected")
}
