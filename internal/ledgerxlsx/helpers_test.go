package ledgerxlsx

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/problem"
)

// tr is the real catalogue, so the tests see what people see.
func tr(t testing.TB) func(key string, args ...any) string {
	t.Helper()
	return i18n.MustLoad("zh-CN").T
}

// sh builds a time in Shanghai.
func sh(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, calendar.Shanghai())
}

// sliceSource serves cases from memory, as Store.Each would from the database.
func sliceSource(cases []*problem.Case) Source {
	return func(fn func(*problem.Case) error) error {
		for _, c := range cases {
			if err := fn(c); err != nil {
				return err
			}
		}
		return nil
	}
}

// workbook builds an XLSX in memory with one sheet holding rows from row 1
// on; a nil row stays empty.
func workbook(t testing.TB, rows ...[]any) *bytes.Buffer {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		if r == nil {
			continue
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return &buf
}

// The names the test lookups know, standing in for the category, region
// and unit stores.
const (
	communityA = "410411001001"
	communityB = "410411001002"
	catGarbage = int64(11)
	catStall   = int64(12)
	unitUrban  = int64(21)
	unitStreet = int64(22)
)

func testLookups() Lookups {
	cats := map[string]int64{"暴露垃圾": catGarbage, "占道经营": catStall}
	regions := map[string]string{"建设路社区": communityA, "光明路社区": communityB, communityA: communityA, communityB: communityB}
	units := map[string]int64{"湛河区城市管理局": unitUrban, "九龙街道办事处": unitStreet}
	return Lookups{
		Category: func(n string) (int64, bool) { id, ok := cats[n]; return id, ok },
		Region:   func(n string) (string, bool) { c, ok := regions[n]; return c, ok },
		Unit:     func(n string) (int64, bool) { id, ok := units[n]; return id, ok },
	}
}

// testRegions names streets and communities for exports.
func testRegions() func(code string) (street, community string) {
	names := map[string]string{"410411001": "九龙街道", communityA: "建设路社区", communityB: "光明路社区"}
	return Names(func(code string) string { return names[code] })
}
