package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/org"
)

type unitFormData struct {
	ID     int64
	In     org.UnitInput
	Parent unitPicked // the parent unit, picked by name as one types
	Error  string
}

func (s *Server) showUnitForm(w http.ResponseWriter, r *http.Request, status int, d unitFormData) error {
	if d.Parent.Field == "" {
		var err error
		if d.Parent, err = s.shownUnit(r.Context(), actorOf(r), parentPicker(), d.In.ParentID); err != nil {
			return err
		}
	}
	title := "unit.new_title"
	if d.ID != 0 {
		title = "unit.edit_title"
	}
	s.render(w, r, status, "unit_form", title, d)
	return nil
}

func parentPicker() unitPicked { return unitPicked{Field: "parent_id", Label: "unit.parent"} }

// unitForm is the unit form as posted.
type unitForm struct {
	org.UnitInput
	Parent unitPicked
}

// unitForm reads the parsed unit form; the parent is checked for the
// person (a name typed without the script found), and a refusal of it is
// the error, the picker kept to show the form again.
func (s *Server) unitForm(r *http.Request) (unitForm, error) {
	parent, err := s.postedUnit(r, parentPicker())
	return unitForm{org.UnitInput{
		Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Kind: org.UnitKind(r.PostFormValue("kind")),
		Line: r.PostFormValue("line"), ParentID: parent.ID, RegionCode: r.PostFormValue("region_code"),
		HeadName: r.PostFormValue("head_name"), HeadPhone: r.PostFormValue("head_phone"),
		LiaisonName: r.PostFormValue("liaison_name"), LiaisonPhone: r.PostFormValue("liaison_phone"),
	}, parent}, err
}
