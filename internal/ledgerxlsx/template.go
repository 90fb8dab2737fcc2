package ledgerxlsx

import (
	"fmt"
	"io"
	"slices"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// Template writes the workbook an office fills to import its ledger: the
// first sheet has one header per field (the required ones marked *, which
// the import ignores) and nothing else, so that a filled copy imports as
// it is; the second sheet says what each column takes, with an example.
func Template(w io.Writer, t func(key string, args ...any) string) (err error) {
	book := excelize.NewFile()
	defer func() {
		if cerr := book.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("ledger template: %w", cerr)
		}
	}()
	sheet, help := t("field.tpl.sheet"), t("field.tpl.help_sheet")
	if err := book.SetSheetName(book.GetSheetName(0), sheet); err != nil {
		return fmt.Errorf("ledger template: %w", err)
	}
	if _, err := book.NewSheet(help); err != nil {
		return fmt.Errorf("ledger template: %w", err)
	}
	head, err := book.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	if err != nil {
		return fmt.Errorf("ledger template: %w", err)
	}
	required := RequiredFields()
	// The texts are the catalogue's; sheetsafe keeps any of them from
	// reading as a formula all the same.
	var headers []any
	rows := [][]any{{t("field.tpl.col_name"), t("field.tpl.col_required"), t("field.tpl.col_example")}}
	for _, f := range Fields() {
		name, must := t(f.Key()), t("field.tpl.no")
		if slices.Contains(required, f) {
			name, must = name+"*", t("field.tpl.yes")
		}
		headers = append(headers, sheetsafe.Text(name))
		rows = append(rows, []any{name, must, t("field.tpl.example." + string(f))})
	}
	if err := book.SetSheetRow(sheet, "A1", &headers); err != nil {
		return fmt.Errorf("ledger template: %w", err)
	}
	last, _ := excelize.ColumnNumberToName(len(headers))
	if err := book.SetColWidth(sheet, "A", last, 16); err != nil {
		return fmt.Errorf("ledger template: %w", err)
	}
	if err := book.SetCellStyle(sheet, "A1", last+"1", head); err != nil {
		return fmt.Errorf("ledger template: %w", err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		r = sheetsafe.Row(r)
		if err := book.SetSheetRow(help, cell, &r); err != nil {
			return fmt.Errorf("ledger template: %w", err)
		}
	}
	if err := book.SetColWidth(help, "A", "C", 28); err != nil {
		return fmt.Errorf("ledger template: %w", err)
	}
	if err := book.SetCellStyle(help, "A1", "C1", head); err != nil {
		return fmt.Errorf("ledger template: %w", err)
	}
	return book.Write(w)
}
