package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

// volunteerActivityAttendance records the organiser's mark for one
// volunteer (attended, no-show, walk-in) and, optionally, the minutes.
func (s *Server) volunteerActivityAttendance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := volunteer.Attendance{ActivityID: id, VolunteerID: formID(r, "volunteer"), Mark: r.PostFormValue("mark"), Minutes: -1}
	if v := strings.TrimSpace(r.PostFormValue("hours")); v != "" {
		h, err := strconv.ParseFloat(v, 64)
		if err != nil {
			h = -100
		}
		in.Minutes = int64(h*60 + 0.5)
		if h < 0 {
			in.Minutes = -2
		}
	}
	if err := s.Volunteers.Record(r.Context(), actorOf(r), in); err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error { return s.volunteerActivityPage(w, r, id, status, msg) })
	}
	return s.redirectWith(w, r, activityPath(id), "volunteer.attendance_recorded")
}
