package web

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
)

func (s *Server) siteExport(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	f := siteFilter(r.URL.Query())
	if r.URL.Query().Get("state") == "" {
		f.State = "" // the whole register unless narrowed
	}
	now := s.Problems.Now()
	var buf bytes.Buffer
	if _, err := s.Sites.ExportXLSX(r.Context(), &buf, a, f, s.Catalog.T, now); err != nil {
		return err
	}
	name := s.Catalog.T("site.xlsx.file", now.In(s.loc).Format("20060102-1504")) + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"sites.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	_, err := io.Copy(w, &buf)
	return err
}
