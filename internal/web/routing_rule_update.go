package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/routing"
)

func (s *Server) routingEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	x, err := s.Routing.Rule(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.showRoutingForm(w, r, http.StatusOK, routingFormData{ID: id, In: routing.RuleInput{
		Position: x.Position, CategoryID: x.CategoryID, RegionCode: x.RegionCode, UnitID: x.UnitID, Note: x.Note, Enabled: x.Enabled,
	}})
}

func (s *Server) routingUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	f, err := s.ruleForm(r)
	if err == nil {
		err = s.Routing.UpdateRule(r.Context(), actorOf(r), id, f.RuleInput)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.showRoutingForm(w, r, status, routingFormData{ID: id, In: f.RuleInput, Unit: f.Unit, Error: msg})
		})
	}
	return s.redirectWith(w, r, "/settings/routing", "cfg.routing.saved")
}
