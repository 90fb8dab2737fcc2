package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

type volunteerTeamsData struct {
	List     []volunteer.Team
	Stations []volunteer.Station
	Leaders  []org.User
	Places   volunteer.Places
	Manages  bool
	Error    string
}

func (s *Server) volunteerTeamsPage(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	ctx, a := r.Context(), actorOf(r)
	d := volunteerTeamsData{Places: s.volunteerPlaces(r), Manages: a.Manages(a.Region), Error: msg}
	var err error
	if d.List, err = s.Volunteers.Teams(ctx, a); err != nil {
		return err
	}
	if d.Manages {
		if d.Stations, err = s.Volunteers.Stations(ctx, a); err != nil {
			return err
		}
		if d.Leaders, _, err = s.Org.ListUsers(ctx, a, org.UserFilter{Limit: 500}); err != nil {
			return err
		}
	}
	s.render(w, r, status, "volunteer_teams", "volunteer.teams_title", d)
	return nil
}

// volunteerTeams lists the teams the actor oversees or runs.
func (s *Server) volunteerTeams(w http.ResponseWriter, r *http.Request) error {
	return s.volunteerTeamsPage(w, r, http.StatusOK, "")
}
