package web

import (
	"net/http"
	"strconv"
)

// volunteerObjectionCreate records anyone's objection to a publicity.
func (s *Server) volunteerObjectionCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := s.Volunteers.Object(r.Context(), id, r.PostFormValue("body"), r.PostFormValue("contact")); err != nil {
		return s.refused(err, func(status int, msg string) error { return s.volunteerPublicityPage(w, r, id, status, msg, false) })
	}
	http.Redirect(w, r, "/public/volunteers/publicity/"+strconv.FormatInt(id, 10)+"?sent=1", http.StatusSeeOther)
	return nil
}
