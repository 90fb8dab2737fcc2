package web

import "net/http"

// routingNew is the form of a new rule, with the input the store proposes.
func (s *Server) routingNew(w http.ResponseWriter, r *http.Request) error {
	in, err := s.Routing.NewRule(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	return s.showRoutingForm(w, r, http.StatusOK, routingFormData{In: in})
}

func (s *Server) routingCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	f, err := s.ruleForm(r)
	if err == nil {
		_, err = s.Routing.CreateRule(r.Context(), actorOf(r), f.RuleInput)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.showRoutingForm(w, r, status, routingFormData{In: f.RuleInput, Unit: f.Unit, Error: msg})
		})
	}
	return s.redirectWith(w, r, "/settings/routing", "cfg.routing.saved")
}
