package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

// volunteerVerify is the public check of a certificate (/v/c/{code}): the
// masked name, the hours and the number; a wrong code is "not found".
func (s *Server) volunteerVerify(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Volunteers.Verify(r.Context(), r.PathValue("code"))
	if err != nil {
		if apperr.As(err).Kind == apperr.KindNotFound {
			s.render(w, r, http.StatusNotFound, "volunteer_verify", "volunteer.verify_title", struct{ C *volunteer.Certificate }{})
			return nil
		}
		return err
	}
	s.render(w, r, http.StatusOK, "volunteer_verify", "volunteer.verify_title", struct{ C *volunteer.Certificate }{&c})
	return nil
}
