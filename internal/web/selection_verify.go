package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/selection"
)

type selectionVerifyData struct {
	C     selection.Certificate
	Found bool
	Error string
}

// selectionVerify is the public check of a certificate by its number; a
// wrong number says so, at 404.
func (s *Server) selectionVerify(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Selections.Verify(r.Context(), r.PathValue("number"))
	if err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error {
			s.render(w, r, status, "selection_verify", "selection.verify_title", selectionVerifyData{Error: msg})
			return nil
		})
	}
	s.render(w, r, http.StatusOK, "selection_verify", "selection.verify_title", selectionVerifyData{C: c, Found: true})
	return nil
}
