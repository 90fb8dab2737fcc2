package web

import (
	"net/http"
	"strconv"
)

// siteRegenerateQR replaces the site's QR code; the old one stops working.
func (s *Server) siteRegenerateQR(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.Sites.RegenerateQR(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/sites/"+strconv.FormatInt(id, 10), "site.qr_regenerated")
}
