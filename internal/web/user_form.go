package web

import (
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
)

type userFormData struct {
	ID    int64
	In    org.UserInput
	Units []org.Unit
	Error string
}

func (s *Server) showUserForm(w http.ResponseWriter, r *http.Request, status int, d userFormData) error {
	units, err := s.Org.UnitChoices(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	d.Units = units
	title := "user.new_title"
	if d.ID != 0 {
		title = "user.edit_title"
	}
	s.render(w, r, status, "user_form", title, d)
	return nil
}

// userForm is the user form as posted.
type userForm struct {
	org.UserInput
}

func parseUserForm(r *http.Request) (userForm, error) {
	if err := r.ParseForm(); err != nil {
		return userForm{}, err
	}
	in := org.UserInput{
		Username: r.PostFormValue("username"), Phone: r.PostFormValue("phone"), DisplayName: r.PostFormValue("display_name"),
		UnitID: formID(r, "unit_id"), Disabled: r.PostFormValue("disabled") == "1",
	}
	for _, v := range r.PostForm["roles"] {
		in.Roles = append(in.Roles, access.Role(strings.TrimSpace(v)))
	}
	return userForm{in}, nil
}
