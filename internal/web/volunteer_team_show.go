package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

type volunteerTeamData struct {
	Team       volunteer.Team
	Members    []volunteer.Member
	Activities []volunteer.Activity
	Manages    bool
	Places     volunteer.Places
	Error      string
}

func (s *Server) volunteerTeamPage(w http.ResponseWriter, r *http.Request, id int64, status int, msg string) error {
	ctx, a := r.Context(), actorOf(r)
	t, err := s.Volunteers.Team(ctx, a, id)
	if err != nil {
		return err
	}
	d := volunteerTeamData{Team: t, Manages: t.CanManage(a), Places: s.volunteerPlaces(r), Error: msg}
	if d.Members, err = s.Volunteers.Members(ctx, a, id); err != nil {
		return err
	}
	if d.Activities, err = s.Volunteers.Activities(ctx, a, volunteer.ActivityFilter{TeamID: id, Limit: 50}); err != nil {
		return err
	}
	s.render(w, r, status, "volunteer_team", "volunteer.team_title", d)
	return nil
}

// volunteerTeamShow is a team's page: its members, those asking to join,
// its activities.
func (s *Server) volunteerTeamShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.volunteerTeamPage(w, r, id, http.StatusOK, "")
}
