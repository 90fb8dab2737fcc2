package web

import (
	"net/http"
)

// bulletinPreview computes a draft: as a page, or (view=print, xlsx, pdf)
// in the other layouts.
func (s *Server) bulletinPreview(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	b, err := s.Bulletins.Preview(r.Context(), actorOf(r), bulletinRequest(q))
	if err != nil {
		return s.composeFailed(w, r, q, err)
	}
	return s.showBulletin(w, r, b, q.Get("view"))
}
