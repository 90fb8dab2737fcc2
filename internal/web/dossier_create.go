package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/dossier"
)

// dossierCreate makes a draft round for the active framework version.
func (s *Server) dossierCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := dossier.RoundInput{Name: r.PostFormValue("name"), EvaluationOn: r.PostFormValue("evaluation_on"), RegionCode: r.PostFormValue("region")}
	round, err := s.Dossiers.CreateRound(r.Context(), actorOf(r), in)
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			d, err := s.dossierListData(r)
			if err != nil {
				return err
			}
			d.In, d.Error = in, msg
			s.render(w, r, status, "dossiers", "dossier.title", d)
			return nil
		})
	}
	return s.redirectWith(w, r, dossierRoundPath(round.ID), "dossier.round_created")
}

func dossierRoundPath(id int64) string { return "/dossiers/rounds/" + itoa64(id) }

func dossierItemPath(id int64) string { return "/dossiers/items/" + itoa64(id) }
