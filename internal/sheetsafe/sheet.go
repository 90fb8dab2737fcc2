// Package sheetsafe holds the one rule every spreadsheet wenming writes obeys:
// a text cell that a spreadsheet program could take for a formula is
// neutralised (OWASP's CSV-injection rule). Every XLSX and CSV writer puts
// its text through here; numbers written as numbers are left alone.
package sheetsafe

import (
	"strings"

	"github.com/xuri/excelize/v2"
)

// formulaStart holds the first characters that make Excel, LibreOffice or
// Google Sheets read a cell as a formula (or, for tab and carriage return,
// let one hide behind them).
const formulaStart = "=+-@\t\r"

// Text is s made safe for a text cell: an apostrophe goes before a first
// character that could start a formula.
func Text(s string) string {
	if s != "" && strings.IndexByte(formulaStart, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// Restore undoes Text for a cell read back from a sheet, so an exported
// sheet imports to the same values.
func Restore(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.IndexByte(formulaStart, s[1]) >= 0 {
		return s[1:]
	}
	return s
}

// Row neutralises the text cells of a row in place and returns it: plain
// strings, and the string values of excelize.Cell and *excelize.Cell.
// Numbers, times and formulas set on purpose (Cell.Formula) are untouched.
func Row(cells []any) []any {
	for i, v := range cells {
		switch x := v.(type) {
		case string:
			cells[i] = Text(x)
		case excelize.Cell:
			if s, ok := x.Value.(string); ok {
				x.Value = Text(s)
				cells[i] = x
			}
		case *excelize.Cell:
			if x == nil {
				continue
			}
			if s, ok := x.Value.(string); ok {
				x.Value = Text(s)
			}
		}
	}
	return cells
}

// SetRow is sw.SetRow with the row neutralised first; every stream writer
// in wenming writes its rows through it.
func SetRow(sw *excelize.StreamWriter, ref string, cells []any, opts ...excelize.RowOpts) error {
	return sw.SetRow(ref, Row(cells), opts...)
}
