package ledgerxlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/problem"
)

func TestDetectMapping(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    Mapping
	}{
		{"our own export",
			[]string{"编号", "来源", "类别", "问题描述", "地点", "所属街道", "所属社区", "责任单位", "发现时间", "整改时限", "状态",
				"整改时间", "结案时间", "核查结果", "是否超期", "返工次数", "延期次数", "督办等级"},
			Mapping{FieldCode: "编号", FieldSource: "来源", FieldCategory: "类别", FieldDescription: "问题描述", FieldAddress: "地点",
				FieldRegion: "所属社区", FieldUnit: "责任单位", FieldReportedAt: "发现时间", FieldDeadline: "整改时限", FieldState: "状态",
				FieldRectifiedAt: "整改时间", FieldClosedAt: "结案时间"}},
		{"a street office's ledger: 序号 is not the code",
			[]string{"序号", "问题类型", "问题内容", "问题地点", "所属网格", "整改单位", "交办时间", "办结时限", "整改情况", "完成时间", "销号时间", "备注"},
			Mapping{FieldCategory: "问题类型", FieldDescription: "问题内容", FieldAddress: "问题地点", FieldRegion: "所属网格",
				FieldUnit: "整改单位", FieldReportedAt: "交办时间", FieldDeadline: "办结时限", FieldState: "整改情况",
				FieldRectifiedAt: "完成时间", FieldClosedAt: "销号时间"}},
		{"wrapped titles, marks and units",
			[]string{" 问题\n编号 ", "*问题描述", "位置", "社区", "承办单位", "上报时间（年月日）", "时限", "办理状态", "问题来源", "问题类别",
				"经度(WGS-84)", "纬度(WGS-84)"},
			Mapping{FieldCode: "问题\n编号", FieldDescription: "*问题描述", FieldAddress: "位置", FieldRegion: "社区",
				FieldUnit: "承办单位", FieldReportedAt: "上报时间（年月日）", FieldDeadline: "时限", FieldState: "办理状态",
				FieldSource: "问题来源", FieldCategory: "问题类别", FieldLng: "经度(WGS-84)", FieldLat: "纬度(WGS-84)"}},
		{"both community and grid: the community wins, the grid is left",
			[]string{"所属网格", "所属社区", "描述", "区域"},
			Mapping{FieldRegion: "所属社区", FieldDescription: "描述"}},
		{"nothing known", []string{"序号", "备注", "联系人"}, Mapping{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := DetectMapping(tc.headers)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestSynonymsAreDistinct(t *testing.T) {
	seen := map[string]Field{}
	for f, list := range synonyms() {
		for _, s := range list {
			if s != normHeader(s) {
				t.Errorf("%s synonym %q is not normalised", f, s)
			}
			if g, dup := seen[s]; dup {
				t.Errorf("%q is a synonym of both %s and %s", s, g, f)
			}
			seen[s] = f
		}
	}
	if _, ok := seen["序号"]; ok {
		t.Error("序号 numbers rows; it must not be a synonym")
	}
}

// ledgerHeader is a typical hand-kept header row.
var ledgerHeader = []any{"序号", "问题编号", "问题来源", "问题类别", "问题描述", "问题地点", "所属社区", "责任单位", "办理状态",
	"发现时间", "整改时限", "整改时间", "销号时间", "经度", "纬度"}

// good is a valid row of ledgerHeader with one value replaced per index.
func good(changes map[int]any) []any {
	row := []any{1, "", "12345热线", "暴露垃圾", "垃圾桶满溢", "建设路 8 号", "建设路社区", "九龙街道办事处", "整改中",
		"2026-11-01 09:00", "2026-11-05", "", "", "", ""}
	for i, v := range changes {
		row[i] = v
	}
	return row
}

var parseNow = sh(2026, 11, 22, 14, 0)

func TestParseGoodRows(t *testing.T) {
	base := problem.ImportedCase{Source: problem.SourceHotline, CategoryID: catGarbage, Description: "垃圾桶满溢",
		Address: "建设路 8 号", RegionCode: communityA, UnitID: unitStreet, State: problem.InProgress,
		ReportedAt: sh(2026, 11, 1, 9, 0), Deadline: endOfDay(sh(2026, 11, 5, 0, 0))}
	with := func(f func(c *problem.ImportedCase)) problem.ImportedCase {
		c := base
		f(&c)
		return c
	}
	tests := []struct {
		name string
		row  []any
		want problem.ImportedCase
	}{
		{"as written", good(nil), base},
		{"code kept", good(map[int]any{1: "ZH-2026-001"}), with(func(c *problem.ImportedCase) { c.Code = "ZH-2026-001" })},
		{"slashes", good(map[int]any{9: "2026/11/1 9:00"}), base},
		{"chinese date", good(map[int]any{9: "2026年11月1日 9时00分", 10: "2026年11月5日"}), base},
		{"compact date", good(map[int]any{10: "20261105"}), base},
		{"dots and seconds", good(map[int]any{9: "2026.11.01 09:00:00"}), base},
		{"date cell", good(map[int]any{9: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), 10: time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)}), base},
		{"serial as number", good(map[int]any{10: 46331}), base},
		{"region by code", good(map[int]any{6: communityA}), base},
		{"no category, no unit, no deadline", good(map[int]any{3: "", 7: "", 10: "", 8: "待立案"}),
			with(func(c *problem.ImportedCase) {
				c.CategoryID, c.UnitID, c.Deadline, c.State = 0, 0, time.Time{}, problem.Reported
			})},
		{"empty source is other", good(map[int]any{2: ""}), with(func(c *problem.ImportedCase) { c.Source = problem.SourceOther })},
		{"free source wording", good(map[int]any{2: "区创城办暗访"}), with(func(c *problem.ImportedCase) { c.Source = problem.SourceInspection })},
		{"closed with closing time", good(map[int]any{8: "已销号", 11: "2026-11-03 10:00", 12: "2026-11-04 16:30"}),
			with(func(c *problem.ImportedCase) {
				c.State, c.RectifiedAt, c.ClosedAt = problem.Closed, sh(2026, 11, 3, 10, 0), sh(2026, 11, 4, 16, 30)
			})},
		{"closed takes the rectified time", good(map[int]any{8: "已办结", 11: "2026-11-03 10:00"}),
			with(func(c *problem.ImportedCase) {
				c.State, c.RectifiedAt, c.ClosedAt = problem.Closed, sh(2026, 11, 3, 10, 0), sh(2026, 11, 3, 10, 0)
			})},
		{"deadline with a time", good(map[int]any{10: "2026-11-05 17:30"}),
			with(func(c *problem.ImportedCase) { c.Deadline = sh(2026, 11, 5, 17, 30) })},
		{"rectified as a bare date on the reported day", good(map[int]any{8: "已整改", 11: "2026/11/1"}),
			with(func(c *problem.ImportedCase) { c.State, c.RectifiedAt = problem.Rectified, sh(2026, 11, 1, 0, 0) })},
		{"english state", good(map[int]any{8: "Parked"}), with(func(c *problem.ImportedCase) { c.State = problem.Parked })},
		{"state derived from the times", good(map[int]any{8: "", 11: "2026-11-03 10:00"}),
			with(func(c *problem.ImportedCase) { c.State, c.RectifiedAt = problem.Rectified, sh(2026, 11, 3, 10, 0) })},
		{"state derived from the unit", good(map[int]any{8: ""}), base},
		{"coordinates", good(map[int]any{13: "113.3265", 14: 33.7361}),
			with(func(c *problem.ImportedCase) { c.Lng, c.Lat, c.HasPlace = 113.3265, 33.7361, true })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cases, errs, err := ParseWorkbook(workbook(t, ledgerHeader, tc.row), nil, testLookups(), parseNow)
			if err != nil {
				t.Fatal(err)
			}
			if len(errs) > 0 {
				t.Fatalf("row errors: %v", Messages(errs, tr(t)))
			}
			if len(cases) != 1 || !sameCase(cases[0], tc.want) {
				t.Errorf("\n got %+v\nwant %+v", cases, tc.want)
			}
			for _, x := range []time.Time{cases[0].ReportedAt, cases[0].Deadline} {
				if !x.IsZero() && x.Location().String() != calendar.Shanghai().String() {
					t.Errorf("time %v not in Shanghai", x)
				}
			}
		})
	}
}

// TestParseRowErrors: each kind of bad input is reported at its row (as
// Excel numbers it: the title is row 1, the header row 2) and field.
func TestParseRowErrors(t *testing.T) {
	type want struct {
		field Field
		code  string
	}
	tests := []struct {
		name string
		row  []any
		want []want
	}{
		{"unknown unit", good(map[int]any{7: "某某局"}), []want{{FieldUnit, "ledgerxlsx.unit_unknown"}}},
		{"unknown category", good(map[int]any{3: "乱贴广告"}), []want{{FieldCategory, "ledgerxlsx.category_unknown"}}},
		{"unknown region", good(map[int]any{6: "火星社区"}), []want{{FieldRegion, "ledgerxlsx.region_unknown"}}},
		{"missing region", good(map[int]any{6: ""}), []want{{FieldRegion, "ledgerxlsx.region_required"}}},
		{"missing description", good(map[int]any{4: "  "}), []want{{FieldDescription, "ledgerxlsx.description_required"}}},
		{"description too long", good(map[int]any{4: strings.Repeat("脏", 2001)}), []want{{FieldDescription, "ledgerxlsx.text_too_long"}}},
		{"bad date", good(map[int]any{9: "11月1日"}), []want{{FieldReportedAt, "ledgerxlsx.time_invalid"}}},
		{"impossible date", good(map[int]any{10: "2026-02-30"}), []want{{FieldDeadline, "ledgerxlsx.time_invalid"}}},
		{"day count in a date column", good(map[int]any{10: 3}), []want{{FieldDeadline, "ledgerxlsx.time_invalid"}}},
		{"missing reported time", good(map[int]any{9: ""}), []want{{FieldReportedAt, "ledgerxlsx.reported_at_required"}}},
		{"reported in the future", good(map[int]any{9: "2027-01-01"}), []want{{FieldReportedAt, "ledgerxlsx.time_future"}}},
		{"rectified before reported", good(map[int]any{11: "2026-10-01"}), []want{{FieldRectifiedAt, "ledgerxlsx.time_before_reported"}}},
		{"unknown state", good(map[int]any{8: "研究中"}), []want{{FieldState, "ledgerxlsx.state_unknown"}}},
		{"unknown source", good(map[int]any{2: "路人甲"}), []want{{FieldSource, "ledgerxlsx.source_unknown"}}},
		{"closed without any time", good(map[int]any{8: "已结案"}), []want{{FieldClosedAt, "ledgerxlsx.closed_at_required"}}},
		{"closing time on an open case", good(map[int]any{12: "2026-11-04"}), []want{{FieldClosedAt, "ledgerxlsx.closed_at_not_closed"}}},
		{"bad coordinate", good(map[int]any{13: "东经113度", 14: "33.7"}), []want{{FieldLng, "ledgerxlsx.coord_invalid"}}},
		{"swapped coordinates", good(map[int]any{13: "33.7361", 14: "113.3265"}), []want{{FieldLng, "ledgerxlsx.coords_outside_china"}}},
		{"half a coordinate", good(map[int]any{13: "113.3"}), []want{{FieldLat, "ledgerxlsx.coords_incomplete"}}},
		{"several at once", good(map[int]any{4: "", 7: "某某局", 8: "研究中"}), []want{
			{FieldDescription, "ledgerxlsx.description_required"}, {FieldUnit, "ledgerxlsx.unit_unknown"}, {FieldState, "ledgerxlsx.state_unknown"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Row 1 a title, row 2 the header, row 3 a good case, row 4 the bad one.
			b := workbook(t, []any{"九龙街道创城问题台账"}, ledgerHeader, good(nil), tc.row)
			cases, errs, err := ParseWorkbook(b, nil, testLookups(), parseNow)
			if err != nil {
				t.Fatal(err)
			}
			if len(cases) != 1 {
				t.Errorf("%d good cases, want 1", len(cases))
			}
			var got []string
			for _, e := range errs {
				got = append(got, fmt.Sprintf("%d %s %s", e.Row, e.Field, e.Code))
			}
			var exp []string
			for _, w := range tc.want {
				exp = append(exp, fmt.Sprintf("4 %s %s", w.field, w.code))
			}
			if strings.Join(got, "\n") != strings.Join(exp, "\n") {
				t.Errorf("\n got %v\nwant %v", got, exp)
			}
			cat := i18n.MustLoad("zh-CN")
			for _, m := range Messages(errs, cat.T) {
				if !strings.HasPrefix(m, "第 4 行「") || strings.Contains(m, "ledgerxlsx.") || strings.Contains(m, "%!") {
					t.Errorf("message %q", m)
				}
			}
		})
	}
}

func TestDuplicateCodes(t *testing.T) {
	b := workbook(t, ledgerHeader, good(map[int]any{1: "A-1"}), good(map[int]any{1: "A-2"}), good(map[int]any{1: "A-1"}))
	_, errs, err := ParseWorkbook(b, nil, testLookups(), parseNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 || errs[0].Row != 4 || errs[0].Code != "ledgerxlsx.code_duplicate" || fmt.Sprint(errs[0].Args) != "[A-1 2]" {
		t.Errorf("errs = %+v", errs)
	}
}

func TestMessages(t *testing.T) {
	errs := []RowError{
		{Row: 12, Field: string(FieldUnit), Header: "责任单位", Code: "ledgerxlsx.unit_unknown", Args: []any{"某某局"}},
		{Row: 13, Field: string(FieldUnit), Code: "ledgerxlsx.unit_unknown", Args: []any{"某某局"}},
		{Row: 14, Code: "ledgerxlsx.description_required"},
	}
	got := Messages(errs, i18n.MustLoad("zh-CN").T)
	want := []string{"第 12 行「责任单位」：找不到单位「某某局」", "第 13 行「责任单位」：找不到单位「某某局」", "第 14 行：请填写问题描述"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
}

// TestLayouts: the header is found below titles; empty rows and rows with
// only a row number are skipped; row numbers stay those Excel shows.
func TestLayouts(t *testing.T) {
	b := workbook(t,
		[]any{"湛河区创建全国文明城市问题台账"},
		[]any{"填报单位：九龙街道", "", "填报日期：2026-11-22"},
		nil,
		ledgerHeader,
		good(nil),
		nil,
		[]any{2}, // a numbered empty template row
		good(map[int]any{7: "某某局"}),
	)
	cases, errs, err := ParseWorkbook(b, nil, testLookups(), parseNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 || len(errs) != 1 || errs[0].Row != 8 {
		t.Errorf("cases %d, errs %+v", len(cases), errs)
	}
	headers, err := Headers(workbook(t, []any{"台账"}, ledgerHeader, good(nil)))
	if err != nil {
		t.Fatal(err)
	}
	if len(headers) != len(ledgerHeader) || headers[0] != "序号" || headers[4] != "问题描述" {
		t.Errorf("headers %q", headers)
	}
}

// TestCustomMapping: a person maps unusual titles to fields by hand.
func TestCustomMapping(t *testing.T) {
	header := []any{"情况说明", "片区", "日期", "负责部门"}
	row := []any{"楼道堆物", "光明路社区", "2026-11-02", "湛河区城市管理局"}
	if _, _, err := ParseWorkbook(workbook(t, header, row), nil, testLookups(), parseNow); apperr.As(err).Code != "ledgerxlsx.no_header" {
		t.Fatalf("detected without a mapping: %v", err)
	}
	headers, err := Headers(workbook(t, []any{"光明路社区问题清单"}, header, row))
	if err != nil || len(headers) != 4 || headers[0] != "情况说明" {
		t.Fatalf("headers %q, %v", headers, err)
	}
	m := Mapping{FieldDescription: "情况说明", FieldRegion: "片区", FieldReportedAt: "日期", FieldUnit: "负责部门"}
	cases, errs, err := ParseWorkbook(workbook(t, []any{"光明路社区问题清单"}, header, row), m, testLookups(), parseNow)
	if err != nil || len(errs) > 0 || len(cases) != 1 {
		t.Fatalf("cases %+v errs %+v err %v", cases, errs, err)
	}
	if c := cases[0]; c.RegionCode != communityB || c.UnitID != unitUrban || c.State != problem.InProgress || c.Source != problem.SourceOther {
		t.Errorf("case %+v", c)
	}

	tests := []struct {
		name string
		m    Mapping
		code string
	}{
		{"column not in the sheet", Mapping{FieldDescription: "情况说明", FieldRegion: "片区", FieldReportedAt: "日期", FieldUnit: "承办科室"}, "ledgerxlsx.column_missing"},
		{"region not mapped", Mapping{FieldDescription: "情况说明", FieldReportedAt: "日期", FieldUnit: "负责部门"}, "ledgerxlsx.unmapped.region"},
	}
	for _, tc := range tests {
		_, _, err := ParseWorkbook(workbook(t, header, row), tc.m, testLookups(), parseNow)
		if e := apperr.As(err); e.Kind != apperr.KindInvalid || e.Code != tc.code {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestNotXLSX(t *testing.T) {
	var docx bytes.Buffer
	zw := zip.NewWriter(&docx)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte("<w:document/>"))
	zw.Close()
	tests := map[string][]byte{
		"empty":             nil,
		"csv":               []byte("问题描述,所属社区,发现时间\n垃圾,建设路社区,2026-11-01\n"),
		"old xls (OLE)":     append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...),
		"zip but not excel": docx.Bytes(),
		"truncated xlsx":    workbook(t, ledgerHeader, good(nil)).Bytes()[:200],
	}
	for name, b := range tests {
		_, _, err := ParseWorkbook(bytes.NewReader(b), nil, testLookups(), parseNow)
		if e := apperr.As(err); e.Kind != apperr.KindInvalid || e.Code != "ledgerxlsx.not_xlsx" {
			t.Errorf("%s: ParseWorkbook err = %v", name, err)
		}
		if _, err := Headers(bytes.NewReader(b)); apperr.As(err).Code != "ledgerxlsx.not_xlsx" {
			t.Errorf("%s: Headers err = %v", name, err)
		}
	}
}

func TestWholeFileErrors(t *testing.T) {
	if _, _, err := ParseWorkbook(workbook(t, ledgerHeader), nil, testLookups(), parseNow); apperr.As(err).Code != "ledgerxlsx.no_rows" {
		t.Errorf("header only: %v", err)
	}
	big := bytes.NewReader(make([]byte, MaxFileSize+1))
	if _, _, err := ParseWorkbook(big, nil, testLookups(), parseNow); apperr.As(err).Code != "ledgerxlsx.file_too_large" {
		t.Errorf("big file: %v", err)
	}
}

func TestTooManyRows(t *testing.T) {
	build := func(n int) *bytes.Buffer {
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		if err := sw.SetRow("A1", ledgerHeader); err != nil {
			t.Fatal(err)
		}
		row := good(nil)
		for i := 0; i < n; i++ {
			row[0] = i + 1
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, row); err != nil {
				t.Fatal(err)
			}
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		return &buf
	}
	cases, errs, err := ParseWorkbook(build(MaxRows), nil, testLookups(), parseNow)
	if err != nil || len(errs) > 0 || len(cases) != MaxRows {
		t.Fatalf("at the limit: %d cases, %d errors, %v", len(cases), len(errs), err)
	}
	_, _, err = ParseWorkbook(build(MaxRows+1), nil, testLookups(), parseNow)
	if e := apperr.As(err); e.Kind != apperr.KindInvalid || e.Code != "ledgerxlsx.too_many_rows" {
		t.Errorf("over the limit: %v", err)
	}
}

func TestParseTime(t *testing.T) {
	loc := calendar.Shanghai()
	tests := []struct {
		in    string
		want  time.Time
		clock bool
		ok    bool
	}{
		{"", time.Time{}, false, true},
		{"2026-01-02", sh(2026, 1, 2, 0, 0), false, true},
		{"2026-1-2 15:04", sh(2026, 1, 2, 15, 4), true, true},
		{"2026/1/2", sh(2026, 1, 2, 0, 0), false, true},
		{"2026/01/02 15:04:05", time.Date(2026, 1, 2, 15, 4, 5, 0, loc), true, true},
		{"2026年1月2日", sh(2026, 1, 2, 0, 0), false, true},
		{"2026年01月02日 15:04", sh(2026, 1, 2, 15, 4), true, true},
		{"2026年1月2日15时4分", sh(2026, 1, 2, 15, 4), true, true},
		{"2026.1.2", sh(2026, 1, 2, 0, 0), false, true},
		{"2026-01-02T15:04", sh(2026, 1, 2, 15, 4), true, true},
		{"2026-01-02 00:00", sh(2026, 1, 2, 0, 0), true, true},
		{"20260102", sh(2026, 1, 2, 0, 0), false, true},
		{"46024", sh(2026, 1, 2, 0, 0), false, true},
		{"46024.6284722222", sh(2026, 1, 2, 15, 5), true, true},
		{"46024.62777777778", sh(2026, 1, 2, 15, 4), true, true},
		{"2026-02-29", time.Time{}, false, false},
		{"2026-13-01", time.Time{}, false, false},
		{"2026-01-02 24:00", time.Time{}, false, false},
		{"26-1-2", time.Time{}, false, false},
		{"1月2日", time.Time{}, false, false},
		{"2026-01", time.Time{}, false, false},
		{"2026-01-02 下午3:04", time.Time{}, false, false},
		{"3", time.Time{}, false, false},
		{"NaN", time.Time{}, false, false},
		{"-1", time.Time{}, false, false},
		{"1999-12-31", time.Time{}, false, false},
	}
	for _, tc := range tests {
		got, clock, ok := parseTime(tc.in, false, loc)
		if ok != tc.ok || clock != tc.clock || !got.Equal(tc.want) {
			t.Errorf("parseTime(%q) = %v, %v, %v; want %v, %v, %v", tc.in, got, clock, ok, tc.want, tc.clock, tc.ok)
		}
	}
	// The 1904 date system counts 1462 days fewer.
	if got, _, ok := parseTime("44562", true, loc); !ok || !got.Equal(sh(2026, 1, 2, 0, 0)) {
		t.Errorf("1904 serial: %v %v", got, ok)
	}
}

func TestParseStateAndSource(t *testing.T) {
	labels := stateLabels()
	states := map[string]problem.State{
		"待立案": problem.Reported, "已立案": problem.Filed, "已派遣": problem.Dispatched, "整改中": problem.InProgress,
		"已整改": problem.Rectified, "已结案": problem.Closed, "挂账": problem.Parked, "不予立案": problem.Rejected,
		"已办结": problem.Closed, "已完成": problem.Closed, "已销号": problem.Closed, "未整改": problem.InProgress,
		"处理中": problem.InProgress, " 已 结案 ": problem.Closed, "closed": problem.Closed, "IN_PROGRESS": problem.InProgress,
		"in progress": problem.InProgress,
	}
	cat := i18n.MustLoad("zh-CN")
	for _, s := range problem.States() {
		if s != problem.Duplicate {
			states[cat.T(s.Key())] = s // what an export writes reads back
		}
	}
	for in, want := range states {
		if got, ok := parseState(labels, in); !ok || got != want {
			t.Errorf("state %q = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"重复件", "研究中", "结"} {
		if got, ok := parseState(labels, in); ok {
			t.Errorf("state %q recognised as %q", in, got)
		}
	}

	p := newSourceParser()
	sources := map[string]problem.Source{
		"": problem.SourceOther, "12345": problem.SourceHotline, "市民热线": problem.SourceHotline, "网络曝光": problem.SourceMedia,
		"区创城办暗访": problem.SourceInspection, "上级交办": problem.SourceSuperior, "群众举报": problem.SourceCitizen,
		"视频监控": problem.SourceCamera, "随手拍": problem.SourceSnapshot, "其它": problem.SourceOther, "api": problem.SourceAPI,
	}
	for _, s := range problem.Sources() {
		sources[cat.T(s.Key())] = s
		sources[string(s)] = s
	}
	for in, want := range sources {
		if got, ok := p.parse(in); !ok || got != want {
			t.Errorf("source %q = %q, %v; want %q", in, got, ok, want)
		}
	}
	if got, ok := p.parse("路人甲"); ok {
		t.Errorf("source 路人甲 recognised as %q", got)
	}
}

// TestCatalogueHasEveryKey: each "ledgerxlsx.*" key the package uses, and
// those it builds from fields, is in zh-CN.
func TestCatalogueHasEveryKey(t *testing.T) {
	cat := i18n.MustLoad("zh-CN")
	var keys []string
	re := regexp.MustCompile(`"(ledgerxlsx\.[a-z_.]*[a-z_])"`)
	files, _ := filepath.Glob("*.go")
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		body, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(body, -1) {
			keys = append(keys, string(m[1]))
		}
	}
	if len(keys) < 40 {
		t.Fatalf("found only %d keys", len(keys))
	}
	for _, f := range Fields() {
		keys = append(keys, f.Key())
	}
	for _, f := range RequiredFields() {
		keys = append(keys, unmappedKey(f))
	}
	for _, c := range columns() {
		keys = append(keys, c.header)
	}
	for _, k := range keys {
		if !cat.Has(k) {
			t.Errorf("zh-CN lacks %q", k)
		}
	}
}

func TestLookupsAreRemembered(t *testing.T) {
	calls := 0
	lk := testLookups()
	unit := lk.Unit
	lk.Unit = func(n string) (int64, bool) { calls++; return unit(n) }
	b := workbook(t, ledgerHeader, good(nil), good(nil), good(map[int]any{7: "某某局"}), good(map[int]any{7: "某某局"}))
	if _, _, err := ParseWorkbook(b, nil, lk, parseNow); err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Errorf("unit lookup called %d times, want 2", calls)
	}
	// A nil lookup finds nothing rather than panicking.
	_, errs, err := ParseWorkbook(workbook(t, ledgerHeader, good(nil)), nil, Lookups{}, parseNow)
	if err != nil || len(errs) != 3 {
		t.Errorf("nil lookups: %+v %v", errs, err)
	}
}
