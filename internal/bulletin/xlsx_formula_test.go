package bulletin_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/sheetsafe/sheetsafetest"
)

// TestExportXLSXNeutralisesFormulas: the title and the named cases'
// codes, descriptions and units that a spreadsheet would take for a
// formula are written with an apostrophe before them; no text cell of
// the workbook starts a formula, and counts stay numbers.
func TestExportXLSXNeutralisesFormulas(t *testing.T) {
	payloads := sheetsafetest.Payloads()
	b := &bulletin.Bulletin{Draft: true, IssuerName: "湛河区文明办", Title: payloads[0]}
	b.Period = bulletin.Period{Kind: bulletin.PeriodWeek, From: "2026-11-02", To: "2026-11-08"}
	for _, p := range payloads {
		b.Overdue = append(b.Overdue, bulletin.CaseRow{Code: p, Description: p, Unit: p, Region: p, OverdueDays: 3})
		b.Repeated = append(b.Repeated, bulletin.CaseRow{Code: p, Description: p, Unit: p, Rework: 2, State: "dispatched"})
	}
	var buf bytes.Buffer
	if err := bulletin.ExportXLSX(&buf, b, i18n.MustLoad("zh-CN").T); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]int{}
	numbers := 0
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				typ, _ := f.GetCellType(sheet, cell)
				// The stream writer marks text as inline strings; a
				// number carries no type.
				if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
					numbers++
					continue
				}
				if v != "" && strings.ContainsAny(v[:1], "=+-@\t\r") {
					t.Errorf("%s!%s: text %q starts a formula", sheet, cell, v)
				}
				seen[v]++
			}
		}
	}
	for _, p := range payloads {
		// A table cell that reads as a number is written as one (-2).
		if _, err := strconv.Atoi(p); err == nil && p[0] == '-' {
			continue
		}
		if seen["'"+p] == 0 {
			t.Errorf("%q not found neutralised in the workbook", p)
		}
	}
	if seen["'"+payloads[0]] < 4 { // the title, and the overdue and repeated lists' code and text
		t.Errorf("title %q written %d times", payloads[0], seen["'"+payloads[0]])
	}
	if numbers == 0 {
		t.Error("no number cells: counts should stay numbers")
	}
}
