package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/dossier"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

var dossierItemLink = regexp.MustCompile(`href="/dossiers/items/(\d+)"`)

// dossierApp is the demo with a round of one monthly requirement over
// 2026-10 … 2026-12 for the street 410411001 (lead) and its community
// 410411001001, on a clock of 2026-11-20.
func dossierApp(t *testing.T) (*servertest.App, int64) {
	t.Helper()
	app := servertest.New(t)
	clock := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	app.Dossiers.Now = func() time.Time { return clock }
	round := servertest.DossierRound(t, app, "2027年测评材料申报", "2027-03-15", false,
		servertest.DossierReq{Input: dossier.RequirementInput{CriterionCode: "1.2.1.3", Title: "实践站活动台账",
			Types: []dossier.MaterialType{dossier.TypeAccount, dossier.TypePhoto}, Frequency: dossier.Monthly,
			PeriodFrom: "2026-10", PeriodTo: "2026-12"}, Lead: "410411001", Coop: []string{"410411001001"}})
	return app, round
}

// firstItem is the first item the page links to.
func firstItem(t *testing.T, body string) string {
	t.Helper()
	m := dossierItemLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no item link in\n%s", body)
	}
	return m[1]
}

func fileCount(t *testing.T, app *servertest.App) int {
	t.Helper()
	n, err := db.Count(context.Background(), app.DB, "SELECT COUNT(*) FROM media_file")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDossierOfficeRoundThroughPages(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office := app.SignedIn(t, "office")
	office.Get("/dossiers")
	res := office.Post("/dossiers", url.Values{"name": {"2027年测评材料申报"}, "evaluation_on": {"2027-03-15"}, "region": {"410411"}})
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/dossiers/rounds/") {
		t.Fatalf("create round: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	roundURL := res.Location
	page := office.Get(roundURL)
	servertest.MustContain(t, page.Body, "2026-03 至 2027-02", "1.2.1.3", "1.2.2.2", "草稿")
	street := servertest.UnitID(t, app, "410411001")
	community := servertest.UnitID(t, app, "410411001001")
	res = office.Post(roundURL+"/requirements", url.Values{"criterion": {"1.2.1.3"}, "title": {"实践站活动台账"}, "types": {"account", "photo"},
		"lead": {street}, "coop": {community}, "frequency": {"quarterly"}, "period_from": {"2026-03"}, "period_to": {"2027-02"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("add requirement: %d\n%s", res.Status, res.Body)
	}
	// A criterion not assessed by 材料审核 is refused.
	res = office.Post(roundURL+"/requirements", url.Values{"criterion": {"1.1.1.1"}, "title": {"x"}, "types": {"account"},
		"lead": {street}, "frequency": {"once"}})
	if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, "不在该测评体系中") && !strings.Contains(res.Body, "不含材料审核") {
		t.Errorf("non-dossier criterion: %d", res.Status)
	}
	// The sheet: unknown criterion code and unit, row-numbered; nothing added.
	sheet := dossierSheet(t, [][]any{
		{"1.2.2.2", "志愿者注册情况说明", "", "情况说明", "湛河区文明办（区创文办）", "", "一次", "", "", "", "2027-03-01"},
		{"9.9.9", "不存在的标准", "", "规范文件", "湛河区文明办（区创文办）", "", "每月", "", "", "", ""},
		{"1.2.2.2", "台账", "", "规范文件", "不存在的单位", "", "每季度", "", "", "", ""},
	})
	res = office.Upload(roundURL+"/import", "清单.xlsx", nil, sheet)
	if res.Status != http.StatusBadRequest {
		t.Fatalf("bad sheet: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "第 3 行「标准编码」", "9.9.9", "第 4 行「牵头单位」", "不存在的单位")
	res = office.Upload(roundURL+"/import", "清单.xlsx", nil, dossierSheet(t, [][]any{
		{"1.2.2.2", "志愿者注册情况说明", "", "情况说明", "湛河区文明办（区创文办）", "", "一次", "", "", "", "2027-03-01"}}))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("good sheet: %d\n%s", res.Status, res.Body)
	}
	res = office.Post(roundURL+"/open", nil)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("open: %d\n%s", res.Status, res.Body)
	}
	page = office.Get(roundURL)
	// 5 quarters × 2 units + 1 once = 11 items.
	servertest.MustContain(t, page.Body, "已通过 0 / 应交 11", "志愿者注册情况说明", "申报中")
	// The sheet exports back with both requirements.
	xl := office.Get(roundURL + "/requirements.xlsx")
	f, err := excelize.OpenReader(strings.NewReader(xl.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Sheet1")
	if len(rows) != 3 || rows[0][0] != "标准编码" {
		t.Errorf("export rows %v", rows)
	}
	// Copying the round copies its requirements, a year on.
	res = office.Post(roundURL+"/copy", url.Values{"name": {"2028年测评材料申报"}, "evaluation_on": {"2028-03-15"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("copy: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, office.Get(res.Location).Body, "2027-03 — 2028-02", "志愿者注册情况说明", "草稿")
}

// dossierSheet builds a requirement sheet in the import's layout.
func dossierSheet(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	head := []any{"标准编码", "材料名称", "材料说明", "材料类型", "牵头单位", "配合单位", "报送频次", "起始月份", "截止月份", "报送期限（天）", "截止日期"}
	f.SetSheetRow("Sheet1", "A1", &head)
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		f.SetSheetRow("Sheet1", cell, &r)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDossierSubmitReturnReplaceApprove(t *testing.T) {
	t.Parallel()
	app, round := dossierApp(t)
	shequ := app.SignedIn(t, "shequ")
	mine := shequ.Get("/dossiers/mine")
	servertest.MustContain(t, mine.Body, "实践站活动台账", "逾期未交", "2026年10月")
	item := firstItem(t, mine.Body) // October, overdue first
	servertest.MustContain(t, shequ.Get("/").Body, "待交申报材料", "已于 2026-11-10 截止，逾期未交")
	itemURL := "/dossiers/items/" + item
	shequ.Get(itemURL)
	res := shequ.Upload(itemURL+"/files", "活动记录.pdf", map[string]string{"title": "十月活动记录<script>alert(1)</script>", "concerns_on": "2026-10-20"},
		servertest.PDFBytes(t, "十月活动记录"))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", res.Status, res.Body)
	}
	page := shequ.Get(itemURL)
	servertest.MustContain(t, page.Body, "已提交待审", "&lt;script&gt;", "1 页")
	servertest.MustNotContain(t, page.Body, "<script>alert(1)")
	res = shequ.Upload(itemURL+"/files", "photo.jpg", map[string]string{"title": "活动照片", "concerns_on": "2026-10-20"}, servertest.JPEGBytes(4))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("photo: %d\n%s", res.Status, res.Body)
	}
	page = shequ.Get(itemURL)
	photo := regexp.MustCompile(`/dossiers/files/(\d+)/thumb`).FindStringSubmatch(page.Body)
	if photo == nil {
		t.Fatal("no thumbnail")
	}
	if th := shequ.Get("/dossiers/files/" + photo[1] + "/thumb"); th.Status != http.StatusOK || th.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("thumbnail: %d", th.Status)
	}

	// The workbench: the office's queue, the unit's items due.
	servertest.MustContain(t, app.SignedIn(t, "office").Get("/").Body, "待审核申报材料", "实践站活动台账")
	// Only the office reviews; the leader and the unit may not.
	leader := app.SignedIn(t, "leader")
	leader.Get(itemURL)
	if res := leader.Post(itemURL+"/review", url.Values{"decision": {"approve"}}); res.Status != http.StatusForbidden {
		t.Errorf("leader reviews: %d", res.Status)
	}
	if res := shequ.Post(itemURL+"/review", url.Values{"decision": {"approve"}}); res.Status != http.StatusForbidden && res.Status != http.StatusNotFound {
		t.Errorf("unit reviews its own: %d", res.Status)
	}
	office := app.SignedIn(t, "office")
	servertest.MustContain(t, office.Get("/dossiers/review").Body, "实践站活动台账")
	office.Get(itemURL)
	res = office.Post(itemURL+"/review", url.Values{"decision": {"return"}, "reason": {"照片不清晰，请补充"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("return: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, shequ.Get("/notifications").Body, "被退回补充", "照片不清晰，请补充")
	page = shequ.Get(itemURL)
	servertest.MustContain(t, page.Body, "已退回", "退回补充：照片不清晰，请补充")
	res = shequ.Upload(itemURL+"/files", "photo2.jpg", map[string]string{"title": "活动照片（清晰）", "concerns_on": "2026-10-20", "replaces": photo[1]},
		servertest.JPEGBytes(5))
	if res.Status != http.StatusSeeOther {
		t.Fatalf("replace: %d\n%s", res.Status, res.Body)
	}
	page = shequ.Get(itemURL)
	servertest.MustContain(t, page.Body, "已提交待审", "已替换的文件", "活动照片（清晰）", "替换为")
	office.Get(itemURL)
	if res := office.Post(itemURL+"/review", url.Values{"decision": {"approve"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", res.Status)
	}
	if res := office.Post(itemURL+"/review", url.Values{"decision": {"approve"}}); res.Status != http.StatusConflict {
		t.Errorf("approve twice: %d", res.Status)
	}
	servertest.MustContain(t, office.Get(dossierPath(round)).Body, "已通过 1 / 应交 6")
	// One instance's due date moved: recorded in its history.
	next := regexp.MustCompile(`href="/dossiers/items/(\d+)"`).FindAllStringSubmatch(shequ.Get("/dossiers/mine").Body, -1)
	if len(next) < 2 {
		t.Fatal("no second item")
	}
	office.Get("/dossiers/items/" + next[1][1])
	if res := office.Post("/dossiers/items/"+next[1][1]+"/due", url.Values{"due_on": {"2027-01-15"}}); res.Status != http.StatusSeeOther {
		t.Fatalf("move due date: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, office.Get("/dossiers/items/"+next[1][1]).Body, "调整截止日期", "→ 2027-01-15")

	// The export: started, its progress, the archive.
	office.Get(dossierPath(round))
	res = office.Post(dossierPath(round)+"/export", nil)
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/dossiers/exports/") {
		t.Fatalf("export: %d %s", res.Status, res.Location)
	}
	var prog servertest.Response
	for range 100 {
		prog = office.Get(res.Location)
		if strings.Contains(prog.Body, `data-state="done"`) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	servertest.MustContain(t, prog.Body, "导出完成", "已写入 2 / 2 个文件")
	zipRes := office.Get(res.Location + "/download")
	zr, err := zip.NewReader(strings.NewReader(zipRes.Body), int64(len(zipRes.Body)))
	if err != nil || len(zr.File) != 4 {
		t.Fatalf("archive: %v", err)
	}
	if res := leader.Get(res.Location + "/download"); res.Status != http.StatusNotFound {
		t.Errorf("leader downloads the export: %d", res.Status)
	}
}

func dossierPath(round int64) string { return "/dossiers/rounds/" + servertest.Itoa(round) }

func TestDossierBadUploads(t *testing.T) {
	t.Parallel()
	app, _ := dossierApp(t)
	app.Files.Limits = media.FileLimits{MaxBytes: 1 << 20, MaxExpanded: 256 << 10}
	shequ := app.SignedIn(t, "shequ")
	item := firstItem(t, shequ.Get("/dossiers/mine").Body)
	itemURL := "/dossiers/items/" + item
	zipOf := func(parts map[string][]byte) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for n, b := range parts {
			w, _ := zw.Create(n)
			w.Write(b)
		}
		zw.Close()
		return buf.Bytes()
	}
	ct := []byte("<Types/>")
	fields := map[string]string{"title": "材料", "concerns_on": "2026-10-20"}
	tests := []struct {
		name, file string
		fields     map[string]string
		data       []byte
		want       string
	}{
		{"HTML named .pdf", "a.pdf", fields, []byte("<html><script>alert(1)</script></html>"), "不支持的文件类型"},
		{"an executable named .pdf", "setup.pdf", fields, append([]byte("MZ\x90\x00\x03"), make([]byte, 100)...), "不支持的文件类型"},
		{"a DOCX that is not a package", "a.docx", fields, zipOf(map[string][]byte{"word/document.xml": []byte("x")}), "不是有效的 Word"},
		{"a DOCX that expands past the limit", "bomb.docx", fields, zipOf(map[string][]byte{"[Content_Types].xml": ct, "word/document.xml": make([]byte, 1<<20)}), "压缩炸弹"},
		{"a name with path parts", "../../x.pdf", fields, servertest.PDFBytes(t, "x"), "不能包含路径"},
		{"no title", "a.pdf", map[string]string{"concerns_on": "2026-10-20"}, servertest.PDFBytes(t, "x"), "请填写材料标题"},
		{"no date", "a.pdf", map[string]string{"title": "x"}, servertest.PDFBytes(t, "x"), "请填写材料日期"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := fileCount(t, app)
			shequ.Get(itemURL)
			res := shequ.Upload(itemURL+"/files", tc.file, tc.fields, tc.data)
			if res.Status != http.StatusBadRequest || !strings.Contains(res.Body, tc.want) {
				t.Errorf("%d, want 400 with %q\n%s", res.Status, tc.want, res.Body)
			}
			if n := fileCount(t, app); n != before {
				t.Errorf("stored %d files", n-before)
			}
		})
	}
	// Over the size limit: refused from the declared length, before the
	// body is read.
	t.Run("a file over the limit", func(t *testing.T) {
		before := fileCount(t, app)
		shequ.Get(itemURL)
		var body bytes.Buffer
		mw := newMultipart(&body, shequ.CSRF, "big.pdf", append(servertest.PDFBytes(t, "x"), make([]byte, 3<<20)...))
		req, _ := http.NewRequest("POST", app.URL+itemURL+"/files", &body)
		req.Header.Set("Content-Type", mw)
		resp, err := shequ.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "文件超过 1 MB") {
			t.Errorf("%d\n%s", resp.StatusCode, b)
		}
		if n := fileCount(t, app); n != before {
			t.Errorf("stored %d files", n-before)
		}
	})
	// Another unit's item: the street's handler may read its community's
	// item but not upload for it.
	street := app.SignedIn(t, "handler")
	if res := street.Get(itemURL); res.Status != http.StatusOK {
		t.Errorf("street reads its community's item: %d", res.Status)
	}
	res := street.Upload(itemURL+"/files", "a.pdf", fields, servertest.PDFBytes(t, "x"))
	if res.Status != http.StatusForbidden {
		t.Errorf("street uploads for its community: %d", res.Status)
	}
}

func TestDossierScopeByRole(t *testing.T) {
	t.Parallel()
	app, round := dossierApp(t)
	shequ := app.SignedIn(t, "shequ")
	item := firstItem(t, shequ.Get("/dossiers/mine").Body)
	tests := []struct {
		role                     string
		list, mine, round, items int
	}{
		{"admin", 200, 200, 200, 200},
		{"office", 200, 200, 200, 200},
		{"leader", 200, 200, 200, 200},
		{"handler", 200, 200, 404, 200}, // the street: its community's item
		{"shequ", 200, 200, 404, 200},
		{"inspector", 403, 403, 404, 404},
		{"volunteer", 403, 403, 404, 404},
		{"citizen", 403, 403, 404, 404},
	}
	for _, tc := range tests {
		t.Run(tc.role, func(t *testing.T) {
			b := app.SignedIn(t, tc.role)
			for path, want := range map[string]int{"/dossiers": tc.list, "/dossiers/mine": tc.mine, dossierPath(round): tc.round,
				"/dossiers/items/" + item: tc.items} {
				if res := b.Get(path); res.Status != want {
					t.Errorf("%s: %d, want %d", path, res.Status, want)
				}
			}
			// Only the office (and the administrator) review, open and export.
			b.Get("/dossiers")
			want := http.StatusForbidden
			if tc.role == "office" || tc.role == "admin" {
				want = http.StatusConflict // not submitted yet
			} else if tc.items == 404 {
				want = http.StatusNotFound
			}
			if res := b.Post("/dossiers/items/"+item+"/review", url.Values{"decision": {"approve"}}); res.Status != want {
				t.Errorf("review: %d, want %d", res.Status, want)
			}
			// Only the office moves a due date.
			wantDue := want
			if wantDue == http.StatusConflict {
				wantDue = http.StatusSeeOther
			}
			if res := b.Post("/dossiers/items/"+item+"/due", url.Values{"due_on": {"2026-12-31"}}); res.Status != wantDue {
				t.Errorf("due date: %d, want %d", res.Status, wantDue)
			}
		})
	}
}

// newMultipart writes an upload form with one file into body and returns
// its content type.
func newMultipart(body *bytes.Buffer, csrf, name string, data []byte) string {
	w := multipart.NewWriter(body)
	w.WriteField("csrf", csrf)
	w.WriteField("title", "材料")
	w.WriteField("concerns_on", "2026-10-20")
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(data)
	w.Close()
	return w.FormDataContentType()
}
