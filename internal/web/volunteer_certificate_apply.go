package web

import (
	"net/http"
)

// volunteerCertificateApply asks for a certificate: a volunteer for
// themselves, an organiser or the office for a volunteer of theirs.
func (s *Server) volunteerCertificateApply(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	vid := formID(r, "volunteer")
	_, err := s.Volunteers.Apply(r.Context(), actorOf(r), vid, r.PostFormValue("from"), r.PostFormValue("to"))
	back := "/volunteers/me"
	if vid != 0 {
		back = volunteerPath(vid)
	}
	if err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error {
			v, gerr := s.Volunteers.Get(r.Context(), actorOf(r), vid)
			if vid == 0 {
				v, gerr = s.Volunteers.Mine(r.Context(), actorOf(r))
			}
			if gerr != nil {
				return gerr
			}
			return s.volunteerPage(w, r, v, vid == 0, status, msg)
		})
	}
	return s.redirectWith(w, r, back, "volunteer.certificate_applied")
}
