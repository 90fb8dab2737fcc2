package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

type volunteerCertificatesData struct {
	List    []volunteer.Certificate
	Manages bool
	Error   string
}

func (s *Server) volunteerCertificatesPage(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	a := actorOf(r)
	list, err := s.Volunteers.Certificates(r.Context(), a, 0)
	if err != nil {
		return err
	}
	s.render(w, r, status, "volunteer_certificates", "volunteer.certificates_title",
		volunteerCertificatesData{List: list, Manages: a.Manages(a.Region), Error: msg})
	return nil
}

// volunteerCertificates lists the certificates of the office's area.
func (s *Server) volunteerCertificates(w http.ResponseWriter, r *http.Request) error {
	return s.volunteerCertificatesPage(w, r, http.StatusOK, "")
}
