package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/selection"
)

type selectionPublicListData struct {
	Open  []selection.Round
	Shown []selection.Round
}

// selectionPublicList lists the rounds that take self-declarations today.
func (s *Server) selectionPublicList(w http.ResponseWriter, r *http.Request) error {
	open, err := s.Selections.OpenRounds(r.Context())
	if err != nil {
		return err
	}
	shown, err := s.Selections.ShownRounds(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "selection_public_list", "selection.public_title", selectionPublicListData{Open: open, Shown: shown})
	return nil
}
