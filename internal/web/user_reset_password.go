package web

import (
	"net/http"
)

func (s *Server) userResetPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	pw, err := s.Org.ResetPassword(r.Context(), a, id)
	if err != nil {
		return err
	}
	u, err := s.Org.GetUser(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "user", "user.detail_title", userDetailData{User: u, CanEdit: true, NewPassword: pw})
	return nil
}
