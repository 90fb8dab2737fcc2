package web

import (
	"net/http"
)

// volunteerTeamMemberAdd puts a registered volunteer, given by their ID
// number, in the team.
func (s *Server) volunteerTeamMemberAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	if _, err := s.Volunteers.AddMemberByNumber(r.Context(), actorOf(r), id, r.PostFormValue("id_number")); err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error { return s.volunteerTeamPage(w, r, id, status, msg) })
	}
	return s.redirectWith(w, r, teamPath(id), "volunteer.member_added")
}
