package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/org"
)

type unitFormData struct {
	ID      int64
	In      org.UnitInput
	Parents []org.Unit
	Error   string
}

func (s *Server) showUnitForm(w http.ResponseWriter, r *http.Request, status int, d unitFormData) error {
	parents, err := s.Org.UnitChoices(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	d.Parents = parents
	title := "unit.new_title"
	if d.ID != 0 {
		title = "unit.edit_title"
	}
	s.render(w, r, status, "unit_form", title, d)
	return nil
}

// unitForm is the unit form as posted.
type unitForm struct {
	org.UnitInput
}

func parseUnitForm(r *http.Request) (unitForm, error) {
	if err := r.ParseForm(); err != nil {
		return unitForm{}, err
	}
	return unitForm{org.UnitInput{
		Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Kind: org.UnitKind(r.PostFormValue("kind")),
		Line: r.PostFormValue("line"), ParentID: formID(r, "parent_id"), RegionCode: r.PostFormValue("region_code"),
		HeadName: r.PostFormValue("head_name"), HeadPhone: r.PostFormValue("head_phone"),
		LiaisonName: r.PostFormValue("liaison_name"), LiaisonPhone: r.PostFormValue("liaison_phone"),
	}}, nil
}
