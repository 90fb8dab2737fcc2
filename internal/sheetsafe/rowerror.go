package sheetsafe

// RowError is one problem with one row of an imported sheet, for every
// domain that imports XLSX (work plans, questionnaires and households,
// volunteers): imports are all or nothing and say each row's fault.
type RowError struct {
	Row    int    // as Excel numbers rows; 0 for the file as a whole
	Column string // the column's title as the sheet has it; "" for the row
	Code   string // catalogue key of the message
	Args   []any
}

// Messages renders row errors with a catalogue function:
// 第 5 行「牵头单位」：….
func Messages(errs []RowError, t func(key string, args ...any) string) []string {
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		msg := t(e.Code, e.Args...)
		switch {
		case e.Row == 0:
			out = append(out, msg)
		case e.Column == "":
			out = append(out, t("sheet.at_row", e.Row, msg))
		default:
			out = append(out, t("sheet.at_row_column", e.Row, e.Column, msg))
		}
	}
	return out
}
