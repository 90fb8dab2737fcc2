package ledgerxlsx

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// MaxExportRows is how many cases fit one sheet: Excel's 1,048,576 rows
// less the title and the header.
const MaxExportRows = excelize.TotalRows - 2

// Source feeds the cases to export one at a time, in the order they are to
// appear. It is meant to be a closure over problem.Store.Each with the
// actor and the filter of the ledger page, so an export holds exactly what
// the person may see, and no more than one case is in memory at a time.
type Source func(fn func(*problem.Case) error) error

// Options are what an export needs besides the cases.
type Options struct {
	// Regions gives the street and community names of a case's region
	// code (see Names). When nil the street stays empty and the community
	// column shows the name of the case's own region.
	Regions func(code string) (street, community string)
}

// Names builds Options.Regions from a lookup of one region's name by code.
// The national division codes nest (street = first 9 digits, community =
// first 12, a grid adds 3 more), so the ancestors come from the code alone
// and name is asked at most once per distinct street or community — a few
// hundred lookups for a city-wide export. An unknown code gives "". The
// result keeps its own memo: use one per export, from one goroutine.
func Names(name func(code string) string) func(code string) (street, community string) {
	memo := map[string]string{}
	lookup := func(code string) string {
		n, ok := memo[code]
		if !ok {
			n = name(code)
			memo[code] = n
		}
		return n
	}
	return func(code string) (street, community string) {
		if len(code) >= 9 {
			street = lookup(code[:9])
		}
		if len(code) >= 12 {
			community = lookup(code[:12])
		}
		return street, community
	}
}

// column is one column of the exported sheet.
type column struct {
	header string  // catalogue key of the header text
	width  float64 // in Excel's character units
	style  cellKind
}

// cellKind picks the style of a data cell.
type cellKind int

const (
	kindText   cellKind = iota // short text, one line
	kindWrap                   // long text, wrapped
	kindTime                   // date and time
	kindCenter                 // short words and counts, centred
)

// The columns of the exported ledger, in the order a 创文办's hand-kept
// ledger has them: what, where, who, when, how it ended.
const (
	colCode = iota
	colSource
	colCategory
	colDescription
	colAddress
	colStreet
	colCommunity
	colUnit
	colReportedAt
	colDeadline
	colState
	colRectifiedAt
	colClosedAt
	colVerification
	colOverdue
	colReworks
	colExtensions
	colEscalation
	numCols
)

// columns describes each column, indexed by the col constants.
func columns() [numCols]column {
	return [numCols]column{
		colCode:         {"ledgerxlsx.col.code", 17, kindText},
		colSource:       {"ledgerxlsx.col.source", 11, kindCenter},
		colCategory:     {"ledgerxlsx.col.category", 16, kindText},
		colDescription:  {"ledgerxlsx.col.description", 44, kindWrap},
		colAddress:      {"ledgerxlsx.col.address", 26, kindWrap},
		colStreet:       {"ledgerxlsx.col.street", 14, kindText},
		colCommunity:    {"ledgerxlsx.col.community", 16, kindText},
		colUnit:         {"ledgerxlsx.col.unit", 20, kindText},
		colReportedAt:   {"ledgerxlsx.col.reported_at", 17, kindTime},
		colDeadline:     {"ledgerxlsx.col.deadline", 17, kindTime},
		colState:        {"ledgerxlsx.col.state", 13, kindCenter},
		colRectifiedAt:  {"ledgerxlsx.col.rectified_at", 17, kindTime},
		colClosedAt:     {"ledgerxlsx.col.closed_at", 17, kindTime},
		colVerification: {"ledgerxlsx.col.verification", 11, kindCenter},
		colOverdue:      {"ledgerxlsx.col.overdue", 9, kindCenter},
		colReworks:      {"ledgerxlsx.col.rework_count", 9, kindCenter},
		colExtensions:   {"ledgerxlsx.col.extension_count", 9, kindCenter},
		colEscalation:   {"ledgerxlsx.col.escalation", 9, kindCenter},
	}
}

// styles holds the style ids of one workbook.
type styles struct {
	title, header        int
	kinds                [4]int // by cellKind
	overdue, yellow, red int    // emphasis on the words that matter
}

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	border := []excelize.Border{
		{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1},
	}
	timeFmt := excelTimeFormat
	specs := []struct {
		id *int
		st excelize.Style
	}{
		{&s.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14},
			Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}}},
		{&s.header, excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&s.kinds[kindText], excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&s.kinds[kindWrap], excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}},
		{&s.kinds[kindTime], excelize.Style{Border: border, CustomNumFmt: &timeFmt,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&s.kinds[kindCenter], excelize.Style{Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&s.overdue, excelize.Style{Border: border, Font: &excelize.Font{Bold: true, Color: "C00000"},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&s.yellow, excelize.Style{Border: border, Font: &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFEB9C"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&s.red, excelize.Style{Border: border, Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"C00000"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
	}
	for _, sp := range specs {
		id, err := f.NewStyle(&sp.st)
		if err != nil {
			return s, fmt.Errorf("ledger export style: %w", err)
		}
		*sp.id = id
	}
	return s, nil
}

// Export writes the cases src yields as an Excel workbook to w and returns
// how many cases it wrote. Rows go through excelize's StreamWriter, which
// spills to a temporary file, so the sheet is never held in memory; only
// the finished (compressed) file is, because excelize assembles the zip in
// a buffer before writing it out.
//
// Every text cell is written as a string, never as a formula, and text
// that a spreadsheet would take for one ("=HYPERLINK(…)") gets an
// apostrophe before it (sheetsafe; no formula injection).
// Times are Excel dates shown as "2006-01-02 15:04" in Asia/Shanghai time.
// t renders catalogue keys; now stamps the title and decides what is
// overdue. Only admin, office and leader may export the ledger; anyone
// else gets apperr Forbidden before anything is read.
func Export(ctx context.Context, a access.Actor, w io.Writer, src Source, t func(key string, args ...any) string, now time.Time, opts Options) (rows int, err error) {
	if !MayExport(a) {
		return 0, apperr.Forbidden("error.forbidden")
	}
	loc := calendar.Shanghai()
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("ledger export: close workbook: %w", cerr)
		}
	}()
	sheet := t("ledgerxlsx.sheet")
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return 0, fmt.Errorf("ledger export: name sheet: %w", err)
	}
	st, err := newStyles(f)
	if err != nil {
		return 0, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return 0, fmt.Errorf("ledger export: %w", err)
	}
	cols := columns()
	lastCol, _ := excelize.ColumnNumberToName(numCols)
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return 0, fmt.Errorf("ledger export: column width: %w", err)
		}
	}
	// Title and header stay in view while scrolling through thousands of rows.
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return 0, fmt.Errorf("ledger export: freeze header: %w", err)
	}
	title := t("ledgerxlsx.title", now.In(loc).Format(timeLayout))
	if err := sheetsafe.SetRow(sw, "A1", []any{excelize.Cell{StyleID: st.title, Value: title}}, excelize.RowOpts{Height: 24}); err != nil {
		return 0, fmt.Errorf("ledger export: title: %w", err)
	}
	if err := sw.MergeCell("A1", lastCol+"1"); err != nil {
		return 0, fmt.Errorf("ledger export: title: %w", err)
	}
	header := make([]any, numCols)
	for i, c := range cols {
		header[i] = excelize.Cell{StyleID: st.header, Value: t(c.header)}
	}
	if err := sheetsafe.SetRow(sw, "A2", header, excelize.RowOpts{Height: 20}); err != nil {
		return 0, fmt.Errorf("ledger export: header: %w", err)
	}

	words := newWords(t)
	// One set of cells reused for every row: SetRow serialises them at once.
	var cells [numCols]excelize.Cell
	row := make([]any, numCols)
	for i := range cells {
		row[i] = &cells[i]
	}
	err = src(func(c *problem.Case) error {
		if rows%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if rows == MaxExportRows {
			return apperr.Invalid("ledgerxlsx.too_many_to_export", MaxExportRows)
		}
		fillRow(&cells, &cols, st, words, c, now, loc, opts)
		rows++
		ref, err := excelize.CoordinatesToCellName(1, rows+2)
		if err != nil {
			return err
		}
		return sheetsafe.SetRow(sw, ref, row)
	})
	if err != nil {
		return 0, fmt.Errorf("ledger export: %w", err)
	}
	// A filter on the header row is what people use first in a ledger. It
	// goes into the worksheet the stream writer holds, written by Flush.
	if err := f.AutoFilter(sheet, fmt.Sprintf("A2:%s%d", lastCol, max(rows+2, 3)), nil); err != nil {
		return 0, fmt.Errorf("ledger export: filter: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return 0, fmt.Errorf("ledger export: flush: %w", err)
	}
	if err := f.Write(w); err != nil {
		return 0, fmt.Errorf("ledger export: write: %w", err)
	}
	return rows, nil
}

// words caches the fixed texts of the cells, looked up once per export
// rather than once per row.
type words struct {
	states       map[problem.State]string
	sources      map[problem.Source]string
	t            func(key string, args ...any) string
	passed, none string
	yes, no      string
	yellow, red  string
}

func newWords(t func(key string, args ...any) string) *words {
	w := &words{states: map[problem.State]string{}, sources: map[problem.Source]string{}, t: t,
		passed: t("ledgerxlsx.verify.passed"), none: t("ledgerxlsx.none"),
		yes: t("ledgerxlsx.yes"), no: t("ledgerxlsx.no"),
		yellow: t("ledgerxlsx.escalation.yellow"), red: t("ledgerxlsx.escalation.red")}
	for _, s := range problem.States() {
		w.states[s] = t(s.Key())
	}
	for _, s := range problem.Sources() {
		w.sources[s] = t(s.Key())
	}
	return w
}

func (w *words) state(s problem.State) string {
	if n, ok := w.states[s]; ok {
		return n
	}
	return string(s)
}

func (w *words) source(s problem.Source) string {
	if n, ok := w.sources[s]; ok {
		return n
	}
	return string(s)
}

// fillRow puts one case into the reused cells.
func fillRow(cells *[numCols]excelize.Cell, cols *[numCols]column, st styles, w *words, c *problem.Case, now time.Time,
	loc *time.Location, opts Options) {
	street, community := "", c.RegionName
	if opts.Regions != nil && c.RegionCode != "" {
		street, community = opts.Regions(c.RegionCode)
	}
	at := func(t time.Time) any {
		if t.IsZero() {
			return nil // an empty cell, still bordered
		}
		return t.In(loc)
	}
	var v [numCols]any
	v[colCode], v[colSource], v[colCategory] = c.Code, w.source(c.Source), c.CategoryName
	v[colDescription], v[colAddress] = c.Description, c.Address
	v[colStreet], v[colCommunity], v[colUnit] = street, community, c.UnitName
	v[colReportedAt], v[colDeadline], v[colState] = at(c.ReportedAt), at(c.Deadline), w.state(c.State)
	v[colRectifiedAt], v[colClosedAt] = at(c.RectifiedAt), at(c.ClosedAt)
	switch {
	case c.State == problem.Closed:
		v[colVerification] = w.passed
	case c.ReworkCount > 0:
		v[colVerification] = w.t("ledgerxlsx.verify.rework", c.ReworkCount)
	default:
		v[colVerification] = w.none
	}
	v[colOverdue], v[colReworks], v[colExtensions], v[colEscalation] = w.no, c.ReworkCount, c.ExtensionCount, w.none
	for i := range cells {
		cells[i] = excelize.Cell{StyleID: st.kinds[cols[i].style], Value: v[i]}
	}
	if isOverdue(c, now) {
		cells[colOverdue] = excelize.Cell{StyleID: st.overdue, Value: w.yes}
	}
	switch c.EscalationLevel {
	case 1:
		cells[colEscalation] = excelize.Cell{StyleID: st.yellow, Value: w.yellow}
	case 2:
		cells[colEscalation] = excelize.Cell{StyleID: st.red, Value: w.red}
	}
}

// isOverdue is the ledger's 是否超期: open and past the deadline now (as
// problem.Case.Overdue), or closed after the deadline. A parked case is
// not overdue, and neither is a rectified one awaiting verification: until
// it is closed, the closing time that decides is not known.
func isOverdue(c *problem.Case, now time.Time) bool {
	if c.Overdue(now) {
		return true
	}
	return c.State == problem.Closed && !c.Deadline.IsZero() && c.ClosedAt.After(c.Deadline)
}

// MayExport reports whether a may export the ledger; pages use it to decide
// whether to show the export button.
func MayExport(a access.Actor) bool {
	return a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader)
}
