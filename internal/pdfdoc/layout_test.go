package pdfdoc

import (
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

func testRenderer(t *testing.T) *renderer {
	t.Helper()
	r, err := newRenderer()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The characters the brief names must come from the CJK face, digits and
// Latin punctuation from the Latin face, because Droid Sans Fallback has no
// ASCII glyphs at all (this test documents why there are two fonts).
func TestFontCoverage(t *testing.T) {
	r := testRenderer(t)
	cjk, latin := r.faces[faceCJK], r.faces[faceLatin]
	for _, c := range "〔〕第期号通报湛河区文明办，。、；：（）《》“”" {
		if c == '“' || c == '”' {
			continue // only the Latin face has curly quotes
		}
		if !cjk.has(c) {
			t.Errorf("CJK face lacks %q", c)
		}
		if got := r.pick(c); got != faceCJK {
			t.Errorf("pick(%q) = %d, want CJK", c, got)
		}
	}
	for _, c := range "0123456789AZaz.-—“”…%" {
		if cjk.has(c) {
			t.Logf("CJK face unexpectedly has %q", c)
		}
		if !latin.has(c) {
			t.Errorf("Latin face lacks %q", c)
		}
		if got := r.pick(c); got != faceLatin {
			t.Errorf("pick(%q) = %d, want Latin", c, got)
		}
	}
	if cjk.has('2') {
		t.Error("Droid Sans Fallback now has digits: the Latin face may be unnecessary")
	}
}

// Our widths must equal fpdf's, or centring, right alignment and wrapping
// would drift from what fpdf draws.
func TestAdvancesMatchFpdf(t *testing.T) {
	r := testRenderer(t)
	pdf := fpdf.New("P", "mm", "A4", "")
	for fi, fc := range r.faces {
		pdf.AddUTF8FontFromBytes(fc.family, "", fc.data)
		pdf.SetFont(fc.family, "", 10)
		for _, c := range "湛创文办〔2026〕第12期 ABCxyz—…“”，。\u3400\u9fa5\uFFE5" {
			want := pdf.GetStringSymbolWidth(string(c))
			if got := fc.advance(c); got != want {
				t.Errorf("face %d %q: advance %d, fpdf %d", fi, c, got, want)
			}
		}
	}
	if err := pdf.Error(); err != nil {
		t.Fatal(err)
	}
}

func TestParseFaceRejectsNonTrueType(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty": nil,
		"otf":   []byte("OTTO\x00\x00\x00\x00\x00\x00\x00\x00"),
		"ttc":   []byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x00"),
		"trunc": []byte("\x00\x01\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00"),
	} {
		if _, err := parseFace("x", data); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func lines(r *renderer, s string, widthEm int) []string {
	g := r.shape(s)
	var out []string
	for _, l := range breakLines(g, widthEm*1000, widthEm*1000) {
		out = append(out, lineText(g, l))
	}
	return out
}

func TestBreakLinesChinese(t *testing.T) {
	r := testRenderer(t)
	text := "湛河区文明城市创建工作指挥部办公室关于二〇二六年第四十七周创文工作情况的通报各责任单位认真落实"
	got := lines(r, text, 8)
	if strings.Join(got, "") != text {
		t.Fatalf("characters lost or added: %q", got)
	}
	for i, l := range got[:len(got)-1] {
		if n := len([]rune(l)); n != 8 {
			t.Errorf("line %d %q has %d hanzi, want 8", i, l, n)
		}
	}
}

func TestBreakLinesPunctuationRules(t *testing.T) {
	r := testRenderer(t)
	// With 5 em per line, "，" would start line 2; it must pull the
	// preceding character down instead (避头).
	got := lines(r, "一二三四五，六七八", 5)
	want := []string{"一二三四", "五，六七八"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
	// An opening bracket may not end a line (避尾).
	got = lines(r, "一二三四〔2026〕", 5)
	if got[0] != "一二三四" {
		t.Errorf("got %q: 〔 must move to the next line", got)
	}
	// —— and …… are never split.
	for _, l := range lines(r, "一二三四——五六七八……九十", 5) {
		if strings.HasPrefix(l, "—") || strings.HasPrefix(l, "…") {
			t.Errorf("line %q starts with a dash or ellipsis", l)
		}
	}
}

func TestBreakLinesLatinAndNumbers(t *testing.T) {
	r := testRenderer(t)
	// Latin words break at spaces, numbers stay whole, spaces at breaks go.
	got := lines(r, "score 84.6 points in week 47", 6)
	for _, l := range got {
		if strings.HasPrefix(l, " ") || strings.HasSuffix(l, " ") {
			t.Errorf("line %q keeps a space at its edge", l)
		}
	}
	if strings.Join(got, " ") != "score 84.6 points in week 47" {
		t.Errorf("got %q", got)
	}
	// A word longer than a line is cut rather than overflowing.
	long := strings.Repeat("a", 100)
	g := r.shape(long)
	lim := 5000
	var joined strings.Builder
	for _, l := range breakLines(g, lim, lim) {
		if l.width > lim {
			t.Errorf("line width %d over %d", l.width, lim)
		}
		joined.WriteString(lineText(g, l))
	}
	if joined.String() != long {
		t.Error("long word not preserved")
	}
	// Explicit newlines break, blank lines are kept.
	if got := lines(r, "甲\n\n乙", 10); strings.Join(got, "|") != "甲||乙" {
		t.Errorf("got %q", got)
	}
	// A line narrower than a glyph still makes progress.
	if got := lines(r, "一二三", 0); len(got) != 3 {
		t.Errorf("got %q", got)
	}
	if got := lines(r, "", 10); len(got) != 0 {
		t.Errorf("empty text gave %q", got)
	}
}

func TestShapeReplacesUnencodable(t *testing.T) {
	r := testRenderer(t)
	g := r.shape("a\x07b\t😀\r")
	var s strings.Builder
	for _, gl := range g {
		s.WriteRune(gl.r)
	}
	if s.String() != "ab "+string(replacementRune) {
		t.Errorf("shape gave %q", s.String())
	}
}
