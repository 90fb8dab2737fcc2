package web

import (
	"net/http"
	"time"

	"github.com/wenming-civic/wenming/internal/selection"
)

type selectionNomView struct {
	selection.Nomination
	Next      string
	CanReview bool
}

type selectionRoundData struct {
	R           selection.Round
	K           selection.Kind
	Noms        []selectionNomView
	Objections  []selection.Objection
	Level       string
	CanNominate bool
	Manages     bool
	Directory   bool
	ObjOpen     bool
	Now         time.Time
	Error       string
}

func (s *Server) selectionRoundPage(w http.ResponseWriter, r *http.Request, id int64, status int, msg string) error {
	ctx, a := r.Context(), actorOf(r)
	rd, err := s.Selections.Round(ctx, a, id)
	if err != nil {
		return err
	}
	k, err := s.Selections.Kind(ctx, rd.KindID)
	if err != nil {
		return err
	}
	noms, err := s.Selections.Nominations(ctx, a, id)
	if err != nil {
		return err
	}
	level := selection.LevelOf(a)
	now := s.Selections.Clock()
	d := selectionRoundData{R: rd, K: k, Level: level, Manages: level == selection.LevelOffice && a.Manages(rd.RegionCode),
		CanNominate: rd.State == selection.RoundNominating && selection.MayNominate(a), Directory: s.Selections.Merchants != nil,
		ObjOpen: rd.ObjectionsOpen(now), Now: now, Error: msg}
	for _, n := range noms {
		next := selection.NextLevel(k, n)
		d.Noms = append(d.Noms, selectionNomView{Nomination: n, Next: next,
			CanReview: next != "" && next == level && rd.State == selection.RoundNominating})
	}
	if a.Oversees(rd.RegionCode) {
		if d.Objections, err = s.Selections.Objections(ctx, a, id); err != nil {
			return err
		}
	}
	s.render(w, r, status, "selection_round", "selection.round_title", d)
	return nil
}

// selectionRoundShow is a round: its candidates with their score sheets
// and reviews, the forms of the actor's level, the objections and the
// award.
func (s *Server) selectionRoundShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.selectionRoundPage(w, r, id, http.StatusOK, "")
}
