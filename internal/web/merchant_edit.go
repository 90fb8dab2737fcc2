package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/merchant"
)

func inputOfMerchant(m merchant.Merchant) merchant.Input {
	return merchant.Input{Name: m.Name, CreditCode: m.CreditCode, BusinessType: m.BusinessType, Address: m.Address, Lng: m.Lng, Lat: m.Lat,
		SiteID: m.SiteID, Operator: m.Operator, Phone: m.Phone, FrontageKind: m.Frontage.Kind, FrontageJSON: m.Frontage.GeoJSON,
		FrontageMeters: m.Frontage.Meters, Duties: m.Duties, CommitmentKey: m.CommitmentKey, CommitmentOn: m.CommitmentOn}
}

// merchantEdit shows a merchant's form filled in.
func (s *Server) merchantEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	m, err := s.Merchants.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	if !m.CanManage(a) {
		return apperr.Forbidden("merchant.forbidden")
	}
	return s.showMerchantForm(w, r, http.StatusOK, merchantFormData{ID: id, In: inputOfMerchant(m)})
}

// merchantUpdate saves a merchant's form.
func (s *Server) merchantUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	in, err := merchantForm(r)
	show := func(st int, msg string) error {
		return s.showMerchantForm(w, r, st, merchantFormData{ID: id, In: in, Error: msg})
	}
	if err != nil {
		return s.refused(err, show)
	}
	if _, err := s.Merchants.Update(r.Context(), actorOf(r), id, in); err != nil {
		return s.refused(err, show)
	}
	return s.redirectWith(w, r, merchantPath(id), "merchant.saved")
}
