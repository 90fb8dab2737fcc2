package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/dossier"
	"github.com/wenming-civic/wenming/internal/framework"
)

type dossierRoundData struct {
	Round        dossier.Round
	CanManage    bool
	Requirements []*dossier.Requirement
	Completeness dossier.Completeness
	Criteria     []*framework.Node
	Lead         unitPicked  // the new requirement's lead unit
	Coop         unitsPicked // its cooperating units
	Frequencies  []dossier.Frequency
	Types        []dossier.MaterialType
	DefaultFrom  string
	DefaultTo    string
	In           dossier.RequirementInput
	Error        string
	RowErrors    []string
}

func (s *Server) dossierRoundData(r *http.Request, id int64) (dossierRoundData, error) {
	ctx, a := r.Context(), actorOf(r)
	round, err := s.Dossiers.Round(ctx, a, id)
	if err != nil {
		return dossierRoundData{}, err
	}
	d := dossierRoundData{Round: round, CanManage: round.CanManage(a), Frequencies: dossier.Frequencies(), Types: dossier.MaterialTypes()}
	d.DefaultFrom, d.DefaultTo = dossier.DefaultPeriod(round.EvaluationOn)
	if d.Requirements, err = s.Dossiers.Requirements(ctx, a, id); err != nil {
		return d, err
	}
	if d.Completeness, err = s.Dossiers.Completeness(ctx, a, id); err != nil {
		return d, err
	}
	if d.CanManage {
		if d.Criteria, err = s.Dossiers.CriterionChoices(ctx, round.VersionID); err != nil {
			return d, err
		}
		// The units are picked by name as one types, not listed.
		d.Lead, d.Coop = dossierLeadPicker(), dossierCoopPicker()
	}
	return d, nil
}

// dossierRoundShow is a round: its requirements, the form to add one, the
// sheet import and export, and completeness by criterion and unit with
// the overdue items by unit.
func (s *Server) dossierRoundShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.dossierRoundData(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "dossier_round", "dossier.round_title", d)
	return nil
}

func dossierLeadPicker() unitPicked {
	return unitPicked{Field: "lead", Label: "dossier.lead", Required: true}
}

func dossierCoopPicker() unitsPicked { return unitsPicked{Field: "coop", Label: "dossier.coop"} }

// dossierRoundRefused shows the round again with a refusal.
func (s *Server) dossierRoundRefused(w http.ResponseWriter, r *http.Request, id int64, err error, in dossier.RequirementInput) error {
	return s.dossierRequirementRefused(w, r, id, err, in, nil)
}

// dossierRequirementRefused is dossierRoundRefused for the requirement
// form: its unit pickers show what was sent.
func (s *Server) dossierRequirementRefused(w http.ResponseWriter, r *http.Request, id int64, err error, in dossier.RequirementInput,
	units *leadAndCoop) error {
	return s.refused(err, func(status int, msg string) error {
		d, err := s.dossierRoundData(r, id)
		if err != nil {
			return err
		}
		d.In, d.Error = in, msg
		if units != nil && d.CanManage {
			d.Lead, d.Coop = units.Lead, units.Coop
		}
		s.render(w, r, status, "dossier_round", "dossier.round_title", d)
		return nil
	})
}
