package web

import (
	"bytes"
	"io"
	"net/http"
	"net/url"

	"github.com/wenming-civic/wenming/internal/ledgerxlsx"
	"github.com/wenming-civic/wenming/internal/problem"
)

// ledgerExport streams the filtered ledger as the office's Excel sheet.
func (s *Server) ledgerExport(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	ctx := r.Context()
	f := ledgerFilter(r.URL.Query(), s.loc)
	names := ledgerxlsx.Names(func(code string) string {
		reg, err := s.Regions.Get(ctx, code)
		if err != nil {
			return ""
		}
		return reg.Name
	})
	now := s.Problems.Now()
	// Written to a buffer first so that a failure becomes an error page,
	// not half a file; excelize holds the zip in memory anyway.
	var buf bytes.Buffer
	src := func(fn func(*problem.Case) error) error { return s.Problems.Each(ctx, a, f, fn) }
	if _, err := ledgerxlsx.Export(ctx, a, &buf, src, s.Catalog.T, now, ledgerxlsx.Options{Regions: names}); err != nil {
		return err
	}
	name := s.Catalog.T("ledger.export_file", now.In(s.loc).Format("20060102-1504")) + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	_, err := io.Copy(w, &buf)
	return err
}
