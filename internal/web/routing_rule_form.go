package web

import (
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/routing"
)

type routingFormData struct {
	ID         int64
	In         routing.RuleInput
	Categories []category.Top
	Units      []org.Unit
	Error      string
}

// showRoutingForm renders the rule form, new (d.ID 0) or to edit.
func (s *Server) showRoutingForm(w http.ResponseWriter, r *http.Request, status int, d routingFormData) error {
	ctx := r.Context()
	tree, err := s.Categories.Catalogue(ctx, actorOf(r))
	if err != nil {
		return err
	}
	units, err := s.Org.UnitChoices(ctx, actorOf(r))
	if err != nil {
		return err
	}
	d.Categories, d.Units = tree, units
	title := "cfg.routing.new"
	if d.ID != 0 {
		title = "cfg.routing.edit"
	}
	s.render(w, r, status, "routing_form", title, d)
	return nil
}

// ruleForm is the rule form as posted.
type ruleForm struct {
	routing.RuleInput
}

func parseRuleForm(r *http.Request) (ruleForm, error) {
	if err := r.ParseForm(); err != nil {
		return ruleForm{}, err
	}
	return ruleForm{routing.RuleInput{
		Position: formInt(r, "position"), CategoryID: formID(r, "category_id"),
		RegionCode: strings.TrimSpace(r.PostFormValue("region_code")), UnitID: formID(r, "unit_id"),
		Note: r.PostFormValue("note"), Enabled: r.PostFormValue("enabled") == "1",
	}}, nil
}
