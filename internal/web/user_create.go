package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
)

func (s *Server) userNew(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if _, err := s.Org.EditUser(r.Context(), a, 0); err != nil {
		return err
	}
	return s.showUserForm(w, r, http.StatusOK, userFormData{In: org.UserInput{UnitID: a.UnitID, Roles: []access.Role{access.RoleHandler}}})
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	f, err := s.userForm(r)
	in := f.UserInput
	var u org.User
	var generated string
	if err == nil {
		u, generated, err = s.Org.CreateUser(r.Context(), actorOf(r), in)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.showUserForm(w, r, status, userFormData{In: in, Unit: f.Unit, Error: msg})
		})
	}
	// The generated password is shown once, on this response, never stored
	// in clear or put in a URL.
	s.render(w, r, http.StatusCreated, "user", "user.detail_title", userDetailData{User: u, CanEdit: true, NewPassword: generated})
	return nil
}
