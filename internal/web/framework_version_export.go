package web

import (
	"bytes"
	"io"
	"net/http"
	"net/url"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/framework"
)

func (s *Server) fwExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	format := framework.Format(r.URL.Query().Get("format"))
	if format == "" {
		format = framework.FormatXLSX
	}
	if !format.Valid() {
		return apperr.Invalid("framework.format_unknown")
	}
	v, err := s.Framework.Version(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.Framework.Export(r.Context(), actorOf(r), &buf, id, format); err != nil {
		return err
	}
	name := s.Catalog.T("framework.export_file", v.Name) + "." + string(format)
	h := w.Header()
	h.Set("Content-Type", format.ContentType())
	h.Set("Content-Disposition", "attachment; filename=\"framework."+string(format)+"\"; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("Cache-Control", "no-store")
	_, err = io.Copy(w, &buf)
	return err
}
