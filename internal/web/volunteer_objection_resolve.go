package web

import (
	"net/http"
	"strconv"
)

// volunteerObjectionResolve records the office's answer to an objection.
func (s *Server) volunteerObjectionResolve(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := s.Volunteers.Resolve(r.Context(), actorOf(r), id, formID(r, "objection"), r.PostFormValue("resolution")); err != nil {
		return s.refused(err, func(status int, msg string) error { return s.volunteerPublicityPage(w, r, id, status, msg, false) })
	}
	return s.redirectWith(w, r, "/public/volunteers/publicity/"+strconv.FormatInt(id, 10), "volunteer.objection_resolved_done")
}
