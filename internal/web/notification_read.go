package web

import (
	"net/http"
	"strconv"
)

func (s *Server) notificationsRead(w http.ResponseWriter, r *http.Request) error {
	if err := s.Notices.MarkRead(r.Context(), actorOf(r), formID(r, "id")); err != nil {
		return err
	}
	to := "/notifications"
	if id := formID(r, "problem_id"); id != 0 {
		to = "/problems/" + strconv.FormatInt(id, 10)
	} else if id := formID(r, "bulletin_id"); id != 0 {
		to = "/bulletins/" + strconv.FormatInt(id, 10)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
