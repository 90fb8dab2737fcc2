package web

import (
	"bytes"
	"io"
	"net/http"
	"net/url"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/inspect"
)

// planExport writes the plan's results as an Excel workbook.
func (s *Server) planExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	res, err := s.Inspections.Results(ctx, a, id)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, uid := range res.Plan.Inspectors {
		if u, err := s.Org.GetUser(ctx, access.System(), uid); err == nil {
			names[uid] = u.DisplayName
		}
	}
	var buf bytes.Buffer
	if err := inspect.ExportXLSX(&buf, res, names, s.Catalog.T); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"inspection.xlsx\"; filename*=UTF-8''"+url.PathEscape(res.Plan.Name)+".xlsx")
	_, err = io.Copy(w, &buf)
	return err
}
