package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/org"
)

func (s *Server) unitEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.Org.EditUnit(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.showUnitForm(w, r, http.StatusOK, unitFormData{ID: id, In: org.UnitInput{
		Code: u.Code, Name: u.Name, Kind: u.Kind, Line: u.Line, ParentID: u.ParentID, RegionCode: u.RegionCode,
		HeadName: u.HeadName, HeadPhone: u.HeadPhone, LiaisonName: u.LiaisonName, LiaisonPhone: u.LiaisonPhone,
	}})
}

func (s *Server) unitUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	f, err := s.unitForm(r)
	in := f.UnitInput
	if err == nil {
		_, err = s.Org.UpdateUnit(r.Context(), actorOf(r), id, in)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.showUnitForm(w, r, status, unitFormData{ID: id, In: in, Parent: f.Parent, Error: msg})
		})
	}
	return s.redirectWith(w, r, "/units/"+strconv.FormatInt(id, 10), "common.saved")
}
