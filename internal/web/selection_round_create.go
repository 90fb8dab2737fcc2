package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/selection"
)

// selectionRoundCreate opens a round of a kind for nominations.
func (s *Server) selectionRoundCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := selection.RoundInput{KindID: formID(r, "kind"), Title: r.PostFormValue("title"), RegionCode: r.PostFormValue("region"),
		PeriodLabel: r.PostFormValue("period"), OpensOn: r.PostFormValue("opens_on"), ClosesOn: r.PostFormValue("closes_on"), Quota: formInt(r, "quota")}
	id, err := s.Selections.CreateRound(r.Context(), actorOf(r), in)
	if err != nil {
		return s.refused(err, func(status int, msg string) error { return s.selectionListPage(w, r, status, msg) })
	}
	return s.redirectWith(w, r, roundPath(id), "selection.round_created")
}
