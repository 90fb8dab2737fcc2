package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
)

func (s *Server) gridImport(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	f, _, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return s.gridRefused(w, r, code, "", apperr.Invalid("regions.grid_file_required"))
	}
	defer f.Close()
	body, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	if _, err := s.Regions.ImportGrids(r.Context(), actorOf(r), code, body); err != nil {
		return s.gridRefused(w, r, code, "", err)
	}
	return s.redirectWith(w, r, "/regions/"+code, "regions.grids_imported")
}
