package server

import (
	"context"
	"errors"

	"github.com/wenming-civic/wenming/internal/dossier"
	"github.com/wenming-civic/wenming/internal/projection"
)

// dossierSource gives the projected score the dossier criteria's
// completeness from the latest dossier round covering the area.
type dossierSource struct{ dossiers *dossier.Store }

func (d dossierSource) Dossier(ctx context.Context, versionID int64, regionCode string) (projection.DossierRound, error) {
	a, err := d.dossiers.Achievement(ctx, versionID, regionCode)
	if errors.Is(err, dossier.ErrNoRound) {
		return projection.DossierRound{}, projection.ErrNoDossier
	}
	if err != nil {
		return projection.DossierRound{}, err
	}
	out := projection.DossierRound{RoundID: a.RoundID, RoundName: a.RoundName}
	for _, c := range a.Criteria {
		pc := projection.DossierCriterion{CriterionID: c.CriterionID, Required: c.Required, Approved: c.Approved, MissingURL: c.MissingURL}
		for _, u := range c.Units {
			pc.Units = append(pc.Units, projection.DossierUnit{UnitID: u.UnitID, UnitName: u.UnitName, Required: u.Required, Approved: u.Approved})
		}
		out.Criteria = append(out.Criteria, pc)
	}
	return out, nil
}
