package web

import "net/http"

func (s *Server) gridAdd(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	f, err := parseGridForm(r)
	if err != nil {
		return err
	}
	g, err := s.Regions.AddGrid(r.Context(), actorOf(r), code, f.Name, []byte(f.Boundary))
	if err != nil {
		return s.gridRefused(w, r, code, f.Name, err)
	}
	return s.redirectWith(w, r, "/regions/"+g.ParentCode, "regions.grid_added")
}
