package pdfdoc

import "strings"

// Line breaking is done here rather than with fpdf's SplitText/MultiCell
// because, in fpdf v0.9.0, those
//   - drop the character at every break between two hanzi (the break index is
//     treated like a space that is swallowed), so wrapped Chinese loses text;
//   - only see U+4E00–U+9FA5 as breakable, not CJK punctuation or Ext. A;
//   - measure with a single font, while a notice mixes two (see fonts.go).
// The breaker below follows the usual rules for Chinese text: a line may
// break between any two CJK characters, Latin words and numbers stay whole
// where possible, closing punctuation never starts a line and opening
// punctuation never ends one (避头尾).

// glyph is one rune prepared for layout: the face that draws it and its
// advance in 1/1000 em, so that widths scale to any font size.
type glyph struct {
	r    rune
	adv  int32
	face uint8
}

// span is one laid-out line: glyphs [start, end) of a shaped text, width in
// 1/1000 em without trailing spaces; soft is true when the line was broken
// automatically (and may therefore be justified).
type span struct {
	start, end int
	width      int
	soft       bool
}

// replacementRune stands in for characters the PDF fonts cannot address:
// fpdf encodes text as 16-bit glyph codes, so runes beyond the BMP (e.g.
// CJK Extension B, emoji) cannot be drawn. 〓 (geta mark) is the conventional
// placeholder for a missing character in Chinese typesetting.
const replacementRune = '〓'

// shape converts text to glyphs, choosing the face per rune and dropping
// control characters that would otherwise print as boxes.
func (r *renderer) shape(s string) []glyph {
	s = strings.TrimRight(s, "\r\n")
	out := make([]glyph, 0, len(s)/2+1)
	for _, c := range s {
		switch {
		case c == '\n':
			out = append(out, glyph{r: '\n'})
			continue
		case c == '\t':
			c = ' '
		case c < 0x20 || (c >= 0x7F && c < 0xA0) || c == '\uFEFF' || c == '\r':
			continue
		case c > 0xFFFF:
			c = replacementRune
		}
		fi := r.pick(c)
		out = append(out, glyph{r: c, adv: int32(r.faces[fi].advance(c)), face: fi})
	}
	return out
}

// pick chooses the face for c. Below the CJK blocks the Latin face is
// preferred so that spaces, digits and Latin punctuation inside a number or a
// word come from one font; otherwise the CJK face, falling back to whichever
// has a glyph. A rune neither has goes to the CJK face, which shows its
// .notdef glyph while the text stays extractable.
func (r *renderer) pick(c rune) uint8 {
	if c < 0x2E80 && r.faces[faceLatin].has(c) {
		return faceLatin
	}
	if r.faces[faceCJK].has(c) {
		return faceCJK
	}
	if r.faces[faceLatin].has(c) {
		return faceLatin
	}
	return faceCJK
}

// isWide reports whether c belongs to a script that breaks between
// characters (hanzi, kana, hangul, CJK and full-width punctuation).
func isWide(c rune) bool {
	switch {
	case c >= 0x1100 && c <= 0x11FF, // Hangul Jamo
		c >= 0x2E80 && c <= 0x9FFF, // radicals, CJK punctuation, kana, Ext. A, URO
		c >= 0xA960 && c <= 0xA97F,
		c >= 0xAC00 && c <= 0xD7AF, // Hangul syllables
		c >= 0xF900 && c <= 0xFAFF, // compatibility ideographs
		c >= 0xFE30 && c <= 0xFE4F, // CJK compatibility forms
		c >= 0xFF00 && c <= 0xFF60, // full-width forms
		c >= 0xFFE0 && c <= 0xFFE6:
		return true
	}
	return false
}

const (
	// noLineStart may not begin a line: closing brackets and quotes, pause
	// and stop marks, and the halves of —— and …… so they are never split.
	noLineStart = "，。、；：？！）］｝〕〉》」』】〗〙〞’”…—～·・％‰℃,.;:?!)]}%々〃"
	// noLineEnd may not end a line: opening brackets and quotes, currency.
	noLineEnd = "（［｛〔〈《「『【〖〘〝‘“([{￥＄$£¥"
)

// canBreakBefore reports whether a line may break between a and b.
func canBreakBefore(a, b rune) bool {
	if b == ' ' {
		return false // break after a run of spaces, never inside it
	}
	if a == ' ' {
		return true
	}
	if strings.ContainsRune(noLineStart, b) || strings.ContainsRune(noLineEnd, a) {
		return false
	}
	return isWide(a) || isWide(b)
}

// breakLines wraps g into lines at most first (first line) and rest (other
// lines) wide, in 1/1000 em. It is greedy, which is what readers expect of
// official documents, and linear in len(g). '\n' forces a break. A piece
// without any break opportunity (a long URL) is cut at the character that
// overflows, so every line holds at least one glyph and the loop always ends.
func breakLines(g []glyph, first, rest int) []span {
	var lines []span
	limit := first
	i := 0
	for i < len(g) {
		start := i
		width := 0
		lastBreak := -1
		soft := false
		for i < len(g) {
			c := g[i].r
			if c == '\n' {
				break
			}
			if i > start && canBreakBefore(g[i-1].r, c) {
				lastBreak = i
			}
			if c != ' ' && i > start && width+int(g[i].adv) > limit {
				if lastBreak > start {
					i = lastBreak
				}
				soft = true
				break
			}
			width += int(g[i].adv)
			i++
		}
		end := i
		for end > start && g[end-1].r == ' ' {
			end--
		}
		lines = append(lines, span{start: start, end: end, width: glyphsWidth(g[start:end]), soft: soft})
		if i < len(g) && g[i].r == '\n' {
			i++
			if i == len(g) {
				// A trailing explicit break still ends in an empty line.
				lines = append(lines, span{start: i, end: i})
			}
		} else {
			for i < len(g) && g[i].r == ' ' {
				i++
			}
		}
		limit = rest
	}
	return lines
}

// glyphsWidth returns the advance of g in 1/1000 em.
func glyphsWidth(g []glyph) int {
	w := 0
	for _, gl := range g {
		w += int(gl.adv)
	}
	return w
}

// lineText returns the text of one line, for tests and debugging.
func lineText(g []glyph, s span) string {
	var b strings.Builder
	for _, gl := range g[s.start:s.end] {
		b.WriteRune(gl.r)
	}
	return b.String()
}

// maxWidth returns the widest line in 1/1000 em.
func maxWidth(lines []span) int {
	m := 0
	for _, l := range lines {
		if l.width > m {
			m = l.width
		}
	}
	return m
}
