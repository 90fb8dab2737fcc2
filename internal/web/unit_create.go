package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/org"
)

func (s *Server) unitNew(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if _, err := s.Org.EditUnit(r.Context(), a, 0); err != nil {
		return err
	}
	return s.showUnitForm(w, r, http.StatusOK, unitFormData{In: org.UnitInput{Kind: org.KindTerritorial, RegionCode: a.Region, ParentID: a.UnitID}})
}

func (s *Server) unitCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	f, err := s.unitForm(r)
	in := f.UnitInput
	var u org.Unit
	if err == nil {
		u, err = s.Org.CreateUnit(r.Context(), actorOf(r), in)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.showUnitForm(w, r, status, unitFormData{In: in, Parent: f.Parent, Error: msg})
		})
	}
	return s.redirectWith(w, r, "/units/"+strconv.FormatInt(u.ID, 10), "common.saved")
}
