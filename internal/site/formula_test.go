package site_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/sheetsafe/sheetsafetest"
	"github.com/wenming-civic/wenming/internal/site"
)

// TestExportNeutralisesFormulas: a site's name, address and head that a
// spreadsheet would take for a formula are exported with an apostrophe
// before them, the coordinates stay numbers, and re-importing the export
// gives the sites back unchanged. (The store trims its texts, so a tab or
// carriage return in front is gone before the export.)
func TestExportNeutralisesFormulas(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := office("410411")
	rows := [][]any{header}
	for i, p := range sheetsafetest.Payloads() {
		rows = append(rows, []any{"", p, "公交站点", 113.3222 + float64(i)/1000, 33.7306, p, "", "", "湛河区交通运输局", "", "", p, "", "", ""})
	}
	if _, errs, err := e.store.ImportXLSX(ctx, a, bytes.NewReader(workbook(t, rows...))); err != nil || len(errs) > 0 {
		t.Fatalf("import: %v %v", err, site.Messages(errs, i18n.MustLoad("zh-CN").T))
	}
	var buf bytes.Buffer
	if _, err := e.store.ExportXLSX(ctx, &buf, a, site.Filter{}, i18n.MustLoad("zh-CN").T, time.Now()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	name := f.GetSheetList()[0]
	got, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string][]string{}
	for _, r := range got[2:] {
		byName[r[site.ColName]] = r
	}
	for _, p := range sheetsafetest.Payloads() {
		p = strings.TrimSpace(p) // the store trims what it keeps
		r, ok := byName["'"+p]
		if !ok {
			t.Errorf("no exported row named %q in %q", "'"+p, got[2:])
			continue
		}
		for _, c := range []site.Column{site.ColName, site.ColAddress, site.ColHead} {
			sheetsafetest.Check(t, fmt.Sprintf("%s/%s", p, c.Header()), p, r[c])
		}
	}
	cell, _ := excelize.CoordinatesToCellName(int(site.ColLng)+1, 3)
	if typ, _ := f.GetCellType(name, cell); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("longitude %s: type %v, want a number", cell, typ)
	}

	before, _, err := e.store.List(ctx, a, site.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if rep, errs, err := e.store.ImportXLSX(ctx, a, bytes.NewReader(buf.Bytes())); err != nil || len(errs) > 0 || rep.Updated != len(before) {
		t.Fatalf("re-import %+v: %v %v", rep, err, site.Messages(errs, i18n.MustLoad("zh-CN").T))
	}
	after, _, _ := e.store.List(ctx, a, site.Filter{Limit: 100})
	for i := range before {
		b, x := before[i], after[i]
		b.UpdatedAt, x.UpdatedAt = time.Time{}, time.Time{}
		if fmt.Sprintf("%+v", b) != fmt.Sprintf("%+v", x) {
			t.Errorf("round trip changed a site:\n%+v\n%+v", b, x)
		}
	}
}
