package web

import (
	"net/http"
)

func (s *Server) gridDelete(w http.ResponseWriter, r *http.Request) error {
	g, err := s.Regions.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	if err := s.Regions.DeleteGrid(r.Context(), actorOf(r), g.Code); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/regions/"+g.ParentCode, "regions.grid_deleted")
}
