// Package pdfdoc renders an official-looking Chinese notice (通报) as an A4
// PDF: red issuer header (红头) with a red rule, document number, title,
// sections of paragraphs and tables, signature and date, distribution note
// (抄送) and page numbers "— 1 —".
//
// The layout follows the conventions of GB/T 9704 (layout of official
// documents) where they fit the platform: paragraphs indented two
// characters and justified, the signature centred over a date set four
// characters in from the right margin, the distribution note between two
// rules at the foot of the last page.
//
// Fonts are embedded (see fonts/README.md), so rendering needs no files.
package pdfdoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
)

// Table is a bordered table with a header row that is repeated on every page
// the table spans.
type Table struct {
	Header []string
	Rows   [][]string
	// Widths are the column widths in mm; empty means equal columns over the
	// text width. A table wider than the text width is scaled down to fit;
	// a narrower one is centred.
	Widths []float64
}

// Section is an optional heading (e.g. "一、总体情况") followed by its
// paragraphs and then its tables.
type Section struct {
	Heading    string
	Paragraphs []string
	Tables     []Table
}

// Notice is the content of one notice. Empty fields are left out.
type Notice struct {
	Issuer   string // e.g. 湛河区文明城市创建工作指挥部办公室
	Title    string // e.g. 关于2026年第47周创文工作情况的通报
	Number   string // e.g. 湛创文办〔2026〕第12期
	Date     string // e.g. 2026年11月23日
	Sections []Section
	Footer   string // e.g. 抄送：…
	// Image is an optional PNG (a certificate's verification QR code)
	// drawn ImageMM wide at the left margin after the signature.
	Image   []byte
	ImageMM float64
}

// Page geometry in mm.
const (
	pageW         = 210.0
	pageH         = 297.0
	marginTop     = 28.0
	marginLeft    = 26.0
	marginRight   = 26.0
	marginBottom  = 30.0 // the page number sits in this band
	contentW      = pageW - marginLeft - marginRight
	contentRight  = pageW - marginRight
	contentBottom = pageH - marginBottom
	pageNumberGap = 7.0 // GB/T 9704: page number 7 mm below the text block

	ptToMM = 25.4 / 72
	mmToPt = 72 / 25.4
)

// Type sizes in points (四号 = 14 pt, 五号 = 10.5 pt) and leading as a
// multiple of the size.
const (
	issuerPt    = 26.0
	issuerMinPt = 16.0 // long issuer names shrink to one line down to this
	numberPt    = 14.0
	titlePt     = 20.0
	bodyPt      = 14.0
	tablePt     = 10.5
	footerPt    = 12.0
	pageNumPt   = 14.0

	issuerLeading = 1.25
	titleLeading  = 1.4
	bodyLeading   = 1.6
	tableLeading  = 1.35
	footerLeading = 1.5

	cellPadX = 1.5
	cellPadY = 1.2
)

// Strokes (mm) and colours.
const (
	thinLine   = 0.2
	redRule    = 0.8
	footerRule = 0.35

	// 红头 red, as printed official documents use it.
	redR, redG, redB = 230, 0, 18
	headerGrey       = 235

	// fpdf cannot load a bold style from a single TTF, so bold is imitated by
	// also stroking the glyph outlines (text render mode 2) with a stroke of
	// this fraction of the font size: visibly heavier, still selectable text.
	boldStroke = 0.03

	// Justified lines stretch by at most this fraction of an em per glyph;
	// a looser line (a long Latin word pushed down) stays ragged instead.
	maxJustifyEm = 0.25
)

type rgb struct{ r, g, b int }

// ErrInvalid is wrapped by errors about a notice that cannot be laid out
// (for now: tables whose widths or rows do not match their columns), so
// that callers can tell bad input from a failure to write.
var ErrInvalid = errors.New("invalid notice")

// Render writes n as a PDF document to w.
func Render(w io.Writer, n Notice) error {
	geoms := make([][]tableGeom, len(n.Sections))
	for si, s := range n.Sections {
		geoms[si] = make([]tableGeom, len(s.Tables))
		for ti, t := range s.Tables {
			g, err := tableGeometry(t)
			if err != nil {
				return fmt.Errorf("pdfdoc: section %d, table %d: %w", si+1, ti+1, err)
			}
			geoms[si][ti] = g
		}
	}

	r, err := newRenderer()
	if err != nil {
		return err
	}
	pdf := r.pdf
	pdf.SetTitle(n.Title, true)
	pdf.SetAuthor(n.Issuer, true)
	pdf.SetSubject(n.Number, true)
	pdf.SetCreator("wenming pdfdoc", true)
	pdf.SetLang("zh-CN")
	pdf.SetFooterFunc(r.pageNumber)

	sig := r.layoutSignature(n.Issuer, n.Date)
	// The signature must not stand alone on a page (GB/T 9704): the last
	// piece of body text is kept on the same page as the signature.
	last := -1
	for si, s := range n.Sections {
		if s.Heading != "" || len(s.Paragraphs) > 0 || len(s.Tables) > 0 {
			last = si
		}
	}

	r.newPage()
	r.header(n)
	for si, s := range n.Sections {
		keep := 0.0
		if si == last {
			keep = sig.height()
		}
		r.section(s, geoms[si], keep)
	}
	r.signature(sig)
	if len(n.Image) > 0 {
		r.image(n.Image, n.ImageMM)
	}
	r.distribution(n.Footer)

	if err := pdf.Error(); err != nil {
		return fmt.Errorf("pdfdoc: render: %w", err)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("pdfdoc: write PDF: %w", err)
	}
	return nil
}

// renderer carries one document's state; nothing is shared between calls.
type renderer struct {
	pdf   *fpdf.Fpdf
	faces [2]*face
	y     float64 // top of the next thing to draw, mm

	// Last font passed to SetFont: fpdf writes a Tf operator on every call,
	// and text alternates between the two faces, so redundant calls are
	// skipped. -1 means unknown (after a page break fpdf restores its own).
	curFace int
	curPt   float64
	bold    bool   // faux bold is on and must be re-enabled on a new page
	buf     []byte // reused to build run strings
}

func newRenderer() (*renderer, error) {
	cjk, err := loadFace(cjkFamily, cjkFontFile)
	if err != nil {
		return nil, err
	}
	latin, err := loadFace(latinFamily, latinFontFile)
	if err != nil {
		return nil, err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(marginLeft, marginTop, marginRight)
	// Page breaks are placed by the renderer: tables must repeat their
	// header and fpdf's automatic break knows nothing about that.
	pdf.SetAutoPageBreak(false, marginBottom)
	pdf.AddUTF8FontFromBytes(cjkFamily, "", cjk.data)
	pdf.AddUTF8FontFromBytes(latinFamily, "", latin.data)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("pdfdoc: load fonts: %w", err)
	}
	return &renderer{pdf: pdf, faces: [2]*face{faceCJK: cjk, faceLatin: latin}, curFace: -1}, nil
}

func (r *renderer) newPage() {
	r.pdf.AddPage()
	r.y = marginTop
	r.curFace = -1
	if r.bold {
		// The text render mode does not carry over to a new page's content.
		r.pdf.SetTextRenderingMode(2)
	}
}

// ensure starts a new page unless h mm still fit on this one. At the top of
// a page it never breaks, so content taller than a page cannot loop.
func (r *renderer) ensure(h float64) {
	if r.y+h > contentBottom+1e-6 && r.y > marginTop+1e-6 {
		r.newPage()
	}
}

func (r *renderer) setFont(fi uint8, pt float64) {
	if int(fi) == r.curFace && pt == r.curPt {
		return
	}
	r.pdf.SetFont(r.faces[fi].family, "", pt)
	r.curFace, r.curPt = int(fi), pt
}

func (r *renderer) setBold(on bool, pt float64, c rgb) {
	r.bold = on
	if on {
		r.pdf.SetDrawColor(c.r, c.g, c.b)
		r.pdf.SetLineWidth(pt * ptToMM * boldStroke)
		r.pdf.SetTextRenderingMode(2)
		return
	}
	r.pdf.SetTextRenderingMode(0)
	r.pdf.SetLineWidth(thinLine)
	r.pdf.SetDrawColor(0, 0, 0)
}

// baseline returns the baseline for text of size mm in a line box of height
// lh whose top is at top, centring the em box vertically.
func baseline(top, lh, size float64) float64 {
	return top + lh/2 + 0.35*size
}

// mm converts a width in 1/1000 em at pt points to millimetres.
func mm(width int, pt float64) float64 { return float64(width) * pt * ptToMM / 1000 }

// limit converts a width in mm to 1/1000 em at pt points, the unit of
// breakLines.
func limit(w, pt float64) int { return int(w * 1000 / (pt * ptToMM)) }

// drawLine draws one laid-out line with its left edge at x. Consecutive
// glyphs of one face become one text operator. extra (mm) is added after
// every glyph through the PDF character spacing, which is how justified
// lines are stretched without placing each glyph separately.
func (r *renderer) drawLine(g []glyph, l span, x, base, pt, extra float64) {
	if extra != 0 {
		r.pdf.RawWriteStr(strconv.FormatFloat(extra*mmToPt, 'f', 3, 64) + " Tc")
	}
	for i := l.start; i < l.end; {
		j := i + 1
		for j < l.end && g[j].face == g[i].face {
			j++
		}
		w := 0
		r.buf = r.buf[:0]
		for _, gl := range g[i:j] {
			w += int(gl.adv)
			r.buf = utf8.AppendRune(r.buf, gl.r)
		}
		// Spaces are drawn too, though invisible: text extraction needs
		// them to see word gaps such as those in "— 1 —".
		r.setFont(g[i].face, pt)
		r.pdf.Text(x, base, string(r.buf))
		x += mm(w, pt) + extra*float64(j-i)
		i = j
	}
	if extra != 0 {
		r.pdf.RawWriteStr("0 Tc")
	}
}

// justify returns the per-glyph spacing that stretches l to width mm, or 0
// when the line should stay ragged (last line of a paragraph, too loose).
func justify(l span, width, pt float64) float64 {
	n := l.end - l.start
	if !l.soft || n < 2 {
		return 0
	}
	extra := (width - mm(l.width, pt)) / float64(n-1)
	if extra <= 0 || extra > maxJustifyEm*pt*ptToMM {
		return 0
	}
	return extra
}

// block draws text as a paragraph: first line indented by indentEm
// characters, justified when asked, breaking pages between lines. Each
// '\n' starts a new paragraph, indented again. keep (mm) must stay free
// below the last line, or the last lines move to the next page.
func (r *renderer) block(text string, pt, leading, indentEm float64, justified bool, keep float64) {
	parts := strings.Split(strings.TrimRight(text, "\r\n"), "\n")
	for i, p := range parts {
		k := 0.0
		if i == len(parts)-1 {
			k = keep
		}
		r.paragraph(p, pt, leading, indentEm, justified, k)
	}
}

// paragraph draws one paragraph (text without '\n') for block.
func (r *renderer) paragraph(text string, pt, leading, indentEm float64, justified bool, keep float64) {
	g := r.shape(text)
	size := pt * ptToMM
	lh := size * leading
	indent := indentEm * size
	lines := breakLines(g, limit(contentW-indent, pt), limit(contentW, pt))
	n := len(lines)
	for i, l := range lines {
		// Widow and orphan control: a page never holds just the first or
		// just the last line of a paragraph that has more than one.
		need := lh
		switch {
		case n >= 2 && i == n-2:
			need = 2*lh + keep
		case i == n-1:
			need = lh + keep
		case n >= 2 && i == 0:
			need = 2 * lh
		}
		if need > contentBottom-marginTop {
			need = lh
		}
		r.ensure(need)
		x, w := marginLeft, contentW
		if i == 0 {
			x, w = marginLeft+indent, contentW-indent
		}
		extra := 0.0
		if justified {
			extra = justify(l, w, pt)
		}
		r.drawLine(g, l, x, baseline(r.y, lh, size), pt, extra)
		r.y += lh
	}
}

// countLines returns how many lines the first paragraph of text takes in
// block.
func (r *renderer) countLines(text string, pt, indentEm float64) int {
	text, _, _ = strings.Cut(text, "\n")
	indent := indentEm * pt * ptToMM
	return len(breakLines(r.shape(text), limit(contentW-indent, pt), limit(contentW, pt)))
}

// centred draws text centred on the page, wrapped to the text width.
func (r *renderer) centred(text string, pt, leading float64) {
	g := r.shape(text)
	size := pt * ptToMM
	lh := size * leading
	w := limit(contentW, pt)
	for _, l := range breakLines(g, w, w) {
		r.ensure(lh)
		x := marginLeft + (contentW-mm(l.width, pt))/2
		r.drawLine(g, l, x, baseline(r.y, lh, size), pt, 0)
		r.y += lh
	}
}

// header draws the red issuer, the red rule, the number and the title.
func (r *renderer) header(n Notice) {
	red := rgb{redR, redG, redB}
	if n.Issuer != "" {
		// The issuer belongs on one line: shrink a long name rather than
		// wrap it, down to issuerMinPt.
		pt := issuerPt
		if w := mm(maxWidth(breakLines(r.shape(n.Issuer), math.MaxInt32, math.MaxInt32)), issuerPt); w > contentW {
			pt = math.Max(issuerMinPt, issuerPt*contentW/w)
		}
		r.pdf.SetTextColor(red.r, red.g, red.b)
		r.setBold(true, pt, red)
		r.centred(n.Issuer, pt, issuerLeading)
		r.setBold(false, 0, rgb{})
		r.pdf.SetTextColor(0, 0, 0)

		r.y += 3
		r.pdf.SetDrawColor(red.r, red.g, red.b)
		r.pdf.SetLineWidth(redRule)
		r.pdf.Line(marginLeft, r.y, contentRight, r.y)
		r.pdf.SetLineWidth(thinLine)
		r.pdf.SetDrawColor(0, 0, 0)
		r.y += redRule + 3
	}
	if n.Number != "" {
		r.centred(n.Number, numberPt, bodyLeading)
		r.y += 4
	}
	if n.Title != "" {
		r.setBold(true, titlePt, rgb{})
		r.centred(n.Title, titlePt, titleLeading)
		r.setBold(false, 0, rgb{})
		r.y += 5
	}
}

// section draws a heading, paragraphs and tables; keep (mm) is the room to
// keep free after the section's last line, for the signature.
func (r *renderer) section(s Section, geoms []tableGeom, keep float64) {
	lh := bodyPt * ptToMM * bodyLeading
	np, nt := len(s.Paragraphs), len(s.Tables)
	if s.Heading != "" {
		// Keep the heading with what must open the next page with it: the
		// first lines of the first paragraph (two, given orphan control,
		// and the signature too if that is the whole body) or the header
		// and first row of the first table.
		var after float64
		switch {
		case np > 0:
			n := r.countLines(s.Paragraphs[0], bodyPt, 2)
			after = float64(min(n, 2)) * lh
			if np == 1 && nt == 0 && n <= 2 && !strings.Contains(s.Paragraphs[0], "\n") {
				after += keep
			}
		case nt > 0:
			after = r.tableLead(s.Tables[0], geoms[0])
		default:
			after = keep
		}
		if lh+after > contentBottom-marginTop {
			after = 0
		}
		r.ensure(lh + after)
		r.setBold(true, bodyPt, rgb{})
		r.block(s.Heading, bodyPt, bodyLeading, 2, false, 0)
		r.setBold(false, 0, rgb{})
	}
	for i, p := range s.Paragraphs {
		k := 0.0
		if i == np-1 && nt == 0 {
			k = keep
		}
		r.block(p, bodyPt, bodyLeading, 2, true, k)
	}
	for i, t := range s.Tables {
		k := 0.0
		if i == nt-1 {
			k = keep
		}
		r.table(t, geoms[i], k)
	}
}

// signatureLayout is the issuer and date block that ends the body.
type signatureLayout struct {
	gi, gd []glyph
	li, ld []span
}

func (r *renderer) layoutSignature(issuer, date string) signatureLayout {
	w := limit(contentW, bodyPt)
	s := signatureLayout{gi: r.shape(issuer), gd: r.shape(date)}
	s.li, s.ld = breakLines(s.gi, w, w), breakLines(s.gd, w, w)
	return s
}

// gap is the space between the body and the signature.
func (s signatureLayout) gap() float64 { return 1.5 * bodyPt * ptToMM * bodyLeading }

// height is the signature's height including the gap above it, 0 when
// there is no signature.
func (s signatureLayout) height() float64 {
	n := len(s.li) + len(s.ld)
	if n == 0 {
		return 0
	}
	return s.gap() + float64(n)*bodyPt*ptToMM*bodyLeading
}

// signature draws the issuer centred over the date, the date ending four
// characters in from the right margin, as GB/T 9704 places them.
func (r *renderer) signature(s signatureLayout) {
	h := s.height()
	if h == 0 {
		return
	}
	size := bodyPt * ptToMM
	lh := size * bodyLeading
	if r.y+h > contentBottom {
		r.newPage()
	} else {
		r.y += s.gap()
	}
	dateW := mm(maxWidth(s.ld), bodyPt)
	half := math.Max(mm(maxWidth(s.li), bodyPt), dateW) / 2
	axis := contentRight - 4*size - dateW/2
	if axis+half > contentRight {
		axis = contentRight - half
	}
	for _, part := range []struct {
		g     []glyph
		lines []span
	}{{s.gi, s.li}, {s.gd, s.ld}} {
		for _, l := range part.lines {
			r.drawLine(part.g, l, axis-mm(l.width, bodyPt)/2, baseline(r.y, lh, size), bodyPt, 0)
			r.y += lh
		}
	}
}

// image draws a PNG at the left margin below what came before.
func (r *renderer) image(png []byte, w float64) {
	if w <= 0 {
		w = 30
	}
	r.ensure(w + 2)
	r.pdf.RegisterImageOptionsReader("image1", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	r.pdf.ImageOptions("image1", marginLeft, r.y+1, w, w, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	r.y += w + 2
}

// distribution draws the footer note (抄送 …) between two rules at the foot
// of the last page, continuation lines hanging under the text after the
// label's colon.
func (r *renderer) distribution(text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	size := footerPt * ptToMM
	lh := size * footerLeading
	inner := contentW - 2*size // one character in from each side
	type para struct {
		g     []glyph
		lines []span
		hang  float64
	}
	var paras []para
	nLines := 0
	for _, p := range strings.Split(strings.TrimRight(text, "\r\n"), "\n") {
		g := r.shape(p)
		hang := 0.0
		for i, gl := range g {
			if i == 8 {
				break
			}
			if gl.r == '：' || gl.r == ':' {
				hang = mm(glyphsWidth(g[:i+1]), footerPt)
				break
			}
		}
		if hang > inner/2 {
			hang = 0
		}
		lines := breakLines(g, limit(inner, footerPt), limit(inner-hang, footerPt))
		paras = append(paras, para{g, lines, hang})
		nLines += len(lines)
	}
	const padY = 1.5
	h := float64(nLines)*lh + 2*padY
	top := contentBottom - h
	if top < marginTop {
		top = marginTop // taller than a page: let it run on
	}
	if r.y+lh > top {
		r.newPage()
	}
	r.y = top
	r.pdf.SetLineWidth(footerRule)
	r.pdf.Line(marginLeft, r.y, contentRight, r.y)
	r.y += padY
	for _, p := range paras {
		for i, l := range p.lines {
			r.ensure(lh + padY)
			x := marginLeft + size
			if i > 0 {
				x += p.hang
			}
			r.drawLine(p.g, l, x, baseline(r.y, lh, size), footerPt, 0)
			r.y += lh
		}
	}
	r.y += padY
	r.pdf.Line(marginLeft, r.y, contentRight, r.y)
	r.pdf.SetLineWidth(thinLine)
}

// pageNumber is fpdf's footer callback: "— n —" centred under the text
// block. fpdf restores fonts, colours and line width after it returns.
func (r *renderer) pageNumber() {
	if r.bold {
		r.pdf.SetTextRenderingMode(0)
	}
	r.pdf.SetTextColor(0, 0, 0)
	g := r.shape("— " + strconv.Itoa(r.pdf.PageNo()) + " —")
	w := glyphsWidth(g)
	size := pageNumPt * ptToMM
	x := (pageW - mm(w, pageNumPt)) / 2
	r.drawLine(g, span{start: 0, end: len(g), width: w}, x, contentBottom+pageNumberGap+size, pageNumPt, 0)
	r.curFace = -1
}
