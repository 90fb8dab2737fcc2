package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/dossier"
)

// dossierMissing lists the items of one criterion of a round that are not
// approved yet, in an area: what the projected score links to.
func (s *Server) dossierMissing(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	round, err := s.Dossiers.Round(ctx, a, id)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	crit, _ := strconv.ParseInt(q.Get("criterion"), 10, 64)
	items, err := s.Dossiers.Items(ctx, a, dossier.ItemFilter{RoundID: id, CriterionID: crit, NotApproved: true, Region: q.Get("region"), Limit: 2000})
	if err != nil {
		return err
	}
	heading := s.Catalog.T("dossier.missing_title", round.Name)
	if crit != 0 {
		if c, err := s.Dossiers.CriterionName(ctx, crit); err == nil {
			heading = s.Catalog.T("dossier.missing_criterion", round.Name, c.Code, c.Body)
		}
	}
	d := dossierItemsData{Heading: heading, Items: items, Today: s.Dossiers.Today(), Back: dossierRoundPath(id)}
	s.render(w, r, http.StatusOK, "dossier_items", "dossier.missing_page", d)
	return nil
}
