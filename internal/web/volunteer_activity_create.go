package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

func (s *Server) parseActivityForm(r *http.Request) (volunteer.ActivityInput, error) {
	if err := r.ParseForm(); err != nil {
		return volunteer.ActivityInput{}, err
	}
	in := volunteer.ActivityInput{Title: r.PostFormValue("title"), Kind: r.PostFormValue("kind"), TeamID: formID(r, "team"),
		StationID: formID(r, "station"), Address: r.PostFormValue("address"), OpenTo: r.PostFormValue("open_to"),
		RegionCode: strings.TrimSpace(r.PostFormValue("region"))}
	in.Lng, _ = formFloat(r, "lng")
	in.Lat, _ = formFloat(r, "lat")
	in.RadiusM = formInt(r, "radius")
	in.Quota = formInt(r, "quota")
	in.Weeks = formInt(r, "weeks")
	if t, ok := parseLocal(r.PostFormValue("starts_at"), s.loc); ok {
		in.StartsAt = t
		if mins, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("minutes"))); err == nil {
			in.EndsAt = t.Add(timeMinutes(mins))
		}
	}
	return in, nil
}

// volunteerActivityCreate adds an activity (or a weekly series).
func (s *Server) volunteerActivityCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := s.parseActivityForm(r)
	if err != nil {
		return err
	}
	id, err := s.Volunteers.CreateActivity(r.Context(), actorOf(r), in)
	if err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error { return s.volunteerActivitiesPage(w, r, status, msg) })
	}
	return s.redirectWith(w, r, activityPath(id), "volunteer.activity_created")
}
