package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/selection"
)

type selectionKindsData struct {
	Kinds   []selection.Kind
	Manages bool
	Error   string
	Types   []string
	Periods []string
	Levels  []string
}

func (s *Server) selectionKindsPage(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	a := actorOf(r)
	if !selection.MayOpen(a) {
		return apperr.Forbidden("selection.forbidden")
	}
	kinds, err := s.Selections.Kinds(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, status, "selection_kinds", "selection.kinds_title",
		selectionKindsData{Kinds: kinds, Manages: selection.LevelOf(a) == selection.LevelOffice, Error: msg,
			Types: selection.CandidateTypes(), Periods: []string{selection.Month, selection.Quarter, selection.Year},
			Levels: []string{selection.LevelCommunity, selection.LevelStreet, selection.LevelOffice}})
	return nil
}

// selectionKinds lists the kinds of selection with their score sheets.
func (s *Server) selectionKinds(w http.ResponseWriter, r *http.Request) error {
	return s.selectionKindsPage(w, r, http.StatusOK, "")
}
