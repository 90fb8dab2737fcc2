package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/org"
)

type categoryFormData struct {
	ID     int64  // 0: a new sub-category
	Code   string // the fixed code, when editing
	In     category.SubInput
	Tops   []choice
	Kinds  []choice
	Units  []choice
	Owners []choice
	Error  string
}

// showCategoryForm renders the sub-category form, new (d.ID 0) or to edit,
// with the choices; the domain decides whether the actor may use it.
func (s *Server) showCategoryForm(w http.ResponseWriter, r *http.Request, status int, d categoryFormData) error {
	a := actorOf(r)
	cur, err := s.Categories.EditSub(r.Context(), a, d.ID)
	if err != nil {
		return err
	}
	d.Code = cur.Code
	tree, err := s.Categories.Catalogue(r.Context(), a)
	if err != nil {
		return err
	}
	for _, t := range tree {
		label := t.Code + " " + t.Name
		if !t.Active {
			label += s.Catalog.T("cfg.inactive_suffix")
		}
		d.Tops = append(d.Tops, choice{Value: strconv.FormatInt(t.ID, 10), Label: label, Selected: t.ID == d.In.TopID})
	}
	for _, k := range category.Kinds() {
		d.Kinds = append(d.Kinds, choice{Value: string(k), Label: s.Catalog.T(k.Key()), Selected: k == d.In.Kind})
	}
	for _, u := range calendar.Units() {
		d.Units = append(d.Units, choice{Value: string(u), Label: s.Catalog.T(u.Key()), Selected: u == d.In.Limit.Unit})
	}
	owner := d.In.Owner
	if owner == "" {
		owner = category.Territorial
	}
	d.Owners = append(d.Owners, choice{Value: string(category.Territorial), Label: s.ownerText(category.Territorial), Selected: owner == category.Territorial})
	for _, l := range org.Lines() {
		o := category.LineOwner(l)
		d.Owners = append(d.Owners, choice{Value: string(o), Label: s.ownerText(o), Selected: owner == o})
	}
	title := "cfg.categories.new_sub"
	if d.ID != 0 {
		title = "cfg.categories.edit_sub"
	}
	s.render(w, r, status, "category_form", title, d)
	return nil
}

// subForm is the sub-category form as posted.
type subForm struct {
	category.SubInput
}

func parseSubForm(r *http.Request) (subForm, error) {
	if err := r.ParseForm(); err != nil {
		return subForm{}, err
	}
	return subForm{category.SubInput{
		TopID: formID(r, "top_id"), Code: r.PostFormValue("code"), Name: r.PostFormValue("name"),
		Kind:             category.Kind(r.PostFormValue("kind")),
		Limit:            category.Limit{Amount: formInt(r, "limit_amount"), Unit: calendar.Unit(r.PostFormValue("limit_unit"))},
		FilingCondition:  r.PostFormValue("filing_condition"),
		ClosingCondition: r.PostFormValue("closing_condition"),
		Owner:            category.OwnerRule(r.PostFormValue("owner")),
		Position:         formInt(r, "position"),
	}}, nil
}
