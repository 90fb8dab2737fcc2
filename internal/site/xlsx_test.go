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
	"github.com/wenming-civic/wenming/internal/site"
)

// workbook builds an .xlsx with a title row, then the rows given.
func workbook(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"湛河区点位清单"}); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var header = []any{"编码", "名称", "点位类型", "经度（WGS-84）", "纬度", "地址", "所属社区", "属地单位", "职能部门", "包保单位", "包保领导", "负责人", "负责人电话", "联络员", "联络员电话"}

func TestImportReportsEveryBadRowAndWritesNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := office("410411")
	data := workbook(t, header,
		[]any{"", "建设路公交站", "公交站点", 113.3222, 33.7306, "建设路与开源路交叉口", "", "", "湛河区交通运输局", "", "", "陈文明", "13700000001", "", ""},
		[]any{"", "", "飞船站", 113.3, "", "", "", "", "", "", "", "", "139", "", ""},
		[]any{"", "某公园", "公园", "东经113", 33.71, "", "", "", "湛河区城市管理局（假）", "电力社区居民委员会", "", "", "", "", ""},
		[]any{},
		[]any{"", "北京的点位", "park", 116.39, 39.9, "", "", "", "", "", "", "", "", "", ""},
		[]any{"S1-0001", "甲", "公园", "", "", "", "不存在社区", "", "", "", "", "", "", "", ""},
		[]any{"S1-0001", "乙", "公园", "", "", "", "410411001001", "", "", "", "", "", "", "", ""},
		[]any{"", "谢庄村委会", "社区", "", "", "", "谢庄村民委员会", "谢庄村民委员会", "", "", "", "", "", "", ""},
	)
	rep, errs, err := e.store.ImportXLSX(ctx, a, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 0 || rep.Updated != 0 {
		t.Errorf("report %+v with errors", rep)
	}
	msgs := site.Messages(errs, i18n.MustLoad("zh-CN").T)
	joined := strings.Join(msgs, "\n")
	for _, want := range []string{
		"第 4 行「名称」：名称必填。",
		"第 4 行「点位类型」：没有点位类型「飞船站」。",
		"第 4 行「经度（WGS-84）」：经度和纬度须同时填写或同时留空。",
		"第 4 行「负责人电话」",
		"第 5 行「经度（WGS-84）」：「东经113」不是数字。",
		"第 5 行「职能部门」：找不到单位「湛河区城市管理局（假）」",
		"第 5 行「包保单位」：找不到单位「电力社区居民委员会」",
		"第 7 行「所属社区」：位置不在任何已划定的社区或网格边界内",
		"第 8 行「所属社区」：在您的管辖范围内找不到区域「不存在社区」",
		"第 9 行「编码」：编码 S1-0001 与第 8 行重复。",
		"第 10 行「所属社区」：区域「谢庄村民委员会」有重名，请填写区划代码。",
		"第 10 行「属地单位」：单位「谢庄村民委员会」有重名，请填写单位编码。",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("messages lack %q", want)
		}
	}
	if strings.Contains(joined, "第 3 行") || strings.Contains(joined, "第 6 行") {
		t.Errorf("good or empty rows reported:\n%s", joined)
	}
	if _, n, _ := e.store.List(ctx, a, site.Filter{}); n != 0 {
		t.Errorf("%d sites written by a failed import", n)
	}

	// Whole-workbook problems.
	for _, c := range []struct {
		name string
		data []byte
		code string
	}{
		{"not xlsx", []byte("编码,名称\n"), "site.import.not_xlsx"},
		{"no header", workbook(t, []any{"a", "b", "c"}), "site.import.no_header"},
		{"no type column", workbook(t, []any{"编码", "名称", "地址"}, []any{"", "x", "y"}), "site.import.column_missing"},
		{"no rows", workbook(t, header), "site.import.no_rows"},
	} {
		_, _, err := e.store.ImportXLSX(ctx, a, bytes.NewReader(c.data))
		if err == nil || !strings.Contains(err.Error(), c.code) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	_, _, err = e.store.ImportXLSX(ctx, actorWith("leader", "410411"), bytes.NewReader(data))
	wantCode(t, err, "site.forbidden")
}

func TestImportExportRoundTrip(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := office("410411")
	data := workbook(t, header,
		[]any{"", "建设路公交站", "公交站点", 113.3222, 33.7306, "建设路与开源路交叉口", "", "", "湛河区交通运输局", "", "", "陈文明", "13700000001", "杨建华", "0375-2345678"},
		[]any{"S410411-0100", "湛河滨河公园", "park", "113.313", "33.7105", "湛河北岸", "", "", "410411-yl", "湛河供电中心（包保单位）", "张主任", "", "", "", ""},
		[]any{"", "2 路公交车", "公交车", "", "", "公交公司湛河车队", "南环路街道", "南环路街道办事处", "湛河区交通运输局", "", "", "", "", "", ""},
		[]any{"", "电力小区", "小区", 113.305, 33.7278, "", "电力社区", "", "", "", "", "", "", "", ""},
	)
	rep, errs, err := e.store.ImportXLSX(ctx, a, bytes.NewReader(data))
	if err != nil || len(errs) > 0 {
		t.Fatalf("import: %v %v", err, errs)
	}
	if rep.Created != 4 || rep.Updated != 0 {
		t.Fatalf("report %+v", rep)
	}
	before, _, err := e.store.List(ctx, a, site.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]site.Site{}
	for _, x := range before {
		codes[x.Name] = x
	}
	if x := codes["湛河滨河公园"]; x.Code != "S410411-0100" || x.SponsorLeader != "张主任" || x.SponsorUnitName != "湛河供电中心（包保单位）" || x.DepartmentUnitName != "湛河区园林绿化中心" {
		t.Errorf("park %+v", x)
	}
	if x := codes["2 路公交车"]; x.HasPlace || x.RegionCode != "410411002" || x.TerritorialUnitName != "南环路街道办事处" {
		t.Errorf("bus %+v", x)
	}
	if x := codes["建设路公交站"]; x.Code != "S410411-0001" || x.LiaisonPhone != "0375-2345678" || len(x.RegionCode) != 12 {
		t.Errorf("bus stop %+v", x)
	}
	// Give one site a line, which the sheet carries only as its point.
	road := site.InputOf(codes["电力小区"])
	road.Geometry = `{"type":"Polygon","coordinates":[[[113.3038,33.727],[113.3062,33.727],[113.3062,33.7287],[113.3038,33.7287],[113.3038,33.727]]]}`
	if _, err := e.store.Update(ctx, a, codes["电力小区"].ID, road); err != nil {
		t.Fatal(err)
	}
	before, _, _ = e.store.List(ctx, a, site.Filter{Limit: 100})

	var buf bytes.Buffer
	n, err := e.store.ExportXLSX(ctx, &buf, a, site.Filter{}, i18n.MustLoad("zh-CN").T, time.Now())
	if err != nil || n != 4 {
		t.Fatalf("export %d: %v", n, err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(f.GetSheetList()[0])
	f.Close()
	if len(rows) != 6 || rows[1][0] != "编码" || rows[1][14] != "联络员电话" {
		t.Fatalf("exported rows %v", rows)
	}
	rep, errs, err = e.store.ImportXLSX(ctx, a, bytes.NewReader(buf.Bytes()))
	if err != nil || len(errs) > 0 {
		t.Fatalf("re-import: %v %v", err, site.Messages(errs, i18n.MustLoad("zh-CN").T))
	}
	if rep.Created != 0 || rep.Updated != 4 {
		t.Fatalf("re-import %+v", rep)
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
