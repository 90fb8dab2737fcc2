package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/merchant"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// merchantImport adds a sheet's merchants, all or nothing.
func (s *Server) merchantImport(w http.ResponseWriter, r *http.Request) error {
	show := func(status int, msg string, rows []string) error {
		d, derr := s.merchantListData(r)
		if derr != nil {
			return derr
		}
		d.Error, d.Errors = msg, rows
		s.render(w, r, status, "merchants", "merchant.title", d)
		return nil
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return s.refused(apperr.Invalid("merchant.import_file_required"), func(st int, m string) error { return show(st, m, nil) })
	}
	defer f.Close()
	n, rowErrs, err := s.Merchants.Import(r.Context(), actorOf(r), f)
	if err != nil {
		return s.refused(err, func(st int, m string) error { return show(st, m, nil) })
	}
	if len(rowErrs) > 0 {
		return show(http.StatusBadRequest, s.Catalog.T("merchant.import_rejected", len(rowErrs)), sheetsafe.Messages(rowErrs, s.Catalog.T))
	}
	return s.redirectWith(w, r, "/merchants", "merchant.imported", strconv.Itoa(n))
}

// merchantExport writes the merchants the actor sees in the import layout.
func (s *Server) merchantExport(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if !merchant.MayOpen(a) {
		return apperr.Forbidden("merchant.forbidden")
	}
	var buf bytes.Buffer
	q := r.URL.Query()
	if _, err := s.Merchants.Export(r.Context(), a, merchant.Filter{Query: q.Get("q"), Region: q.Get("region")}, &buf); err != nil {
		return err
	}
	return s.download(w, &buf, merchantXLSX, "merchants.xlsx", s.Catalog.T("merchant.export_name")+".xlsx")
}

// merchantTemplate is the empty import sheet.
func (s *Server) merchantTemplate(w http.ResponseWriter, r *http.Request) error {
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	for i, h := range merchant.ImportHeaders() {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellStr(sh, cell, h)
	}
	example := []string{"示例便利店", "91350100M000100Y43", "零售", "建设路 1 号", "113.30", "33.72", "", "张三", "13800000000", "半径", "", "10", "卫生、秩序、绿化", ""}
	for i, v := range example {
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		f.SetCellStr(sh, cell, v)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	return s.download(w, &buf, merchantXLSX, "merchants-template.xlsx", s.Catalog.T("merchant.template_name")+".xlsx")
}
