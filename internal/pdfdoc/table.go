package pdfdoc

import (
	"fmt"
	"math"
)

// tableGeom is a table's horizontal layout: left edge and column widths.
// No widths means the table has no columns and draws nothing.
type tableGeom struct {
	x      float64
	widths []float64
}

// tableGeometry checks a table and computes its columns. It runs before
// anything is drawn so that a bad table fails the call instead of yielding
// a half-rendered document.
func tableGeometry(t Table) (tableGeom, error) {
	cols := len(t.Header)
	for i, row := range t.Rows {
		if len(t.Header) > 0 && len(row) > cols {
			return tableGeom{}, fmt.Errorf("%w: row %d has %d cells, the header %d", ErrInvalid, i+1, len(row), cols)
		}
		cols = max(cols, len(row))
	}
	if cols == 0 {
		return tableGeom{}, nil
	}
	widths := make([]float64, cols)
	if len(t.Widths) == 0 {
		for i := range widths {
			widths[i] = contentW / float64(cols)
		}
	} else {
		if len(t.Widths) != cols {
			return tableGeom{}, fmt.Errorf("%w: %d widths for %d columns", ErrInvalid, len(t.Widths), cols)
		}
		sum := 0.0
		for i, w := range t.Widths {
			if !(w > 0) || math.IsInf(w, 0) {
				return tableGeom{}, fmt.Errorf("%w: width %d is %v mm", ErrInvalid, i+1, w)
			}
			sum += w
		}
		scale := math.Min(1, contentW/sum)
		for i, w := range t.Widths {
			widths[i] = w * scale
		}
	}
	total := 0.0
	for _, w := range widths {
		total += w
	}
	return tableGeom{x: marginLeft + (contentW-total)/2, widths: widths}, nil
}

// cellLayout is one cell's text wrapped to its column.
type cellLayout struct {
	g     []glyph
	lines []span
}

// rowLayout is a wrapped row; n is its height in lines (at least 1).
type rowLayout struct {
	cells []cellLayout
	n     int
}

func (r *renderer) layoutRow(cells []string, tg tableGeom) rowLayout {
	rl := rowLayout{cells: make([]cellLayout, len(tg.widths)), n: 1}
	for i, w := range tg.widths {
		if i >= len(cells) {
			break // short rows are padded with empty cells
		}
		g := r.shape(cells[i])
		lw := limit(w-2*cellPadX, tablePt)
		lines := breakLines(g, lw, lw)
		rl.cells[i] = cellLayout{g: g, lines: lines}
		rl.n = max(rl.n, len(lines))
	}
	return rl
}

func tableLineHeight() float64 { return tablePt * ptToMM * tableLeading }

func rowHeight(lines int) float64 { return float64(lines)*tableLineHeight() + 2*cellPadY }

// table draws t. Rows are laid out one at a time, so memory stays flat
// however many rows there are. A row that does not fit moves to the next
// page under a repeated header; only a row taller than a whole page is
// split between pages, line by line.
//
// keep (mm) must stay free below the last row, or that row moves to the
// next page (under the header), unless the two would not fit on any page.
func (r *renderer) table(t Table, tg tableGeom, keep float64) {
	if len(tg.widths) == 0 {
		return
	}
	var head rowLayout
	headH := 0.0
	if len(t.Header) > 0 {
		head = r.layoutRow(t.Header, tg)
		headH = rowHeight(head.n)
	}
	roomOnFreshPage := contentBottom - marginTop - headH
	headerOnPage := false
	startPage := func() {
		r.newPage()
		headerOnPage = false
	}
	drawHead := func() {
		if !headerOnPage && headH > 0 {
			r.drawRow(head, tg, 0, head.n, true)
		}
		headerOnPage = true
	}

	r.y += 2
	if len(t.Rows) == 0 {
		r.ensure(headH + keep)
		drawHead()
	}
	lh := tableLineHeight()
	for ri, row := range t.Rows {
		rl := r.layoutRow(row, tg)
		h := rowHeight(rl.n)
		if ri == len(t.Rows)-1 && h+keep <= roomOnFreshPage {
			h += keep // measured with the row, not drawn
		}
		above := 0.0
		if !headerOnPage {
			above = headH
		}
		if r.y+above+h > contentBottom {
			// Move the row to a fresh page if it fits there, or if not even
			// its first line fits here.
			if r.y > marginTop+1e-6 && (h <= roomOnFreshPage || r.y+above+rowHeight(1) > contentBottom) {
				startPage()
			}
		}
		drawHead()
		for from := 0; from < rl.n; {
			fit := int((contentBottom - r.y - 2*cellPadY + 1e-6) / lh)
			if fit < 1 {
				if r.y <= marginTop+headH+1e-6 {
					fit = 1 // header fills the page: overflow rather than loop
				} else {
					startPage()
					drawHead()
					continue
				}
			}
			to := min(rl.n, from+fit)
			r.drawRow(rl, tg, from, to, false)
			from = to
		}
	}
	r.y += 3
}

// tableLead returns the height a table needs on the page where it starts:
// its top gap, header and first row (or first line of a tall first row).
func (r *renderer) tableLead(t Table, tg tableGeom) float64 {
	if len(tg.widths) == 0 {
		return 0
	}
	h := 2.0
	if len(t.Header) > 0 {
		h += rowHeight(r.layoutRow(t.Header, tg).n)
	}
	if len(t.Rows) > 0 {
		h += rowHeight(1)
	}
	return h
}

// drawRow draws lines [from, to) of a row as one band of bordered cells.
// Header cells are shaded, bold, and centred both ways.
func (r *renderer) drawRow(rl rowLayout, tg tableGeom, from, to int, header bool) {
	size := tablePt * ptToMM
	lh := tableLineHeight()
	h := float64(to-from)*lh + 2*cellPadY
	style := "D"
	if header {
		style = "FD"
		r.pdf.SetFillColor(headerGrey, headerGrey, headerGrey)
	}
	x := tg.x
	for c, w := range tg.widths {
		r.pdf.Rect(x, r.y, w, h, style)
		cell := rl.cells[c]
		if header {
			r.setBold(true, tablePt, rgb{})
		}
		top := r.y + cellPadY
		if header {
			top += float64(rl.n-len(cell.lines)) * lh / 2
		}
		for li := from; li < min(to, len(cell.lines)); li++ {
			l := cell.lines[li]
			tx := x + cellPadX
			if header {
				tx = x + (w-mm(l.width, tablePt))/2
			}
			r.drawLine(cell.g, l, tx, baseline(top+float64(li-from)*lh, lh, size), tablePt, 0)
		}
		if header {
			// Borders must be drawn with the thin black line, not the bold stroke.
			r.setBold(false, 0, rgb{})
		}
		x += w
	}
	r.y += h
}
