package web

import (
	"bytes"
	"net/http"
)

// workplanExport writes a plan's tasks in the import layout.
func (s *Server) workplanExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	p, err := s.Workplans.Plan(r.Context(), a, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.Workplans.ExportPlan(r.Context(), a, &buf, id, s.Catalog.T); err != nil {
		return err
	}
	return s.download(w, &buf, workplanXLSX, "workplan.xlsx", p.Name+".xlsx")
}
