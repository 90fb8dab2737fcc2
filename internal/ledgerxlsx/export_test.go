package ledgerxlsx

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/sheetsafe/sheetsafetest"
)

// ledgerCases are a few cases across the life cycle, as Store.Each gives them.
func ledgerCases() []*problem.Case {
	return []*problem.Case{
		{Code: "20261101-00001", Source: problem.SourceInspection, CategoryID: catGarbage, CategoryName: "暴露垃圾",
			Description: "小区门口垃圾堆放", Address: "建设路 12 号", RegionCode: communityA, RegionName: "建设路社区",
			State: problem.Closed, UnitID: unitStreet, UnitName: "九龙街道办事处",
			ReportedAt: sh(2026, 11, 1, 9, 30), Deadline: sh(2026, 11, 3, 17, 30),
			RectifiedAt: sh(2026, 11, 2, 16, 0), ClosedAt: sh(2026, 11, 3, 10, 0), ReworkCount: 1},
		{Code: "20261105-00002", Source: problem.SourceHotline, CategoryID: catStall, CategoryName: "占道经营",
			Description: "早市占道经营", Address: "光明路与建设路交叉口", RegionCode: communityB, RegionName: "光明路社区",
			State: problem.InProgress, UnitID: unitUrban, UnitName: "湛河区城市管理局",
			ReportedAt: sh(2026, 11, 5, 7, 15), Deadline: sh(2026, 11, 10, 17, 30), ExtensionCount: 1, EscalationLevel: 2},
		{Code: "20261120-00003", Source: problem.SourceSnapshot, CategoryID: catGarbage, CategoryName: "暴露垃圾",
			Description: "绿化带内有塑料袋", RegionCode: communityA, RegionName: "建设路社区",
			State: problem.Rectified, UnitID: unitStreet, UnitName: "九龙街道办事处",
			ReportedAt: sh(2026, 11, 20, 8, 0), Deadline: sh(2026, 11, 21, 8, 0), RectifiedAt: sh(2026, 11, 20, 15, 45)},
		{Code: "20261121-00004", Source: problem.SourceCitizen, Description: "路灯不亮", RegionCode: communityB,
			RegionName: "光明路社区", State: problem.Reported, ReportedAt: sh(2026, 11, 21, 20, 5)},
		{Code: "20261121-00005", Source: problem.SourceMedia, CategoryID: catStall, CategoryName: "占道经营",
			Description: "夜市油烟扰民", RegionCode: communityB, RegionName: "光明路社区", State: problem.Parked,
			UnitID: unitUrban, UnitName: "湛河区城市管理局", ReportedAt: sh(2026, 11, 21, 21, 0), Deadline: sh(2026, 11, 22, 9, 0)},
		{Code: "20261122-00006", Source: problem.SourceSuperior, CategoryID: catGarbage, CategoryName: "暴露垃圾",
			Description: "背街小巷卫生死角", RegionCode: communityA, RegionName: "建设路社区", State: problem.Dispatched,
			UnitID: unitStreet, UnitName: "九龙街道办事处", ReportedAt: sh(2026, 11, 22, 8, 0), Deadline: sh(2026, 11, 22, 12, 0),
			EscalationLevel: 1},
		{Code: "20261122-00007", Source: problem.SourceOther, Description: "不属于创城范围", RegionCode: communityA,
			RegionName: "建设路社区", State: problem.Rejected, ReportedAt: sh(2026, 11, 22, 9, 0)},
	}
}

var exportNow = sh(2026, 11, 22, 14, 0)

func exportBytes(t *testing.T, cases []*problem.Case, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := Export(context.Background(), exporter, &buf, sliceSource(cases), tr(t), exportNow, opts)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	if n != len(cases) {
		t.Fatalf("Export wrote %d rows, want %d", n, len(cases))
	}
	return buf.Bytes()
}

func openExport(t *testing.T, b []byte) (*excelize.File, string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("open export: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f, f.GetSheetName(0)
}

func TestExportLayout(t *testing.T) {
	f, sheet := openExport(t, exportBytes(t, ledgerCases(), Options{Regions: testRegions()}))
	if sheet != "问题台账" {
		t.Errorf("sheet %q", sheet)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[0][0]; got != "问题台账（导出时间 2026-11-22 14:00）" {
		t.Errorf("title %q", got)
	}
	wantHeader := "编号 来源 类别 问题描述 地点 所属街道 所属社区 责任单位 发现时间 整改时限 状态 整改时间 结案时间 核查结果 是否超期 返工次数 延期次数 督办等级"
	if got := strings.Join(rows[1], " "); got != wantHeader {
		t.Errorf("header\n got %s\nwant %s", got, wantHeader)
	}
	if len(rows) != 2+len(ledgerCases()) {
		t.Fatalf("%d rows", len(rows))
	}
	// The exported rows as a person reads them (formatted values).
	want := [][]string{
		{"20261101-00001", "督导检查", "暴露垃圾", "小区门口垃圾堆放", "建设路 12 号", "九龙街道", "建设路社区", "九龙街道办事处",
			"2026-11-01 09:30", "2026-11-03 17:30", "已结案", "2026-11-02 16:00", "2026-11-03 10:00", "通过", "否", "1", "0", "—"},
		{"20261105-00002", "12345 热线", "占道经营", "早市占道经营", "光明路与建设路交叉口", "九龙街道", "光明路社区", "湛河区城市管理局",
			"2026-11-05 07:15", "2026-11-10 17:30", "整改中", "", "", "—", "是", "0", "1", "红牌"},
		{"20261120-00003", "随手拍", "暴露垃圾", "绿化带内有塑料袋", "", "九龙街道", "建设路社区", "九龙街道办事处",
			"2026-11-20 08:00", "2026-11-21 08:00", "已整改待核查", "2026-11-20 15:45", "", "—", "否", "0", "0", "—"},
		{"20261121-00004", "市民举报", "", "路灯不亮", "", "九龙街道", "光明路社区", "",
			"2026-11-21 20:05", "", "待立案", "", "", "—", "否", "0", "0", "—"},
		{"20261121-00005", "媒体曝光", "占道经营", "夜市油烟扰民", "", "九龙街道", "光明路社区", "湛河区城市管理局",
			"2026-11-21 21:00", "2026-11-22 09:00", "挂账", "", "", "—", "否", "0", "0", "—"},
		{"20261122-00006", "上级交办", "暴露垃圾", "背街小巷卫生死角", "", "九龙街道", "建设路社区", "九龙街道办事处",
			"2026-11-22 08:00", "2026-11-22 12:00", "已派遣待签收", "", "", "—", "是", "0", "0", "黄牌"},
		{"20261122-00007", "其他", "", "不属于创城范围", "", "九龙街道", "建设路社区", "",
			"2026-11-22 09:00", "", "不予立案", "", "", "—", "否", "0", "0", "—"},
	}
	for i, w := range want {
		got := rows[i+2]
		for len(got) < len(w) {
			got = append(got, "")
		}
		if strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("row %d\n got %q\nwant %q", i+3, got, w)
		}
	}
	// Times are real dates, not text, so they sort and filter in Excel.
	if typ, _ := f.GetCellType(sheet, "I3"); typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
		t.Errorf("reported time stored as text (%v)", typ)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 2 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	if w, _ := f.GetColWidth(sheet, "D"); w < 30 {
		t.Errorf("description column width %v", w)
	}
	if w, _ := f.GetColWidth(sheet, "O"); w > 12 {
		t.Errorf("overdue column width %v", w)
	}
	names := f.GetDefinedName()
	if len(names) != 1 || names[0].Name != "_xlnm._FilterDatabase" || !strings.HasSuffix(names[0].RefersTo, "$A$2:$R$9") &&
		!strings.HasSuffix(names[0].RefersTo, "A2:R9") {
		t.Errorf("auto filter: %+v", names)
	}
	st, err := f.GetCellStyle(sheet, "B2")
	if err != nil {
		t.Fatal(err)
	}
	if style, err := f.GetStyle(st); err != nil || style.Font == nil || !style.Font.Bold {
		t.Errorf("header not bold: %+v %v", style, err)
	}
}

func TestExportWithoutRegionNames(t *testing.T) {
	f, sheet := openExport(t, exportBytes(t, ledgerCases()[:1], Options{}))
	street, _ := f.GetCellValue(sheet, "F3")
	community, _ := f.GetCellValue(sheet, "G3")
	if street != "" || community != "建设路社区" {
		t.Errorf("street %q community %q", street, community)
	}
}

// TestExportNoFormulas: whatever a description starts with, the cell is a
// string and holds no formula, and text a spreadsheet would take for a
// formula has an apostrophe before it (CSV/formula injection).
func TestExportNoFormulas(t *testing.T) {
	payloads := append(sheetsafetest.Payloads(), "+SUM(A1:A2)", "-2+3", "@SUM(1)", `=HYPERLINK("http://evil.example","点我")`)
	texts := append(slices.Clone(payloads), "0123", "1e5", "a=b")
	var cases []*problem.Case
	for i, s := range texts {
		cases = append(cases, &problem.Case{Code: s, Description: s, Address: s, UnitName: s, CategoryName: s,
			State: problem.Filed, Source: problem.SourceOther, ReportedAt: sh(2026, 11, 1, 8, i)})
	}
	f, sheet := openExport(t, exportBytes(t, cases, Options{}))
	for i, s := range texts {
		for _, col := range []string{"A", "C", "D", "E", "H"} {
			cell := col + strconv.Itoa(i+3)
			if formula, err := f.GetCellFormula(sheet, cell); err != nil || formula != "" {
				t.Errorf("%s (%q): formula %q, %v", cell, s, formula, err)
			}
			typ, err := f.GetCellType(sheet, cell)
			if err != nil || typ != excelize.CellTypeInlineString {
				t.Errorf("%s (%q): type %v, %v", cell, s, typ, err)
			}
			v, _ := f.GetCellValue(sheet, cell)
			if i < len(payloads) {
				sheetsafetest.Check(t, cell, s, v)
			} else if v != s {
				t.Errorf("%s: value %q, want %q", cell, v, s)
			}
		}
	}
}

func TestIsOverdue(t *testing.T) {
	now := sh(2026, 11, 22, 14, 0)
	before, after := now.Add(-time.Hour), now.Add(time.Hour)
	tests := []struct {
		name string
		c    problem.Case
		want bool
	}{
		{"in progress past deadline", problem.Case{State: problem.InProgress, Deadline: before}, true},
		{"dispatched past deadline", problem.Case{State: problem.Dispatched, Deadline: before}, true},
		{"in progress within deadline", problem.Case{State: problem.InProgress, Deadline: after}, false},
		{"open without deadline", problem.Case{State: problem.Filed}, false},
		{"parked past deadline", problem.Case{State: problem.Parked, Deadline: before}, false},
		{"rectified past deadline", problem.Case{State: problem.Rectified, Deadline: before, RectifiedAt: now}, false},
		{"closed after deadline", problem.Case{State: problem.Closed, Deadline: before, ClosedAt: now}, true},
		{"closed on the deadline", problem.Case{State: problem.Closed, Deadline: before, ClosedAt: before}, false},
		{"closed without deadline", problem.Case{State: problem.Closed, ClosedAt: now}, false},
	}
	for _, tc := range tests {
		if got := isOverdue(&tc.c, now); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNames(t *testing.T) {
	asked := map[string]int{}
	names := map[string]string{"410411001": "九龙街道", "410411001001": "建设路社区"}
	regions := Names(func(code string) string { asked[code]++; return names[code] })
	tests := []struct{ code, street, community string }{
		{"410411001001", "九龙街道", "建设路社区"},
		{"410411001001003", "九龙街道", "建设路社区"}, // a grid: its community
		{"410411001", "九龙街道", ""},
		{"410411", "", ""},
		{"410411002001", "", ""},
	}
	for _, tc := range tests {
		s, c := regions(tc.code)
		if s != tc.street || c != tc.community {
			t.Errorf("%s: (%q, %q), want (%q, %q)", tc.code, s, c, tc.street, tc.community)
		}
	}
	if asked["410411001"] != 1 || asked["410411001001"] != 1 {
		t.Errorf("lookups not remembered: %v", asked)
	}
}

func TestExportSourceError(t *testing.T) {
	boom := errors.New("database gone")
	src := func(fn func(*problem.Case) error) error {
		if err := fn(ledgerCases()[0]); err != nil {
			return err
		}
		return boom
	}
	var buf bytes.Buffer
	if _, err := Export(context.Background(), exporter, &buf, src, tr(t), exportNow, Options{}); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if buf.Len() != 0 {
		t.Error("half a workbook written")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Export(ctx, exporter, &buf, sliceSource(ledgerCases()), tr(t), exportNow, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled export: %v", err)
	}
}

// TestExportRoundTrip: an exported ledger reads back into the same cases.
func TestExportRoundTrip(t *testing.T) {
	cases := ledgerCases()
	b := exportBytes(t, cases, Options{Regions: testRegions()})
	got, errs, err := ParseWorkbook(bytes.NewReader(b), nil, testLookups(), exportNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Fatalf("row errors: %v", Messages(errs, tr(t)))
	}
	if len(got) != len(cases) {
		t.Fatalf("%d cases, want %d", len(got), len(cases))
	}
	for i, c := range cases {
		want := problem.ImportedCase{Code: c.Code, Source: c.Source, CategoryID: c.CategoryID, Description: c.Description,
			Address: c.Address, RegionCode: c.RegionCode, UnitID: c.UnitID, State: c.State, ReportedAt: c.ReportedAt,
			Deadline: c.Deadline, RectifiedAt: c.RectifiedAt, ClosedAt: c.ClosedAt}
		if !sameCase(got[i], want) {
			t.Errorf("case %d\n got %+v\nwant %+v", i, got[i], want)
		}
	}
}

// sameCase compares imported cases, times by instant.
func sameCase(a, b problem.ImportedCase) bool {
	ta := []time.Time{a.ReportedAt, a.Deadline, a.RectifiedAt, a.ClosedAt}
	tb := []time.Time{b.ReportedAt, b.Deadline, b.RectifiedAt, b.ClosedAt}
	for i := range ta {
		if !ta[i].Equal(tb[i]) {
			return false
		}
	}
	a.ReportedAt, a.Deadline, a.RectifiedAt, a.ClosedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	b.ReportedAt, b.Deadline, b.RectifiedAt, b.ClosedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return a == b
}

// TestExportOddText: control characters (which XML cannot hold) and text
// beyond Excel's 32,767 characters per cell still give a valid workbook.
func TestExportOddText(t *testing.T) {
	long := strings.Repeat("长", 40000)
	cases := []*problem.Case{
		{Code: "X-1", Description: "垃圾\x00\x0b堆放 <b>&amp;</b>", State: problem.Filed, Source: problem.SourceOther, ReportedAt: exportNow},
		{Code: "X-2", Description: long, State: problem.Filed, Source: problem.SourceOther, ReportedAt: exportNow},
	}
	f, sheet := openExport(t, exportBytes(t, cases, Options{}))
	if v, _ := f.GetCellValue(sheet, "D3"); v != "垃圾\uFFFD\uFFFD堆放 <b>&amp;</b>" {
		t.Errorf("control characters: %q", v)
	}
	if v, _ := f.GetCellValue(sheet, "D4"); len([]rune(v)) != excelize.TotalCellChars {
		t.Errorf("long text: %d characters", len([]rune(v)))
	}
}
