package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/dossier"
)

// dossierItemReview is the office's approval, or return with a reason
// (退回补充), of an item.
func (s *Server) dossierItemReview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	d := dossier.Decision{Approve: r.PostFormValue("decision") == "approve", Reason: r.PostFormValue("reason")}
	if _, err := s.Dossiers.Review(r.Context(), actorOf(r), id, d); err != nil {
		return s.dossierItemRefused(w, r, id, err, dossier.Upload{})
	}
	key := "dossier.item_returned"
	if d.Approve {
		key = "dossier.item_approved"
	}
	back := localPath(r.PostFormValue("back"))
	if back == "/" {
		back = dossierItemPath(id)
	}
	return s.redirectWith(w, r, back, key)
}
