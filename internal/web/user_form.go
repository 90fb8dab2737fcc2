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
	Unit  unitPicked // the user's unit, picked by name as one types
	Error string
}

func (s *Server) showUserForm(w http.ResponseWriter, r *http.Request, status int, d userFormData) error {
	if d.Unit.Field == "" {
		var err error
		if d.Unit, err = s.shownUnit(r.Context(), actorOf(r), userUnitPicker(), d.In.UnitID); err != nil {
			return err
		}
	}
	title := "user.new_title"
	if d.ID != 0 {
		title = "user.edit_title"
	}
	s.render(w, r, status, "user_form", title, d)
	return nil
}

func userUnitPicker() unitPicked {
	return unitPicked{Field: "unit_id", Label: "user.unit", Required: true}
}

// userForm is the user form as posted.
type userForm struct {
	org.UserInput
	Unit unitPicked
}

// userForm reads the parsed user form; the unit is checked for the person
// (a name typed without the script found), and a refusal of it is the
// error, the picker kept to show the form again.
func (s *Server) userForm(r *http.Request) (userForm, error) {
	unit, err := s.postedUnit(r, userUnitPicker())
	in := org.UserInput{
		Username: r.PostFormValue("username"), Phone: r.PostFormValue("phone"), DisplayName: r.PostFormValue("display_name"),
		UnitID: unit.ID, Disabled: r.PostFormValue("disabled") == "1",
	}
	for _, v := range r.PostForm["roles"] {
		in.Roles = append(in.Roles, access.Role(strings.TrimSpace(v)))
	}
	return userForm{in, unit}, err
}
