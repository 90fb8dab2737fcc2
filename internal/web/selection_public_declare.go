package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/selection"
)

type selectionDeclareData struct {
	R     selection.Round
	K     selection.Kind
	Error string
	Sent  bool
}

func (s *Server) selectionDeclarePage(w http.ResponseWriter, r *http.Request, id int64, status int, msg string) error {
	rd, k, err := s.declarableRound(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, status, "selection_declare", "selection.declare_title",
		selectionDeclareData{R: rd, K: k, Error: msg, Sent: r.URL.Query().Get("sent") == "1"})
	return nil
}

// declarableRound is a round in its nomination stage, for the public form.
func (s *Server) declarableRound(r *http.Request, id int64) (selection.Round, selection.Kind, error) {
	ctx := r.Context()
	rd, err := s.Selections.Round(ctx, access.System(), id)
	if err != nil {
		return rd, selection.Kind{}, err
	}
	if rd.State != selection.RoundNominating {
		return rd, selection.Kind{}, apperr.NotFound("selection.round_not_found")
	}
	k, err := s.Selections.Kind(ctx, rd.KindID)
	return rd, k, err
}

// selectionDeclareForm is the public self-declaration form (自主申报).
func (s *Server) selectionDeclareForm(w http.ResponseWriter, r *http.Request) error {
	if !actorOf(r).SignedIn() {
		s.ensurePre(w, r)
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.selectionDeclarePage(w, r, id, http.StatusOK, "")
}

// selectionDeclare records a self-declaration; it counts no review level.
func (s *Server) selectionDeclare(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	_, k, err := s.declarableRound(r, id)
	if err != nil {
		return err
	}
	// The public form speaks for nobody, even for a signed-in user.
	if _, err := s.Selections.Nominate(r.Context(), access.Actor{}, selectionNomination(r, id, k)); err != nil {
		return s.refused(err, func(status int, msg string) error { return s.selectionDeclarePage(w, r, id, status, msg) })
	}
	http.Redirect(w, r, publicRoundPath(id)+"/declare?sent=1", http.StatusSeeOther)
	return nil
}
