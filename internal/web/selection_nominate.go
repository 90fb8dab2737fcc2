package web

import (
	"net/http"
)

// selectionNominate records a recommendation by a community, a street, a
// unit or the office.
func (s *Server) selectionNominate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	rd, err := s.Selections.Round(ctx, a, id)
	if err != nil {
		return err
	}
	k, err := s.Selections.Kind(ctx, rd.KindID)
	if err != nil {
		return err
	}
	if _, err := s.Selections.Nominate(ctx, a, selectionNomination(r, id, k)); err != nil {
		return s.refused(err, func(status int, msg string) error { return s.selectionRoundPage(w, r, id, status, msg) })
	}
	return s.redirectWith(w, r, roundPath(id), "selection.nominated")
}
