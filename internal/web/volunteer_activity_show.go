package web

import (
	"net/http"
	"time"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

type volunteerActivityData struct {
	X         volunteer.Activity
	Organiser bool
	Signups   []volunteer.Signup
	Mine      volunteer.Signup
	HasMine   bool
	IsVol     bool
	Now       time.Time
	Ended     bool
	Started   bool
	Reports   []volunteer.ActivityReport
	Error     string
}

func (s *Server) volunteerActivityPage(w http.ResponseWriter, r *http.Request, id int64, status int, msg string) error {
	ctx, a := r.Context(), actorOf(r)
	x, err := s.Volunteers.Activity(ctx, a, id)
	if err != nil {
		return err
	}
	now := s.Volunteers.Now()
	d := volunteerActivityData{X: x, Organiser: x.CanOrganise(a), Now: now, Ended: !now.Before(x.EndsAt), Started: !now.Before(x.StartsAt), Error: msg}
	if d.Organiser || a.Oversees(x.RegionCode) {
		if d.Signups, err = s.Volunteers.Signups(ctx, a, id); err != nil {
			return err
		}
	}
	if d.Organiser || a.Oversees(x.RegionCode) {
		if d.Reports, err = s.Volunteers.Reports(ctx, id); err != nil {
			return err
		}
	}
	if d.Mine, d.HasMine, err = s.Volunteers.MySignup(ctx, a, id); err != nil {
		return err
	}
	if _, err := s.Volunteers.Mine(ctx, a); err == nil {
		d.IsVol = true
	}
	s.render(w, r, status, "volunteer_activity", "volunteer.activity_title", d)
	return nil
}

// volunteerActivityShow is an activity's page: signing up for a
// volunteer; the list, attendance, hours and the code for its organiser.
func (s *Server) volunteerActivityShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.volunteerActivityPage(w, r, id, http.StatusOK, "")
}
