package web

import (
	"net/http"
)

// volunteerTeamMemberAdd puts a registered volunteer in the team.
func (s *Server) volunteerTeamMemberAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := s.Volunteers.AddMember(r.Context(), actorOf(r), id, formID(r, "volunteer")); err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error { return s.volunteerTeamPage(w, r, id, status, msg) })
	}
	return s.redirectWith(w, r, teamPath(id), "volunteer.member_added")
}
