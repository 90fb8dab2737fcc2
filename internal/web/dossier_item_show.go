package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/dossier"
)

type dossierItemData struct {
	Item      *dossier.Item
	Today     string
	CanUpload bool
	CanReview bool
	CanSetDue bool
	MaxMB     int64
	In        dossier.Upload
	Error     string
}

func (s *Server) dossierItemData(r *http.Request, id int64) (dossierItemData, error) {
	a := actorOf(r)
	it, err := s.Dossiers.Item(r.Context(), a, id)
	if err != nil {
		return dossierItemData{}, err
	}
	return dossierItemData{Item: it, Today: s.Dossiers.Today(), CanUpload: it.CanUpload(a), CanReview: it.CanReview(a), CanSetDue: it.CanSetDue(a),
		MaxMB: s.Files.MaxBytes() >> 20, In: dossier.Upload{ConcernsOn: s.Dossiers.Today()}}, nil
}

// dossierItemShow is one item: its requirement, files with their history,
// the unit's upload form and the office's review.
func (s *Server) dossierItemShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.dossierItemData(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "dossier_item", "dossier.item_title", d)
	return nil
}

// dossierItemRefused shows the item again with a refusal.
func (s *Server) dossierItemRefused(w http.ResponseWriter, r *http.Request, id int64, err error, in dossier.Upload) error {
	return s.refused(err, func(status int, msg string) error {
		d, err := s.dossierItemData(r, id)
		if err != nil {
			return err
		}
		if in.Title != "" || in.Note != "" {
			d.In = in
		}
		d.Error = msg
		s.render(w, r, status, "dossier_item", "dossier.item_title", d)
		return nil
	})
}
