package web

import (
	"net/http"
)

// bulletinPreview computes a draft: as a page, or (view=print, xlsx, pdf)
// in the other layouts.
func (s *Server) bulletinPreview(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	req, ids, err := s.composeRequest(r.Context(), actorOf(r), q)
	if err != nil {
		return s.composeFailed(w, r, q, err)
	}
	b, err := s.Bulletins.Preview(r.Context(), actorOf(r), req)
	if err != nil {
		return s.composeFailed(w, r, q, err)
	}
	// The draft's links and issue form carry the units as ids.
	r = r.Clone(r.Context())
	r.URL.RawQuery = ids.Encode()
	return s.showBulletin(w, r, b, q.Get("view"))
}
