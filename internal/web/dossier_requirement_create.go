package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/dossier"
)

// dossierRequirementForm reads the requirement form.
func dossierRequirementForm(r *http.Request) dossier.RequirementInput {
	f := r.PostFormValue
	in := dossier.RequirementInput{CriterionCode: f("criterion"), Title: f("title"), Description: f("description"),
		Frequency: dossier.Frequency(f("frequency")), PeriodFrom: f("period_from"), PeriodTo: f("period_to"), DueOn: f("due_on"),
		LeadUnitID: formID(r, "lead"), CoopUnitIDs: formIDs(r, "coop")}
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
	return in
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
	in := dossierRequirementForm(r)
	if _, err := s.Dossiers.AddRequirement(r.Context(), actorOf(r), id, in); err != nil {
		return s.dossierRoundRefused(w, r, id, err, in)
	}
	return s.redirectWith(w, r, dossierRoundPath(id), "dossier.requirement_added")
}
