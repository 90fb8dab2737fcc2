package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/org"
)

type userDetailData struct {
	User        org.User
	CanEdit     bool
	NewPassword string
}

func (s *Server) userDetail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	u, err := s.Org.GetUser(r.Context(), a, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "user", "user.detail_title", userDetailData{User: u, CanEdit: org.CanEditUser(a, u)})
	return nil
}
