package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/merchant"
)

type merchantLookupData struct {
	Query   string
	Results []merchant.Public
	One     *merchant.Public
	Asked   bool
}

// merchantLookup is the public lookup (no sign-in): a merchant's current
// flag and 诚信 title, by name.
func (s *Server) merchantLookup(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query().Get("q")
	res, err := s.Merchants.PublicSearch(r.Context(), q)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "merchant_lookup", "merchant.lookup_title", merchantLookupData{Query: q, Results: res, Asked: q != ""})
	return nil
}

// merchantLookupOne is one merchant's public record.
func (s *Server) merchantLookupOne(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.Merchants.PublicGet(r.Context(), id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "merchant_lookup", "merchant.lookup_title", merchantLookupData{One: &p})
	return nil
}
