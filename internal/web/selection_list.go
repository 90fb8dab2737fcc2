package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/selection"
)

type selectionListData struct {
	Rounds []selection.Round
	Kinds  []selection.Kind
	CanRun bool
	Today  string
	Error  string
	Region string
}

func (s *Server) selectionListPage(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	a := actorOf(r)
	if !selection.MayOpen(a) {
		return apperr.Forbidden("selection.forbidden")
	}
	rounds, err := s.Selections.Rounds(r.Context(), a)
	if err != nil {
		return err
	}
	kinds, err := s.Selections.Kinds(r.Context())
	if err != nil {
		return err
	}
	d := selectionListData{Rounds: rounds, Kinds: kinds, CanRun: selection.LevelOf(a) == selection.LevelOffice,
		Today: s.Selections.Clock().In(s.loc).Format("2006-01-02"), Error: msg, Region: a.Region}
	s.render(w, r, status, "selections", "selection.title", d)
	return nil
}

// selectionList lists the rounds of the actor's area and, for the office,
// the form that opens a round.
func (s *Server) selectionList(w http.ResponseWriter, r *http.Request) error {
	return s.selectionListPage(w, r, http.StatusOK, "")
}
