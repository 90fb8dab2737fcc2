package web

import (
	"net/http"
	"time"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

type volunteerActivitiesData struct {
	List     []volunteer.Activity
	Types    []volunteer.ActivityType
	Teams    []volunteer.Team
	Stations []volunteer.Station
	Scope    volunteer.Overview
	Mine     bool
	Now      time.Time
	Default  string // a start time for the form
	Error    string
}

func (s *Server) volunteerActivitiesPage(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	ctx, a := r.Context(), actorOf(r)
	now := s.Volunteers.Now()
	d := volunteerActivitiesData{Mine: r.URL.Query().Get("mine") == "1", Now: now, Error: msg,
		Default: now.In(s.loc).AddDate(0, 0, 1).Format("2006-01-02") + "T09:00"}
	var err error
	if d.Scope, err = s.Volunteers.Scope(ctx, a); err != nil {
		return err
	}
	f := volunteer.ActivityFilter{Mine: d.Mine, Limit: 200}
	if !d.Mine {
		f.From = now.AddDate(0, 0, -30)
	}
	if d.List, err = s.Volunteers.Activities(ctx, a, f); err != nil {
		return err
	}
	if d.Scope.Organises() {
		if d.Types, err = s.Volunteers.Types(ctx); err != nil {
			return err
		}
		if d.Teams, err = s.Volunteers.Teams(ctx, a); err != nil {
			return err
		}
		if d.Stations, err = s.Volunteers.Stations(ctx, a); err != nil {
			return err
		}
	}
	s.render(w, r, status, "volunteer_activities", "volunteer.activities_title", d)
	return nil
}

// volunteerActivities lists activities: those to sign up for, and those
// the actor organises (?mine=1).
func (s *Server) volunteerActivities(w http.ResponseWriter, r *http.Request) error {
	return s.volunteerActivitiesPage(w, r, http.StatusOK, "")
}
