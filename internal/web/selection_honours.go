package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/selection"
)

type selectionHonoursData struct {
	Region string
	Name   string
	List   []selection.Honour
}

// selectionHonours is an area's public honour roll (光荣榜).
func (s *Server) selectionHonours(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("region")
	reg, err := s.Regions.Get(r.Context(), code)
	if err != nil {
		return apperr.NotFound("selection.region_unknown")
	}
	list, err := s.Selections.HonourRoll(r.Context(), code)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "selection_honours", "selection.honours_title", selectionHonoursData{Region: code, Name: reg.Name, List: list})
	return nil
}
