package web

import (
	"net/http"
)

// volunteerCertificateDecide accepts, issues or rejects a certificate.
func (s *Server) volunteerCertificateDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	action := r.PostFormValue("action")
	if err := s.Volunteers.DecideCertificate(r.Context(), actorOf(r), id, action); err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error { return s.volunteerCertificatesPage(w, r, status, msg) })
	}
	return s.redirectWith(w, r, "/volunteers/certificates", "volunteer.certificate_"+map[string]string{"accept": "accepted", "issue": "issued", "reject": "rejected"}[action]+"_done")
}
