package web_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func ledgerWorkbook(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestLedgerImportAndExport(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	rows := [][]any{
		{"湛河区创城问题台账"},
		{"序号", "问题描述", "问题类别", "所属社区", "责任单位", "发现时间", "整改时限", "整改情况", "结案时间"},
		{1, "建设路人行道堆放杂物", "乱堆乱放", "电力社区居民委员会", "电力社区居民委员会", "2026-10-08 09:30", "2026/10/9", "已完成", "2026-10-09 11:00"},
		{2, "=HYPERLINK(\"x\")店外经营", "店外经营", "平高社区居民委员会", "湛河区城市管理局", "2026年10月9日", "2026-10-12", "整改中", ""},
		{3, "某处垃圾", "乱堆乱放", "火星社区", "不存在的局", "昨天", "", "已完成", ""},
	}
	file := ledgerWorkbook(t, rows)
	office.Get("/problems/import")
	res := office.Upload("/problems/import", "台账.xlsx", nil, file)
	if res.Status != http.StatusBadRequest {
		t.Fatalf("bad row accepted: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, res.Body, "第 5 行", "火星社区", "未导入任何数据")
	count := func() int {
		_, n, err := app.Problems.List(context.Background(), access.System(), problem.Filter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("%d cases imported from a rejected file", n)
	}
	res = office.Upload("/problems/import", "台账.xlsx", map[string]string{"only_valid": "1"}, file)
	if res.Status != http.StatusOK {
		t.Fatalf("only valid rows: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, res.Body, "已导入 2 条问题", "另有 1 行有误")
	if n := count(); n != 2 {
		t.Fatalf("%d cases after importing the valid rows", n)
	}
	// Not a workbook at all.
	res = office.Upload("/problems/import", "台账.xlsx", nil, []byte("编号,描述\n1,x\n"))
	if res.Status != http.StatusBadRequest {
		t.Fatalf("CSV as XLSX: %d", res.Status)
	}

	// Export what the office sees, and read it back.
	req, _ := http.NewRequest("GET", app.URL+"/problems/export.xlsx", nil)
	resp := office.Do(req)
	if resp.Status != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") || !strings.HasPrefix(resp.Body, "PK") {
		t.Fatalf("export: %d %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	x, err := excelize.OpenReader(strings.NewReader(resp.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	got, _ := x.GetRows(x.GetSheetName(0))
	text := ""
	for _, r := range got {
		text += strings.Join(r, "|") + "\n"
	}
	for _, want := range []string{"建设路人行道堆放杂物", "=HYPERLINK", "已结案", "整改中"} {
		if !strings.Contains(text, want) {
			t.Errorf("export lacks %q:\n%s", want, text)
		}
	}
	// A handler may not export the district's ledger.
	h := app.Browser(t)
	h.SignIn("handler", servertest.DemoPassword("handler"))
	if r := h.Get("/problems/export.xlsx"); r.Status != http.StatusForbidden {
		t.Fatalf("handler export: %d", r.Status)
	}
}
