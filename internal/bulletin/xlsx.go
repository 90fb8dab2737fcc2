package bulletin

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/pdfdoc"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

var (
	percentCell = regexp.MustCompile(`^-?\d+(\.\d+)?%$`)
	countCell   = regexp.MustCompile(`^-?\d{1,9}$`)
	decimalCell = regexp.MustCompile(`^-?\d{1,6}\.\d$`)
)

// ExportXLSX writes the bulletin as a workbook with one sheet per section
// of its notice: the heading, the paragraphs, then each table. Counts and
// rates are written as numbers (rates with a percent format); everything
// else as text, never as a formula.
func ExportXLSX(w io.Writer, b *Bulletin, t T) error {
	n := b.Notice(t)
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14, Color: "C8161D"}})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEEEEE"}}})
	if err != nil {
		return fmt.Errorf("xlsx style: %w", err)
	}
	used := map[string]bool{}
	for i, s := range n.Sections {
		name := sheetName(s.Heading, i, used)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return fmt.Errorf("xlsx sheet: %w", err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("xlsx sheet: %w", err)
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return fmt.Errorf("xlsx sheet: %w", err)
		}
		row := 1
		put := func(cells []any) error {
			cell, _ := excelize.CoordinatesToCellName(1, row)
			row++
			return sheetsafe.SetRow(sw, cell, cells)
		}
		widest := 0
		for _, tab := range s.Tables {
			widest = max(widest, len(tab.Header))
		}
		if err := sw.SetColWidth(1, 1, 14); err != nil {
			return fmt.Errorf("xlsx columns: %w", err)
		}
		if widest > 1 {
			if err := sw.SetColWidth(2, widest, 14); err != nil {
				return fmt.Errorf("xlsx columns: %w", err)
			}
		}
		if i == 0 {
			for _, line := range []string{n.Issuer, n.Title, n.Number, n.Date} {
				if err := put([]any{excelize.Cell{StyleID: title, Value: line}}); err != nil {
					return fmt.Errorf("xlsx row: %w", err)
				}
			}
			row++
		}
		if err := put([]any{excelize.Cell{StyleID: bold, Value: s.Heading}}); err != nil {
			return fmt.Errorf("xlsx row: %w", err)
		}
		for _, p := range s.Paragraphs {
			if err := put([]any{p}); err != nil {
				return fmt.Errorf("xlsx row: %w", err)
			}
		}
		for _, tab := range s.Tables {
			row++
			if err := put(headerCells(tab, header)); err != nil {
				return fmt.Errorf("xlsx row: %w", err)
			}
			for _, r := range tab.Rows {
				if err := put(valueCells(r, pct)); err != nil {
					return fmt.Errorf("xlsx row: %w", err)
				}
			}
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("xlsx flush: %w", err)
		}
	}
	return f.Write(w)
}

func headerCells(tab pdfdoc.Table, style int) []any {
	out := make([]any, len(tab.Header))
	for i, h := range tab.Header {
		out[i] = excelize.Cell{StyleID: style, Value: h}
	}
	return out
}

// valueCells turns a table row into numbers where the text is a number.
func valueCells(r []string, pct int) []any {
	out := make([]any, len(r))
	for i, v := range r {
		switch {
		case percentCell.MatchString(v):
			x, _ := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
			out[i] = excelize.Cell{StyleID: pct, Value: x / 100}
		case countCell.MatchString(v):
			x, _ := strconv.Atoi(v)
			out[i] = x
		case decimalCell.MatchString(v):
			x, _ := strconv.ParseFloat(v, 64)
			out[i] = x
		default:
			out[i] = v
		}
	}
	return out
}

// sheetName makes a valid, unique sheet name from a section heading.
func sheetName(heading string, i int, used map[string]bool) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '-'
		}
		return r
	}, heading)
	for utf8.RuneCountInString(name) > 31 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || used[name] {
		name = fmt.Sprintf("%d", i+1)
	}
	used[name] = true
	return name
}
