package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/merchant"
)

// merchantCommitment files the photo or scan of a signed commitment (责任书)
// and its date.
func (s *Server) merchantCommitment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	show := func(st int, msg string) error {
		d, derr := s.merchantShowData(r)
		if derr != nil {
			return derr
		}
		d.Error = msg
		s.render(w, r, st, "merchant", "merchant.show_title", d)
		return nil
	}
	files, err := s.merchantCommitmentFile(r)
	if err != nil {
		return s.refused(err, show)
	}
	if len(files) == 0 {
		return s.refused(apperr.Invalid("merchant.commitment_required"), show)
	}
	ctx, a := r.Context(), actorOf(r)
	m, err := s.Merchants.Get(ctx, a, id)
	if err != nil {
		return err
	}
	if !m.CanManage(a) {
		return s.refused(apperr.Forbidden("merchant.forbidden"), show)
	}
	hashes, _, err := s.ingestPhotos(ctx, files)
	if err != nil {
		return s.refused(err, show)
	}
	if err := s.Merchants.SetCommitment(ctx, a, id, merchant.PhotoKey(hashes[0]), r.PostFormValue("commitment_on")); err != nil {
		return s.refused(err, show)
	}
	return s.redirectWith(w, r, merchantPath(id), "merchant.commitment_saved")
}

// merchantPhoto serves a signed commitment's photo to someone who reads the merchant.
func (s *Server) merchantPhoto(w http.ResponseWriter, r *http.Request) error {
	return s.servePhotoIf(w, r, s.Merchants.CanSeePhoto)
}
