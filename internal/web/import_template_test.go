package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/ledgerxlsx"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/site"
)

// TestImportTemplates: both imports offer a template to download; the
// ledger's maps every field by its headers and imports once filled in; the
// sites' has the columns the import reads; and only those who may import
// get them.
func TestImportTemplates(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office, handler := app.SignedIn(t, "office"), app.SignedIn(t, "handler")
	servertest.MustContain(t, office.Get("/problems/import").Body, `href="/problems/import/template.xlsx"`, "下载导入模板", "data-upload-progress")
	servertest.MustContain(t, office.Get("/sites/import").Body, `href="/sites/import/template.xlsx"`, "下载空白模板", "data-upload-progress")
	for _, p := range []string{"/problems/import/template.xlsx", "/sites/import/template.xlsx"} {
		if res := handler.Get(p); res.Status != http.StatusForbidden {
			t.Errorf("handler got %s: %d", p, res.Status)
		}
	}
	open := func(path string) *excelize.File {
		t.Helper()
		res := office.Get(path)
		if res.Status != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s: %d %v", path, res.Status, res.Header)
		}
		f, err := excelize.OpenReader(strings.NewReader(res.Body))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}

	// The ledger template: its headers map every field, and its first
	// sheet holds nothing else.
	book := open("/problems/import/template.xlsx")
	var buf bytes.Buffer
	if err := book.Write(&buf); err != nil {
		t.Fatal(err)
	}
	headers, err := ledgerxlsx.Headers(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if m := ledgerxlsx.DetectMapping(headers); len(m) != len(ledgerxlsx.Fields()) {
		t.Fatalf("template headers %v map %d of %d fields", headers, len(m), len(ledgerxlsx.Fields()))
	}
	sheets := book.GetSheetList()
	if len(sheets) != 2 || sheets[1] != "填写说明" {
		t.Fatalf("sheets %v", sheets)
	}
	if help, _ := book.GetRows(sheets[1]); len(help) != len(ledgerxlsx.Fields())+1 {
		t.Errorf("the help sheet has %d rows", len(help))
	}
	// Filled in, it imports.
	row := map[string]string{"问题描述*": "建设路人行道堆放杂物", "所属社区（网格）*": "电力社区居民委员会", "发现时间*": "2026-10-08 09:30", "问题类别": "乱堆乱放"}
	for i, h := range headers {
		if v, ok := row[h]; ok {
			cell, _ := excelize.CoordinatesToCellName(i+1, 2)
			if err := book.SetCellStr(sheets[0], cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	buf.Reset()
	if err := book.Write(&buf); err != nil {
		t.Fatal(err)
	}
	office.Get("/problems/import")
	res := office.Upload("/problems/import", "模板.xlsx", nil, buf.Bytes())
	if res.Status != http.StatusOK {
		t.Fatalf("filled template: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, res.Body, "已导入 1 条问题。")

	// The sites template: the title row and the import's columns.
	sites := open("/sites/import/template.xlsx")
	rows, err := sites.GetRows(sites.GetSheetList()[0])
	if err != nil || len(rows) != 2 {
		t.Fatalf("site template rows %d (%v)", len(rows), err)
	}
	for c := site.Column(0); c <= site.ColLiaisonPhone; c++ {
		if int(c) >= len(rows[1]) || rows[1][c] != c.Header() {
			t.Errorf("site template column %d: %v, want %s", c, rows[1], c.Header())
		}
	}
}
