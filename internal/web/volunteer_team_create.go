package web

import (
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

func parseTeamForm(r *http.Request) (volunteer.TeamInput, error) {
	if err := r.ParseForm(); err != nil {
		return volunteer.TeamInput{}, err
	}
	return volunteer.TeamInput{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), StationID: formID(r, "station"),
		RegionCode: strings.TrimSpace(r.PostFormValue("region")), LeaderID: formID(r, "leader")}, nil
}

// volunteerTeamCreate adds a team.
func (s *Server) volunteerTeamCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := parseTeamForm(r)
	if err != nil {
		return err
	}
	id, err := s.Volunteers.CreateTeam(r.Context(), actorOf(r), in)
	if err != nil {
		return s.refused(err, func(status int, msg string) error { return s.volunteerTeamsPage(w, r, status, msg) })
	}
	return s.redirectWith(w, r, teamPath(id), "volunteer.team_created", in.Name)
}
