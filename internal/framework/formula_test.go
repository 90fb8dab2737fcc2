package framework_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/sheetsafe/sheetsafetest"
)

// TestExportNeutralisesFormulas: a criterion text that a spreadsheet would
// take for a formula is written with an apostrophe before it, in the
// workbook and in the CSV; the score stays a number.
func TestExportNeutralisesFormulas(t *testing.T) {
	score := -1.5
	item := &framework.Node{Level: framework.LevelItem, Code: "1", Text: "项目"}
	for i, p := range sheetsafetest.Payloads() {
		item.Children = append(item.Children, &framework.Node{Level: framework.LevelCriterion, Code: fmt.Sprintf("1.%d", i+1),
			Text: p, Score: &score})
	}
	v := framework.Version{Name: "注入", Items: []*framework.Node{item}}

	var xb bytes.Buffer
	if err := framework.Write(&xb, v, framework.FormatXLSX, nil); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	xrows, err := f.GetRows("测评体系", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var cb bytes.Buffer
	if err := framework.Write(&cb, v, framework.FormatCSV, nil); err != nil {
		t.Fatal(err)
	}
	crows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(cb.Bytes(), []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range sheetsafetest.Payloads() {
		// Rows: title, header, the item, then the criteria (XLSX); header, item, criteria (CSV).
		sheetsafetest.Check(t, fmt.Sprintf("xlsx row %d", i+4), p, xrows[i+3][3])
		// encoding/csv with UseCRLF drops a lone carriage return.
		sheetsafetest.Check(t, fmt.Sprintf("csv row %d", i+3), strings.ReplaceAll(p, "\r", ""), crows[i+2][3])
		cell, _ := excelize.CoordinatesToCellName(6, i+4)
		if typ, _ := f.GetCellType("测评体系", cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("score %s: type %v, want a number", cell, typ)
		}
		if xrows[i+3][5] != "-1.5" || crows[i+2][5] != "-1.5" {
			t.Errorf("score row %d: %q / %q, want -1.5", i, xrows[i+3][5], crows[i+2][5])
		}
	}
}
