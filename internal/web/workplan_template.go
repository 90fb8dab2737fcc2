package web

import (
	"bytes"
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// workplanTemplate serves an empty plan sheet in the import layout.
func (s *Server) workplanTemplate(w http.ResponseWriter, r *http.Request) error {
	if !workplan.MayRun(actorOf(r)) {
		return apperr.Forbidden("workplan.forbidden")
	}
	var buf bytes.Buffer
	if err := workplan.Template(&buf); err != nil {
		return err
	}
	return s.download(w, &buf, workplanXLSX, "workplan-template.xlsx", s.Catalog.T("workplan.template_file"))
}
