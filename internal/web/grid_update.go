package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/region"
)

type gridEditData struct {
	Grid   region.Region
	Trail  []region.Region
	Name   string
	Errors []string
}

func (s *Server) gridEditForm(w http.ResponseWriter, r *http.Request) error {
	trail, err := s.Regions.Ancestors(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	g := trail[len(trail)-1]
	if g.Level != region.Grid {
		return apperr.NotFound("region.not_found", g.Code)
	}
	if !actorOf(r).Manages(g.Code) {
		return apperr.Forbidden("region.forbidden")
	}
	s.render(w, r, http.StatusOK, "grid_edit", "regions.grid_edit_title", gridEditData{Grid: g, Trail: trail[:len(trail)-1], Name: g.Name})
	return nil
}

func (s *Server) gridUpdate(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	f, err := parseGridForm(r)
	if err != nil {
		return err
	}
	g, err := s.Regions.UpdateGrid(r.Context(), actorOf(r), code, f.Name, []byte(f.Boundary))
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			trail, terr := s.Regions.Ancestors(r.Context(), code)
			if terr != nil {
				return terr
			}
			cur := trail[len(trail)-1]
			cur.Boundary = r.PostFormValue("boundary")
			s.render(w, r, status, "grid_edit", "regions.grid_edit_title", gridEditData{
				Grid: cur, Trail: trail[:len(trail)-1], Name: f.Name, Errors: []string{msg}})
			return nil
		})
	}
	return s.redirectWith(w, r, "/regions/"+g.ParentCode, "common.saved")
}
