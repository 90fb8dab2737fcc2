package web

import (
	"net/http"
)

// selectionObjectionResolve answers an objection to a round's 公示.
func (s *Server) selectionObjectionResolve(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	err = s.Selections.Resolve(r.Context(), actorOf(r), id, formID(r, "objection"), r.PostFormValue("upheld") == "1", r.PostFormValue("reason"))
	if err != nil {
		return s.refused(err, func(status int, msg string) error { return s.selectionRoundPage(w, r, id, status, msg) })
	}
	return s.redirectWith(w, r, roundPath(id), "selection.objection_answered")
}
