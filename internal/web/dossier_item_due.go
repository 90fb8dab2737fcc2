package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/dossier"
)

// dossierItemDue is the office moving one instance's due date.
func (s *Server) dossierItemDue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	if _, err := s.Dossiers.SetDue(r.Context(), actorOf(r), id, r.PostFormValue("due_on")); err != nil {
		return s.dossierItemRefused(w, r, id, err, dossier.Upload{})
	}
	return s.redirectWith(w, r, dossierItemPath(id), "dossier.due_changed")
}
