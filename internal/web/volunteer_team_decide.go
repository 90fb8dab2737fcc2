package web

import (
	"net/http"
)

// volunteerTeamDecide approves or rejects a request to join the team.
func (s *Server) volunteerTeamDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	approve := r.PostFormValue("decision") == "approve"
	if err := s.Volunteers.Decide(r.Context(), actorOf(r), id, formID(r, "volunteer"), approve); err != nil {
		return s.refused(err, func(status int, msg string) error { return s.volunteerTeamPage(w, r, id, status, msg) })
	}
	key := "volunteer.member_rejected"
	if approve {
		key = "volunteer.member_approved"
	}
	return s.redirectWith(w, r, teamPath(id), key)
}
