package ledgerxlsx

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// Mapping says which column fills each field, by the column's header text
// as the sheet has it. Fields not in the map are not imported.
type Mapping map[Field]string

// Lookups resolve the names a sheet uses to the platform's records. The
// caller supplies them (from the category, region and unit stores); each
// is asked once per distinct text in a workbook. A nil lookup finds
// nothing.
type Lookups struct {
	Category func(name string) (int64, bool)
	// Region takes a community, grid or street name, or a region code, and
	// returns the region's code. Names are not unique across a city (many
	// streets have a 新华社区); the lookup decides how to settle that, for
	// instance by looking only inside the importing office's jurisdiction.
	Region func(nameOrCode string) (string, bool)
	Unit   func(name string) (int64, bool)
}

// synonyms lists, per field, the header texts hand-kept ledgers use for it,
// most telling first (compared after normHeader). 序号 is deliberately
// absent: it numbers the rows of one sheet and is not a case's code.
func synonyms() map[Field][]string {
	return map[Field][]string{
		FieldCode:        {"编号", "问题编号", "案件编号", "工单编号", "工单号", "案卷编号", "code"},
		FieldSource:      {"来源", "问题来源", "案件来源", "线索来源", "source"},
		FieldCategory:    {"类别", "问题类别", "问题类型", "问题分类", "类型", "小类", "category"},
		FieldDescription: {"问题描述", "问题内容", "描述", "具体问题", "存在问题", "主要问题", "问题", "description"},
		FieldAddress:     {"地点", "问题地点", "位置", "问题位置", "地址", "详细地址", "具体位置", "address"},
		FieldRegion:      {"所属社区", "社区", "所属网格", "网格", "区域", "所属区域", "region"},
		FieldUnit:        {"责任单位", "整改单位", "承办单位", "责任部门", "处置单位", "unit"},
		FieldState:       {"状态", "办理状态", "整改情况", "整改状态", "处理状态", "办理情况", "state"},
		FieldReportedAt:  {"发现时间", "上报时间", "交办时间", "发现日期", "上报日期", "交办日期", "登记时间", "reported_at"},
		FieldDeadline:    {"整改时限", "办结时限", "时限", "整改期限", "完成时限", "deadline"},
		FieldRectifiedAt: {"整改时间", "完成时间", "整改完成时间", "整改日期", "rectified_at"},
		FieldClosedAt:    {"结案时间", "销号时间", "办结时间", "结案日期", "销号日期", "closed_at"},
		FieldLng:         {"经度", "lng", "longitude", "lon"},
		FieldLat:         {"纬度", "lat", "latitude"},
	}
}

// normHeader folds a header text for matching: no spaces or line breaks
// (titles are often wrapped as "问题\n描述"), no required-marks (*), no
// colon, nothing in brackets ("经度（WGS-84）", "发现时间(年月日)").
func normHeader(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range normLabel(s) {
		switch r {
		case '(', '（', '[', '【':
			depth++
		case ')', '）', ']', '】':
			if depth > 0 {
				depth--
			}
		case '*', '＊', ':', '：':
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// DetectMapping guesses the mapping from a header row: each field takes
// the column whose header is its most telling synonym, and a column fills
// at most one field. Unknown headers (序号, 备注, 所属街道 …) are left out.
func DetectMapping(headers []string) Mapping {
	syn := synonyms()
	norm := make([]string, len(headers))
	for i, h := range headers {
		norm[i] = normHeader(h)
	}
	used := make([]bool, len(headers))
	m := Mapping{}
	for _, f := range Fields() {
	next:
		for _, s := range syn[f] {
			for i, n := range norm {
				if !used[i] && n != "" && n == s {
					m[f] = strings.TrimSpace(headers[i])
					used[i] = true
					break next
				}
			}
		}
	}
	return m
}

// knownHeaders is every normalised header text that marks a header row:
// the synonyms and the texts the mapping names.
func knownHeaders(m Mapping) map[string]bool {
	known := map[string]bool{}
	for _, list := range synonyms() {
		for _, s := range list {
			known[s] = true
		}
	}
	for _, h := range m {
		if n := normHeader(h); n != "" {
			known[n] = true
		}
	}
	return known
}

// sheet reads the first worksheet of a workbook row by row.
type sheet struct {
	f        *excelize.File
	rows     *excelize.Rows
	date1904 bool
	row      int // 1-based number of the row last read, as Excel shows it
}

// openSheet opens the first worksheet of an XLSX file. Anything that is not
// one (an old .xls, a CSV, a damaged or encrypted file) is the caller's
// input error, not ours.
func openSheet(r io.Reader) (*sheet, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read workbook: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, apperr.Invalid("ledgerxlsx.file_too_large", MaxFileSize>>20)
	}
	// An XLSX is a zip; checking the magic first keeps excelize from trying
	// to decrypt every OLE file (.xls, .doc) it is handed.
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, notXLSX(nil)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue: true, // dates as serials, not as whatever format the cell shows
		// Bounds what a small upload may unpack to; a real ledger is far below.
		UnzipSizeLimit:    256 << 20,
		UnzipXMLSizeLimit: 16 << 20,
	})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		return nil, notXLSX(err)
	}
	names := f.GetSheetList()
	if len(names) == 0 {
		_ = f.Close()
		return nil, notXLSX(nil)
	}
	s := &sheet{f: f}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		s.date1904 = *props.Date1904
	}
	if s.rows, err = f.Rows(names[0]); err != nil {
		_ = f.Close()
		return nil, notXLSX(err)
	}
	return s, nil
}

// notXLSX refuses a file as not a workbook, keeping the cause for logs.
func notXLSX(cause error) error {
	e := apperr.Invalid("ledgerxlsx.not_xlsx")
	e.Err = cause
	return e
}

// next returns the cells of the next row (trimmed, possibly none); false at
// the end. Rows missing from the file come back empty, so s.row stays the
// number Excel shows.
func (s *sheet) next() ([]string, bool, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, false, notXLSX(err)
		}
		return nil, false, nil
	}
	s.row++
	cells, err := s.rows.Columns()
	if err != nil {
		return nil, false, notXLSX(err)
	}
	for i, c := range cells {
		// An export put an apostrophe before text that could start a formula.
		cells[i] = sheetsafe.Restore(strings.TrimSpace(c))
	}
	return cells, true, nil
}

func (s *sheet) close() {
	_ = s.rows.Close()
	_ = s.f.Close()
}

func countFilled(cells []string) int {
	n := 0
	for _, c := range cells {
		if c != "" {
			n++
		}
	}
	return n
}

// findHeader reads up to MaxHeaderScan rows and returns the first with at
// least minHeaderMatches known headers. When none has and fallback is
// set, the row with the most filled cells is the header (so a mapping form
// can still offer the columns of an unusual sheet, and not its title).
func (s *sheet) findHeader(known map[string]bool, fallback bool) ([]string, error) {
	var widest []string
	most := 0
	for s.row < MaxHeaderScan {
		cells, ok, err := s.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		n := 0
		for _, c := range cells {
			if known[normHeader(c)] {
				n++
			}
		}
		if n >= minHeaderMatches {
			return cells, nil
		}
		if filled := countFilled(cells); filled > most {
			widest, most = cells, filled
		}
	}
	if fallback && widest != nil {
		return widest, nil
	}
	return nil, apperr.Invalid("ledgerxlsx.no_header", MaxHeaderScan)
}

// Headers returns the header texts of a workbook's first sheet, for a form
// in which a person maps columns to fields: the row ParseWorkbook would
// take as the header, or else the fullest of the top rows. Empty and
// repeated titles are left out.
func Headers(r io.Reader) ([]string, error) {
	s, err := openSheet(r)
	if err != nil {
		return nil, err
	}
	defer s.close()
	cells, err := s.findHeader(knownHeaders(nil), true)
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, c := range cells {
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// RowError is one problem with one row of an imported sheet.
type RowError struct {
	Row    int    // 1-based, as Excel numbers the rows
	Field  string // the Field concerned, "" for the row as a whole
	Header string // that field's header text in the sheet
	Code   string // catalogue key of the message
	Args   []any  // arguments of the message
}

// Messages renders row errors with a catalogue function such as
// (*i18n.Catalog).T: 第 12 行「责任单位」：找不到单位「某某局」. The column is
// named by its header in the sheet, so the person finds it at once.
func Messages(errs []RowError, t func(key string, args ...any) string) []string {
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		msg := t(e.Code, e.Args...)
		label := e.Header
		if label == "" && e.Field != "" {
			label = t(Field(e.Field).Key())
		}
		if label == "" {
			out = append(out, t("ledgerxlsx.at_row", e.Row, msg))
		} else {
			out = append(out, t("ledgerxlsx.at_row_field", e.Row, label, msg))
		}
	}
	return out
}

// Text limits of a case, as problem.Store.Report enforces them.
const (
	maxDescription = 2000
	maxAddress     = 200
	maxCode        = 40
)

// ParseWorkbook reads a ledger from the first sheet of an XLSX workbook.
//
// The header row is found automatically (see the package comment). m maps
// fields to header texts; nil or empty means DetectMapping on the header.
// The columns of description, region and reported time must be mapped.
//
// Every non-empty row below the header is checked and each problem is
// reported with the row's number: description, region and reported time
// are required; region, category and unit must be known to lk (an empty
// category or unit is allowed); state and source must be recognised (see
// stateLabels and sourceParser; an empty source is "other", an empty state
// is derived); times must parse (see parseTime), must not lie after now
// (the deadline may) nor on a day before the reported day; a closed case needs a
// closed time and takes its rectified time when it has none, and only a
// closed case may have one; coordinates come in pairs and inside China;
// codes are unique within the sheet. A deadline given as a bare date
// (or an Excel date without a time) means the end of that day.
//
// The returned cases are the rows without problems, in sheet order. The
// ledger's import is all or nothing (problem.Store.ImportCases), so a
// caller should import nothing while the row errors are not empty. The
// error is for the workbook as a whole: not an XLSX, no header row, an
// unmapped or missing column, no data rows or more than MaxRows.
func ParseWorkbook(r io.Reader, m Mapping, lk Lookups, now time.Time) ([]problem.ImportedCase, []RowError, error) {
	s, err := openSheet(r)
	if err != nil {
		return nil, nil, err
	}
	defer s.close()
	header, err := s.findHeader(knownHeaders(m), false)
	if err != nil {
		return nil, nil, err
	}
	if len(m) == 0 {
		m = DetectMapping(header)
	}
	p, err := newRowParser(header, m, lk, now, s.date1904)
	if err != nil {
		return nil, nil, err
	}
	var cases []problem.ImportedCase
	var errs []RowError
	n := 0
	for {
		cells, ok, err := s.next()
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			break
		}
		if p.blank(cells) {
			continue
		}
		if n++; n > MaxRows {
			return nil, nil, apperr.Invalid("ledgerxlsx.too_many_rows", MaxRows)
		}
		c, rowErrs := p.parse(s.row, cells)
		if len(rowErrs) > 0 {
			errs = append(errs, rowErrs...)
			continue
		}
		cases = append(cases, c)
	}
	if n == 0 {
		return nil, nil, apperr.Invalid("ledgerxlsx.no_rows")
	}
	return cases, errs, nil
}

// rowParser turns the cells of one row into a case.
type rowParser struct {
	col      map[Field]int // column index of each mapped field
	header   map[Field]string
	lk       Lookups
	now      time.Time
	loc      *time.Location
	date1904 bool
	states   map[string]problem.State
	sources  sourceParser
	// Memos of the lookups: a sheet names the same few dozen units and
	// communities thousands of times.
	categories map[string]lookupResult[int64]
	regions    map[string]lookupResult[string]
	units      map[string]lookupResult[int64]
	codes      map[string]int // code → first row with it
}

type lookupResult[T any] struct {
	v  T
	ok bool
}

func memo[T any](cache map[string]lookupResult[T], fn func(string) (T, bool), key string) (T, bool) {
	if r, ok := cache[key]; ok {
		return r.v, r.ok
	}
	var r lookupResult[T]
	if fn != nil {
		r.v, r.ok = fn(key)
	}
	cache[key] = r
	return r.v, r.ok
}

func newRowParser(header []string, m Mapping, lk Lookups, now time.Time, date1904 bool) (*rowParser, error) {
	p := &rowParser{col: map[Field]int{}, header: map[Field]string{}, lk: lk, now: now, loc: calendar.Shanghai(),
		date1904: date1904, states: stateLabels(), sources: newSourceParser(),
		categories: map[string]lookupResult[int64]{}, regions: map[string]lookupResult[string]{},
		units: map[string]lookupResult[int64]{}, codes: map[string]int{}}
	for _, f := range Fields() {
		h, ok := m[f]
		if !ok || strings.TrimSpace(h) == "" {
			continue
		}
		want := normHeader(h)
		idx := -1
		for i, c := range header {
			if normHeader(c) == want {
				idx = i // the first of repeated titles
				break
			}
		}
		if idx < 0 {
			return nil, apperr.Invalid("ledgerxlsx.column_missing", strings.TrimSpace(h))
		}
		p.col[f], p.header[f] = idx, header[idx]
	}
	for _, f := range RequiredFields() {
		if _, ok := p.col[f]; !ok {
			return nil, apperr.Invalid(unmappedKey(f))
		}
	}
	return p, nil
}

// unmappedKey is the catalogue key saying a required field has no column.
func unmappedKey(f Field) string { return "ledgerxlsx.unmapped." + string(f) }

// parse checks one row; it reports every problem of the row, not just the
// first, so one round of corrections is enough.
func (p *rowParser) parse(row int, cells []string) (problem.ImportedCase, []RowError) {
	var errs []RowError
	fail := func(f Field, code string, args ...any) {
		errs = append(errs, RowError{Row: row, Field: string(f), Header: p.header[f], Code: code, Args: args})
	}
	cell := func(f Field) string {
		if i, ok := p.col[f]; ok && i < len(cells) {
			return cells[i]
		}
		return ""
	}
	var c problem.ImportedCase

	c.Code = cell(FieldCode)
	if c.Code != "" {
		if utf8.RuneCountInString(c.Code) > maxCode {
			fail(FieldCode, "ledgerxlsx.code_too_long", maxCode)
		} else if first, dup := p.codes[c.Code]; dup {
			fail(FieldCode, "ledgerxlsx.code_duplicate", c.Code, first)
		} else {
			p.codes[c.Code] = row
		}
	}

	c.Description = cell(FieldDescription)
	switch {
	case c.Description == "":
		fail(FieldDescription, "ledgerxlsx.description_required")
	case utf8.RuneCountInString(c.Description) > maxDescription:
		fail(FieldDescription, "ledgerxlsx.text_too_long", maxDescription)
	}
	c.Address = cell(FieldAddress)
	if utf8.RuneCountInString(c.Address) > maxAddress {
		fail(FieldAddress, "ledgerxlsx.text_too_long", maxAddress)
	}

	if v := cell(FieldRegion); v == "" {
		fail(FieldRegion, "ledgerxlsx.region_required")
	} else if code, ok := memo(p.regions, p.lk.Region, v); ok {
		c.RegionCode = code
	} else {
		fail(FieldRegion, "ledgerxlsx.region_unknown", v)
	}
	if v := cell(FieldCategory); v != "" {
		if id, ok := memo(p.categories, p.lk.Category, v); ok {
			c.CategoryID = id
		} else {
			fail(FieldCategory, "ledgerxlsx.category_unknown", v)
		}
	}
	if v := cell(FieldUnit); v != "" {
		if id, ok := memo(p.units, p.lk.Unit, v); ok {
			c.UnitID = id
		} else {
			fail(FieldUnit, "ledgerxlsx.unit_unknown", v)
		}
	}
	if src, ok := p.sources.parse(cell(FieldSource)); ok {
		c.Source = src
	} else {
		fail(FieldSource, "ledgerxlsx.source_unknown", cell(FieldSource))
	}

	times := []struct {
		f      Field
		t      *time.Time
		future bool // may lie after now
	}{
		{FieldReportedAt, &c.ReportedAt, false},
		{FieldDeadline, &c.Deadline, true},
		{FieldRectifiedAt, &c.RectifiedAt, false},
		{FieldClosedAt, &c.ClosedAt, false},
	}
	timesOK := true
	for _, x := range times {
		v := cell(x.f)
		t, clock, ok := parseTime(v, p.date1904, p.loc)
		switch {
		case !ok:
			fail(x.f, "ledgerxlsx.time_invalid", v)
			timesOK = false
		case !x.future && t.After(p.now):
			fail(x.f, "ledgerxlsx.time_future", t.Format(timeLayout))
			timesOK = false
		default:
			if x.f == FieldDeadline && !t.IsZero() && !clock {
				t = endOfDay(t)
			}
			*x.t = t
		}
	}
	if c.ReportedAt.IsZero() && cell(FieldReportedAt) == "" {
		fail(FieldReportedAt, "ledgerxlsx.reported_at_required")
		timesOK = false
	}
	if timesOK {
		for _, x := range times[1:] {
			if !x.t.IsZero() && !sameOrLaterDay(*x.t, c.ReportedAt) {
				fail(x.f, "ledgerxlsx.time_before_reported", x.t.Format(timeLayout), c.ReportedAt.Format(timeLayout))
			}
		}
	}

	if v := cell(FieldState); v == "" {
		c.State = deriveState(c)
	} else if st, ok := parseState(p.states, v); ok {
		c.State = st
	} else {
		fail(FieldState, "ledgerxlsx.state_unknown", v)
	}
	if c.State == problem.Closed && c.ClosedAt.IsZero() {
		// A hand-kept ledger often records only when the work was done; for
		// a closed case that is the best closing time there is.
		c.ClosedAt = c.RectifiedAt
		if c.ClosedAt.IsZero() && timesOK {
			fail(FieldClosedAt, "ledgerxlsx.closed_at_required")
		}
	}
	if c.State != "" && c.State != problem.Closed && !c.ClosedAt.IsZero() {
		fail(FieldClosedAt, "ledgerxlsx.closed_at_not_closed", cell(FieldState))
	}

	lngText, latText := cell(FieldLng), cell(FieldLat)
	switch {
	case lngText == "" && latText == "":
	case lngText == "" || latText == "":
		f := FieldLng
		if latText == "" {
			f = FieldLat
		}
		fail(f, "ledgerxlsx.coords_incomplete")
	default:
		lng, ok1 := parseCoord(lngText)
		lat, ok2 := parseCoord(latText)
		switch {
		case !ok1:
			fail(FieldLng, "ledgerxlsx.coord_invalid", lngText)
		case !ok2:
			fail(FieldLat, "ledgerxlsx.coord_invalid", latText)
		case lng < minLng || lng > maxLng || lat < minLat || lat > maxLat:
			fail(FieldLng, "ledgerxlsx.coords_outside_china", lngText, latText)
		default:
			c.Lng, c.Lat, c.HasPlace = lng, lat, true
		}
	}
	return c, errs
}

// blank reports whether a row has nothing in the mapped columns. Such rows
// are skipped, not refused: ledgers are often kept on a template with
// numbered (序号) but otherwise empty rows below the last case.
func (p *rowParser) blank(cells []string) bool {
	for _, i := range p.col {
		if i < len(cells) && cells[i] != "" {
			return false
		}
	}
	return true
}

// deriveState gives a case whose sheet has no state the furthest state its
// record supports: closed when it has a closing time, rectified when it
// has a rectification time, in progress when it has a responsible unit,
// else filed (it is in the ledger, so somebody filed it).
func deriveState(c problem.ImportedCase) problem.State {
	switch {
	case !c.ClosedAt.IsZero():
		return problem.Closed
	case !c.RectifiedAt.IsZero():
		return problem.Rectified
	case c.UnitID != 0:
		return problem.InProgress
	}
	return problem.Filed
}
