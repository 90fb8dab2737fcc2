package web

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/projection"
)

// projectionExport writes the page's figures as a workbook.
func (s *Server) projectionExport(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Projection.Project(r.Context(), actorOf(r), strings.TrimSpace(r.URL.Query().Get("area")))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := projection.WriteXLSX(p, s.Catalog.T, &buf); err != nil {
		return err
	}
	return s.download(w, &buf, xlsxMIME, "projection-"+p.Area+".xlsx", "测评预估-"+p.AreaName+".xlsx")
}
