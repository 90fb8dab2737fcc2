package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/dossier"
)

type dossierItemsData struct {
	Heading string
	Items   []*dossier.Item
	Today   string
	Back    string
	Note    string
}

// dossierMine is what the unit owes: its items in open rounds, overdue
// first, then by due date.
func (s *Server) dossierMine(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if !dossier.MayOpen(a) {
		return apperr.Forbidden("dossier.forbidden")
	}
	items, err := s.Dossiers.Items(r.Context(), a, dossier.ItemFilter{Mine: true})
	if err != nil {
		return err
	}
	d := dossierItemsData{Heading: s.Catalog.T("dossier.mine_title"), Items: items, Today: s.Dossiers.Today(), Back: "/dossiers"}
	s.render(w, r, http.StatusOK, "dossier_items", "dossier.mine_title", d)
	return nil
}

// dossierReview is the office's queue: submitted items to approve or return.
func (s *Server) dossierReview(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if !dossier.MayRun(a) {
		return apperr.Forbidden("dossier.forbidden")
	}
	items, err := s.Dossiers.Items(r.Context(), a, dossier.ItemFilter{State: dossier.Status(dossier.Submitted)})
	if err != nil {
		return err
	}
	d := dossierItemsData{Heading: s.Catalog.T("dossier.review_title"), Items: items, Today: s.Dossiers.Today(), Back: "/dossiers"}
	s.render(w, r, http.StatusOK, "dossier_items", "dossier.review_title", d)
	return nil
}
