package web

import (
	"net/http"
	"strconv"
)

// selectionAward ends a round's 公示 and numbers the certificates.
func (s *Server) selectionAward(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := s.Selections.Award(r.Context(), actorOf(r), id)
	if err != nil {
		return s.refused(err, func(status int, msg string) error { return s.selectionRoundPage(w, r, id, status, msg) })
	}
	return s.redirectWith(w, r, roundPath(id), "selection.awarded", strconv.Itoa(n))
}
