package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/dossier"
)

type dossierListData struct {
	Rounds  []dossier.Round
	CanRun  bool
	IsUnit  bool
	In      dossier.RoundInput
	Region  string
	Default string
	Error   string
}

func (s *Server) dossierListData(r *http.Request) (dossierListData, error) {
	ctx, a := r.Context(), actorOf(r)
	if !dossier.MayOpen(a) {
		return dossierListData{}, apperr.Forbidden("dossier.forbidden")
	}
	d := dossierListData{CanRun: dossier.MayRun(a), IsUnit: a.UnitID != 0 && a.Has("handler"), Region: a.Region}
	var err error
	d.Rounds, err = s.Dossiers.Rounds(ctx, a)
	return d, err
}

// dossierList is the dossier rounds (材料申报), with the office's form to
// make one.
func (s *Server) dossierList(w http.ResponseWriter, r *http.Request) error {
	d, err := s.dossierListData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "dossiers", "dossier.title", d)
	return nil
}
