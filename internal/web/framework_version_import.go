package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/framework"
)

// fwImport reads an uploaded sheet into a new version, all or nothing.
func (s *Server) fwImport(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	d := fwIndexData{ImportName: strings.TrimSpace(r.PostFormValue("name"))}
	fail := func(err error) error {
		return s.refusedOrMissing(err, func(status int, msg string) error {
			d.ImportError = msg
			return s.fwIndexPage(w, r, status, d)
		})
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return fail(apperr.Invalid("framework.file_required"))
	}
	defer f.Close()
	if fh.Size > framework.MaxFileSize {
		return fail(apperr.Invalid("framework.file_too_large", framework.MaxFileSize>>20))
	}
	data, err := io.ReadAll(io.LimitReader(f, framework.MaxFileSize+1))
	if err != nil {
		return err
	}
	format := framework.DetectFormat(data)
	ext := strings.ToLower(path.Ext(fh.Filename))
	if format == framework.FormatCSV && ext != ".csv" && ext != ".txt" {
		return fail(apperr.Invalid("framework.not_sheet"))
	}
	name := d.ImportName
	if name == "" {
		name = strings.TrimSuffix(path.Base(fh.Filename), path.Ext(fh.Filename))
	}
	in := framework.ImportInput{Name: name, Note: r.PostFormValue("note"), FileName: path.Base(fh.Filename),
		Activate: r.PostFormValue("activate") == "1"}
	v, rowErrs, err := s.Framework.ImportVersion(r.Context(), a, in, bytes.NewReader(data), format)
	if len(rowErrs) > 0 {
		if len(rowErrs) > fwMaxErrors {
			d.MoreErrors = len(rowErrs) - fwMaxErrors
			rowErrs = rowErrs[:fwMaxErrors]
		}
		d.ImportErrors = framework.Messages(rowErrs, s.Catalog.T)
	}
	if err != nil {
		return fail(err)
	}
	flash := "framework.imported"
	if v.Active {
		flash = "framework.imported_active"
	}
	return s.redirectWith(w, r, fwVersionPath(v.ID), flash)
}
