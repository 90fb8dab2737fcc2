package inspect_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/sheetsafe/sheetsafetest"
)

// TestExportNeutralisesFormulas: names of sites, types, streets, people
// and criteria that a spreadsheet would take for a formula are written
// with an apostrophe before them; rates stay numbers, negative ones too.
func TestExportNeutralisesFormulas(t *testing.T) {
	var res inspect.Results
	names := map[int64]string{}
	for i, p := range sheetsafetest.Payloads() {
		id := int64(i + 1)
		names[id] = p
		res.Sites = append(res.Sites, inspect.SiteScore{SiteID: id, SiteName: p, TypeName: p, StreetName: p, Done: true,
			Rate: 0.5, HasRate: true, Previous: 0.75, HasPrevious: true, InspectorID: id, AssigneeID: id, AssigneeName: p})
		res.ByType = append(res.ByType, inspect.Group{Name: p, Sites: 1, Rated: 1, Mean: 0.5})
		res.Worst = append(res.Worst, inspect.WorstCriterion{Code: p, Text: p, Fails: 1, Checked: 2})
	}
	res.Plan.Name = "=plan"
	cat := i18n.MustLoad("zh-CN")
	var buf bytes.Buffer
	if err := inspect.ExportXLSX(&buf, res, names, cat.T); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	rows := make([][][]string, len(sheets))
	for i, s := range sheets {
		if rows[i], err = f.GetRows(s, excelize.Options{RawCellValue: true}); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range sheetsafetest.Payloads() {
		site := rows[0][i+1]
		for _, col := range []int{0, 1, 2, 6, 7} {
			sheetsafetest.Check(t, fmt.Sprintf("sites row %d col %d", i+2, col+1), p, site[col])
		}
		if site[4] != "-25" {
			t.Errorf("change %q, want -25", site[4])
		}
		cell, _ := excelize.CoordinatesToCellName(5, i+2)
		if typ, _ := f.GetCellType(sheets[0], cell); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("change %s: type %v, want a number", cell, typ)
		}
		sheetsafetest.Check(t, fmt.Sprintf("groups row %d", i+2), p, rows[1][i+1][1])
		sheetsafetest.Check(t, fmt.Sprintf("worst row %d code", i+2), p, rows[2][i+1][0])
		sheetsafetest.Check(t, fmt.Sprintf("worst row %d text", i+2), p, rows[2][i+1][1])
	}
	overall := rows[1][len(rows[1])-1]
	sheetsafetest.Check(t, "overall plan name", "=plan", overall[1])
}
