package web

import (
	"bytes"
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/ledgerxlsx"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/site"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ledgerImportTemplate downloads the workbook to fill for a ledger import.
func (s *Server) ledgerImportTemplate(w http.ResponseWriter, r *http.Request) error {
	if !problem.MayImport(actorOf(r)) {
		return apperr.Forbidden("problem.import_forbidden")
	}
	var buf bytes.Buffer
	if err := ledgerxlsx.Template(&buf, s.Catalog.T); err != nil {
		return err
	}
	return s.download(w, &buf, xlsxType, "ledger-template.xlsx", s.Catalog.T("field.tpl.file_ledger")+".xlsx")
}

// siteImportTemplate downloads the empty workbook of sites.
func (s *Server) siteImportTemplate(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := site.TemplateXLSX(r.Context(), &buf, actorOf(r), s.Catalog.T, s.Problems.Now()); err != nil {
		return err
	}
	return s.download(w, &buf, xlsxType, "sites-template.xlsx", s.Catalog.T("field.tpl.file_sites")+".xlsx")
}
