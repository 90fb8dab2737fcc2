package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/dossier"
)

// dossierRequirementForm reads the requirement form; its units are
// checked for the person, names typed without the script found.
func (s *Server) dossierRequirementForm(r *http.Request) (dossier.RequirementInput, leadAndCoop, error) {
	u, coop, err := s.postedLeadAndCoop(r, dossierLeadPicker(), dossierCoopPicker())
	f := r.PostFormValue
	in := dossier.RequirementInput{CriterionCode: f("criterion"), Title: f("title"), Description: f("description"),
		Frequency: dossier.Frequency(f("frequency")), PeriodFrom: f("period_from"), PeriodTo: f("period_to"), DueOn: f("due_on"),
		LeadUnitID: u.Lead.ID, CoopUnitIDs: coop}
	for _, t := range r.PostForm["types"] {
		in.Types = append(in.Types, dossier.MaterialType(t))
	}
	if v := strings.TrimSpace(f("due_days")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1
		}
		in.DueDays = &n
	}
	return in, u, err
}

// dossierRequirementCreate adds a requirement to a round.
func (s *Server) dossierRequirementCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	in, units, err := s.dossierRequirementForm(r)
	if err == nil {
		_, err = s.Dossiers.AddRequirement(r.Context(), actorOf(r), id, in)
	}
	if err != nil {
		return s.dossierRequirementRefused(w, r, id, err, in, &units)
	}
	return s.redirectWith(w, r, dossierRoundPath(id), "dossier.requirement_added")
}
