package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/dossier"
)

// dossierRoundOpen generates the instances and opens the round.
func (s *Server) dossierRoundOpen(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := s.Dossiers.OpenRound(r.Context(), actorOf(r), id)
	if err != nil {
		return s.dossierRoundRefused(w, r, id, err, dossier.RequirementInput{})
	}
	return s.redirectWith(w, r, dossierRoundPath(id), "dossier.round_opened", itoa64(int64(n)))
}

// dossierRoundCopy copies a round with its requirements for another
// evaluation date.
func (s *Server) dossierRoundCopy(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	round, err := s.Dossiers.CopyRound(r.Context(), actorOf(r), id, dossier.RoundInput{Name: r.PostFormValue("name"),
		EvaluationOn: r.PostFormValue("evaluation_on")})
	if err != nil {
		return s.dossierRoundRefused(w, r, id, err, dossier.RequirementInput{})
	}
	return s.redirectWith(w, r, dossierRoundPath(round.ID), "dossier.round_copied")
}
