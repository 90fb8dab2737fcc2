package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/region"
)

// gridForm is a grid as entered: its name and its boundary (GeoJSON).
type gridForm struct {
	Name     string
	Boundary string
}

func parseGridForm(r *http.Request) (gridForm, error) {
	if err := r.ParseForm(); err != nil {
		return gridForm{}, err
	}
	return gridForm{Name: r.PostFormValue("name"), Boundary: strings.TrimSpace(r.PostFormValue("boundary"))}, nil
}

// gridRefused shows the community page again with the reasons an added or
// imported grid was refused: one per row of a refused import.
func (s *Server) gridRefused(w http.ResponseWriter, r *http.Request, code, name string, err error) error {
	var msgs []string
	var ie *region.ImportError
	if errors.As(err, &ie) {
		msgs = ie.Messages(s.Catalog.T)
	}
	return s.refused(err, func(status int, msg string) error {
		d, derr := s.regionDetailData(r, code)
		if derr != nil {
			return derr
		}
		if msgs == nil {
			msgs = []string{msg}
		}
		d.Errors, d.GridName = msgs, name
		s.render(w, r, status, "region", "regions.detail_title", d)
		return nil
	})
}
