package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/org"
)

func (s *Server) userEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.Org.EditUser(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.showUserForm(w, r, http.StatusOK, userFormData{ID: id, In: org.UserInput{
		Username: u.Username, Phone: u.Phone, DisplayName: u.DisplayName, UnitID: u.UnitID, Roles: u.Roles, Disabled: u.Disabled,
	}})
}

func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	f, err := s.userForm(r)
	in := f.UserInput
	if err == nil {
		_, err = s.Org.UpdateUser(r.Context(), actorOf(r), id, in)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.showUserForm(w, r, status, userFormData{ID: id, In: in, Unit: f.Unit, Error: msg})
		})
	}
	return s.redirectWith(w, r, "/users/"+strconv.FormatInt(id, 10), "common.saved")
}
