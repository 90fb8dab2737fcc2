package web

import (
	"net/http"
)

// selectionPublicObject records anyone's objection to a 公示.
func (s *Server) selectionPublicObject(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := s.Selections.Object(r.Context(), id, formID(r, "nomination"), r.PostFormValue("body"), r.PostFormValue("contact")); err != nil {
		return s.refused(err, func(status int, msg string) error { return s.selectionPublicPage(w, r, id, status, msg, false) })
	}
	http.Redirect(w, r, publicRoundPath(id)+"?sent=1", http.StatusSeeOther)
	return nil
}
