// Package ledgerxlsx is the problem ledger (问题台账) as an Excel workbook,
// the way a civilization office keeps it: Export streams the cases a person
// may see into a formatted sheet, and ParseWorkbook reads a ledger the
// office kept by hand before the platform (or an earlier export) into
// problem.ImportedCase values for problem.Store.ImportCases.
//
// Import rules, in short (the details are at ParseWorkbook):
//
//   - Only the first sheet is read. The header row is the first of the top
//     MaxHeaderScan rows with at least three known column titles; rows above
//     it (a title, a date line) are ignored, as are empty rows below it.
//   - At most MaxRows data rows; a bigger file is refused as a whole.
//   - Required per row: description, region and reported time. An empty
//     source means "other"; an empty state is derived from the times (see
//     deriveState); a closed case without a closed time takes its
//     rectified time.
//   - Dates: 2026-01-02, 2026/1/2, 2026.1.2, 2026年1月2日, 20260102, each
//     with an optional time (15:04 or 15:04:05), or Excel date serials; all
//     in Asia/Shanghai time. A deadline without a time means the end of
//     that day.
package ledgerxlsx

// MaxRows bounds the data rows of one imported workbook. A city's ledger
// for a year is a few thousand rows; 20,000 keeps one import inside one
// transaction of reasonable size and the error list readable.
const MaxRows = 20000

// MaxFileSize bounds an imported workbook in bytes. A full MaxRows ledger
// is a few megabytes; the limit stops a zip bomb or a wrong upload early.
const MaxFileSize = 32 << 20

// MaxHeaderScan is how many rows from the top are searched for the header.
const MaxHeaderScan = 10

// minHeaderMatches is how many known column titles make a row the header.
const minHeaderMatches = 3

// timeLayout is how exported times read in a cell.
const timeLayout = "2006-01-02 15:04"

// excelTimeFormat is timeLayout as an Excel number format, so exported
// times stay real dates that sort and filter in Excel and WPS.
const excelTimeFormat = "yyyy-mm-dd hh:mm"

// Field is a piece of a case that an imported column can fill.
type Field string

// The fields of an imported case.
const (
	FieldCode        Field = "code"
	FieldSource      Field = "source"
	FieldCategory    Field = "category"
	FieldDescription Field = "description"
	FieldAddress     Field = "address"
	FieldRegion      Field = "region"
	FieldUnit        Field = "unit"
	FieldState       Field = "state"
	FieldReportedAt  Field = "reported_at"
	FieldDeadline    Field = "deadline"
	FieldRectifiedAt Field = "rectified_at"
	FieldClosedAt    Field = "closed_at"
	FieldLng         Field = "lng"
	FieldLat         Field = "lat"
)

// Fields lists the fields in the order a mapping form shows them.
func Fields() []Field {
	return []Field{FieldCode, FieldSource, FieldCategory, FieldDescription, FieldAddress, FieldRegion, FieldUnit,
		FieldState, FieldReportedAt, FieldDeadline, FieldRectifiedAt, FieldClosedAt, FieldLng, FieldLat}
}

// RequiredFields lists the fields every imported row must have, so their
// columns must be mapped.
func RequiredFields() []Field {
	return []Field{FieldDescription, FieldRegion, FieldReportedAt}
}

// Key is the catalogue key of the field's name.
func (f Field) Key() string { return "ledgerxlsx.field." + string(f) }
