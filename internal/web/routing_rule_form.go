package web

import (
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/routing"
)

type routingFormData struct {
	ID         int64
	In         routing.RuleInput
	Categories []category.Top
	Unit       unitPicked // the rule's unit, picked by name as one types
	Error      string
}

// showRoutingForm renders the rule form, new (d.ID 0) or to edit.
func (s *Server) showRoutingForm(w http.ResponseWriter, r *http.Request, status int, d routingFormData) error {
	ctx := r.Context()
	tree, err := s.Categories.Catalogue(ctx, actorOf(r))
	if err != nil {
		return err
	}
	d.Categories = tree
	if d.Unit.Field == "" {
		if d.Unit, err = s.shownUnit(ctx, actorOf(r), routingUnitPicker(), d.In.UnitID); err != nil {
			return err
		}
	}
	title := "cfg.routing.new"
	if d.ID != 0 {
		title = "cfg.routing.edit"
	}
	s.render(w, r, status, "routing_form", title, d)
	return nil
}

func routingUnitPicker() unitPicked {
	return unitPicked{Field: "unit_id", Label: "cfg.routing.unit", Required: true}
}

// ruleForm is the rule form as posted.
type ruleForm struct {
	routing.RuleInput
	Unit unitPicked
}

// ruleForm reads the rule form, parsed; its unit is checked for the
// person (a name typed without the script found), and a refusal of it is
// the error, with the form kept to show again.
func (s *Server) ruleForm(r *http.Request) (ruleForm, error) {
	unit, err := s.postedUnit(r, routingUnitPicker())
	return ruleForm{routing.RuleInput{
		Position: formInt(r, "position"), CategoryID: formID(r, "category_id"),
		RegionCode: strings.TrimSpace(r.PostFormValue("region_code")), UnitID: unit.ID,
		Note: r.PostFormValue("note"), Enabled: r.PostFormValue("enabled") == "1",
	}, unit}, err
}
