package pdfdoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const longProblem = "垃圾桶周边有散落垃圾，公益广告牌破损未及时更换；背街小巷存在占道经营、乱堆乱放现象，" +
	"群众反映强烈，要求责任单位于11月30日前完成整改并报送整改前后对比照片（附件2）。"

// sampleNotice builds a realistic weekly notice whose table has rows rows.
func sampleNotice(rows int) Notice {
	streets := []string{"九里山街道", "马庄街道", "姚孟街道", "河滨街道", "高阳路街道"}
	problems := []string{"", "非机动车乱停放", "公益广告缺失", longProblem}
	t := Table{
		Header: []string{"序号", "点位名称", "责任单位", "得分", "存在问题"},
		Widths: []float64{14, 40, 28, 16, 60},
	}
	for i := 1; i <= rows; i++ {
		t.Rows = append(t.Rows, []string{
			fmt.Sprint(i),
			fmt.Sprintf("测评点位R%03d", i),
			streets[i%len(streets)],
			fmt.Sprintf("%.1f", 70+float64(i%30)),
			problems[i%len(problems)],
		})
	}
	return Notice{
		Issuer: "湛河区文明城市创建工作指挥部办公室",
		Title:  "关于2026年第47周创文工作情况的通报",
		Number: "湛创文办〔2026〕第12期",
		Date:   "2026年11月23日",
		Sections: []Section{
			{
				Heading: "一、总体情况",
				Paragraphs: []string{
					"本周，区创文指挥部办公室组织第三方测评机构对全区" + fmt.Sprint(rows) +
						"个点位进行了实地测评，平均得分84.6分，较上周提高2.3分。各街道、各责任单位高度重视，" +
						"认真落实“每周一测评、每周一通报”工作机制，城市面貌持续改善。",
					"从测评情况看，农贸市场、背街小巷、老旧小区仍是薄弱环节，个别点位问题反复出现。",
				},
			},
			{
				Heading:    "二、点位测评情况",
				Paragraphs: []string{"各点位测评得分及存在问题如下表："},
				Tables:     []Table{t},
			},
			{
				Heading: "三、下步工作要求",
				Paragraphs: []string{
					"各责任单位要对照问题清单，逐项整改销号，整改情况于每周五下午5:00前报区创文办。",
				},
			},
		},
		Footer: "抄送：市文明办，区委办公室，区政府办公室，区纪委监委，各街道党工委、办事处，区直各有关单位。",
	}
}

func render(t testing.TB, n Notice) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, n); err != nil {
		t.Fatalf("Render: %v", err)
	}
	if path := os.Getenv("PDFDOC_SAMPLE"); path != "" {
		// PDFDOC_SAMPLE=/tmp/x.pdf go test -run TestRenderValidPDF keeps a
		// sample for looking at (pdftoppm -png -r 60 /tmp/x.pdf /tmp/x).
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// countPages counts page objects (not the /Type /Pages tree node); fpdf
// does not compress object dictionaries, only content streams.
func countPages(pdf []byte) int {
	return len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1))
}

// pdftotext runs poppler's pdftotext on pdf. Tests that need it skip when
// it is missing, except under CI (CI=true, which .ci/run sets after
// installing poppler-utils): there a missing tool fails them, so that the
// text checks cannot pass by not running.
func pdftotext(t *testing.T, pdf []byte, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext not installed, and CI=true: install poppler-utils")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	file := filepath.Join(t.TempDir(), "notice.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, append(append(args, "-enc", "UTF-8"), file, "-")...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext %v: %v: %s", args, err, stderr.String())
	}
	return string(out)
}

// squash removes all white space, so that text wrapped over several lines
// can be searched for.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func TestRenderValidPDF(t *testing.T) {
	pdf := render(t, sampleNotice(200))
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("output starts with %q, want %%PDF-", pdf[:min(len(pdf), 8)])
	}
	if !bytes.HasSuffix(bytes.TrimSpace(pdf), []byte("%%EOF")) {
		t.Error("output lacks the end-of-file marker")
	}
	pages := countPages(pdf)
	// 150 one-line rows (7.4 mm) and 50 six-line rows (26 mm) on a 239 mm
	// text block: about 13 pages.
	if pages < 10 || pages > 16 {
		t.Errorf("page count %d, want 10–16", pages)
	}
	// Fonts are subset: the 4 MB CJK font must not be embedded whole.
	if len(pdf) > 400<<10 {
		t.Errorf("PDF is %d bytes; fonts not subset?", len(pdf))
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		if got := strings.Count(pdftotext(t, pdf), "\f"); got != pages {
			t.Errorf("pdftotext sees %d pages, page objects say %d", got, pages)
		}
	}
}

func TestRenderTextExtractable(t *testing.T) {
	n := sampleNotice(200)
	pdf := render(t, n)
	text := pdftotext(t, pdf)
	flat := squash(text)
	for _, want := range []string{
		n.Issuer,
		n.Title,
		"〔2026〕第12期",
		n.Number,
		"测评点位R137", // a table cell
		"九里山街道",
		"2026年11月23日",
		"抄送：市文明办",
	} {
		if !strings.Contains(flat, squash(want)) {
			t.Errorf("extracted text lacks %q", want)
		}
	}
	// Poppler's default reading-order mode drops the spaces of "— 1 —"
	// (it decides word gaps itself); -raw keeps the drawn text as it is.
	raw := pdftotext(t, pdf, "-raw")
	pages := countPages(pdf)
	for p := 1; p <= pages; p++ {
		marker := fmt.Sprintf("— %d —", p)
		if !strings.Contains(raw, marker) {
			t.Errorf("page marker %q missing", marker)
		}
	}
	// Digits must come from the Latin face, not Droid Sans Fallback, which
	// has no glyphs for them: fonts with used glyphs are both embedded.
	for _, name := range []string{cjkFamily, latinFamily} {
		if !bytes.Contains(pdf, []byte(name)) {
			t.Errorf("font %s not embedded", name)
		}
	}
}

func TestTableHeaderRepeatsAndRowsAreWhole(t *testing.T) {
	n := sampleNotice(200)
	pdf := render(t, n)
	pages := countPages(pdf)
	if pages < 3 {
		t.Fatalf("only %d pages; the table should span several", pages)
	}
	// Every page after the first holds only table rows until the last
	// pages, so each must start with the repeated header.
	for p := 2; p < pages; p++ {
		page := pdftotext(t, pdf, "-f", fmt.Sprint(p), "-l", fmt.Sprint(p))
		if !strings.Contains(page, "点位名称") || !strings.Contains(page, "存在问题") {
			t.Errorf("page %d lacks the table header:\n%.300s", p, page)
		}
	}
	// -raw keeps content-stream order: each cell's lines are consecutive.
	raw := squash(pdftotext(t, pdf, "-raw"))
	for i := 1; i <= 200; i++ {
		id := fmt.Sprintf("测评点位R%03d", i)
		if c := strings.Count(raw, id); c != 1 {
			t.Errorf("%s appears %d times, want once", id, c)
		}
	}
	// The long problem text is wrapped over several lines in its cell and
	// must come out complete: fpdf's own splitter loses the hanzi at breaks.
	if c := strings.Count(raw, squash(longProblem)); c != 50 {
		t.Errorf("long cell text found whole %d times, want 50", c)
	}
}

func TestLongCellWrapsAndRowGrows(t *testing.T) {
	r, err := newRenderer()
	if err != nil {
		t.Fatal(err)
	}
	tg, err := tableGeometry(sampleNotice(1).Sections[1].Tables[0])
	if err != nil {
		t.Fatal(err)
	}
	short := r.layoutRow([]string{"1", "测评点位R001", "九里山街道", "87.5", "无"}, tg)
	long := r.layoutRow([]string{"2", "测评点位R002", "九里山街道", "87.5", longProblem}, tg)
	if short.n != 1 {
		t.Errorf("short row has %d lines, want 1", short.n)
	}
	if long.n < 3 {
		t.Errorf("long row has %d lines, want ≥ 3", long.n)
	}
	if rowHeight(long.n) <= rowHeight(short.n) {
		t.Errorf("row height %.1f mm not above %.1f mm", rowHeight(long.n), rowHeight(short.n))
	}
	cell := long.cells[4]
	var got strings.Builder
	lim := limit(tg.widths[4]-2*cellPadX, tablePt)
	for _, l := range cell.lines {
		got.WriteString(lineText(cell.g, l))
		if l.width > lim {
			t.Errorf("line %q is %d wide, limit %d", lineText(cell.g, l), l.width, lim)
		}
	}
	if got.String() != longProblem {
		t.Errorf("wrapped text\n%s\nwant\n%s", got.String(), longProblem)
	}

	// A cell taller than a page is split across pages without error.
	huge := sampleNotice(3)
	huge.Sections[1].Tables[0].Rows[1][4] = strings.Repeat(longProblem, 40)
	pdf := render(t, huge)
	if p := countPages(pdf); p < 3 {
		t.Errorf("huge cell gave %d pages, want ≥ 3", p)
	}
	// Where the cell crosses a page, the page number and the repeated
	// header come between its halves in content order: drop them.
	raw := squash(pdftotext(t, pdf, "-raw"))
	raw = regexp.MustCompile(`—\d+—`).ReplaceAllString(raw, "")
	raw = strings.ReplaceAll(raw, "序号点位名称责任单位得分存在问题", "")
	if c := strings.Count(raw, squash(longProblem)); c != 40+1 {
		t.Errorf("huge cell: long text found %d times, want 41", c)
	}
}

func TestSignatureKeptWithBody(t *testing.T) {
	for rows := 196; rows <= 203; rows++ {
		pdf := render(t, sampleNotice(rows))
		var page string
		for _, p := range strings.Split(pdftotext(t, pdf), "\f") {
			if strings.Contains(p, "2026年11月23日") {
				page = p
			}
		}
		if page == "" {
			t.Fatalf("%d rows: no page has the date", rows)
		}
		// The last paragraph has two lines: with orphan control both move,
		// and its heading with them.
		for _, want := range []string{"三、下步工作要求", "各责任单位要对照问题清单", "报区创文办。"} {
			if !strings.Contains(squash(page), want) {
				t.Errorf("%d rows: the signature's page lacks %q:\n%s", rows, want, page)
			}
		}
	}
}

func TestRenderOddInput(t *testing.T) {
	for name, n := range map[string]Notice{
		"empty":     {},
		"only text": {Sections: []Section{{Paragraphs: []string{"正文"}}}},
		"odd runes": {
			Title: "表情😀与生僻字𠀀、控制符\x07\t制表\r\n换行",
			Sections: []Section{{
				Paragraphs: []string{"", "\n\n", strings.Repeat("x", 500), "https://example.org/" + strings.Repeat("a", 300)},
				Tables: []Table{
					{}, // no columns: nothing to draw
					{Header: []string{"只有表头"}},
					{Rows: [][]string{{"无表头", "两列"}, {"短行"}}},
				},
			}},
		},
		"long issuer": {Issuer: strings.Repeat("湛河区文明城市创建工作指挥部办公室", 3), Date: "2026年11月23日"},
	} {
		t.Run(name, func(t *testing.T) {
			pdf := render(t, n)
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) || countPages(pdf) < 1 {
				t.Fatal("not a PDF")
			}
		})
	}
}

func TestRenderRejectsBadTables(t *testing.T) {
	for name, tb := range map[string]Table{
		"widths count":  {Header: []string{"a", "b"}, Widths: []float64{10}},
		"zero width":    {Header: []string{"a", "b"}, Widths: []float64{10, 0}},
		"row too long":  {Header: []string{"a"}, Rows: [][]string{{"1", "2"}}},
		"negative":      {Rows: [][]string{{"1"}}, Widths: []float64{-3}},
		"not a number":  {Rows: [][]string{{"1"}}, Widths: []float64{nan()}},
		"infinite size": {Rows: [][]string{{"1"}}, Widths: []float64{inf()}},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Render(&buf, Notice{Sections: []Section{{Tables: []Table{tb}}}})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if buf.Len() != 0 {
				t.Error("output written despite the error")
			}
		})
	}
}

func nan() float64 { z := 0.0; return z / z }
func inf() float64 { z := 0.0; return 1 / z }

type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestRenderReportsWriteError(t *testing.T) {
	if err := Render(failingWriter{}, sampleNotice(5)); !errors.Is(err, errDiskFull) {
		t.Fatalf("err = %v, want it to wrap %v", err, errDiskFull)
	}
}

func BenchmarkRender500Rows(b *testing.B) {
	n := sampleNotice(500)
	b.ReportAllocs()
	for b.Loop() {
		if err := Render(io.Discard, n); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMissingPdftotextFailsUnderCI runs TestRenderTextExtractable again in
// this test binary with no pdftotext on the PATH: it must fail when
// CI=true and skip otherwise.
func TestMissingPdftotextFailsUnderCI(t *testing.T) {
	if os.Getenv("WENMING_PDFDOC_CHILD") != "" {
		t.Skip("inside the child run")
	}
	empty := t.TempDir()
	for _, ci := range []string{"true", ""} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRenderTextExtractable$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "PATH="+empty, "CI="+ci, "WENMING_PDFDOC_CHILD=1")
		out, err := cmd.CombinedOutput()
		switch {
		case ci == "true" && (err == nil || !bytes.Contains(out, []byte("--- FAIL: TestRenderTextExtractable"))):
			t.Errorf("CI=true without pdftotext: %v\n%s", err, out)
		case ci == "" && (err != nil || !bytes.Contains(out, []byte("--- SKIP: TestRenderTextExtractable"))):
			t.Errorf("without CI and pdftotext: %v\n%s", err, out)
		}
	}
}
