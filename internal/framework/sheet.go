package framework

// The sheet layout. A framework travels as one flat sheet, one node a row,
// in XLSX or CSV:
//
//	层级      项目 / 指标 / 内容 / 标准 (also 测评项目…测评标准, 一级…四级, 1–4)
//	编码      the node's code, unique in the sheet: letters, digits, . - _
//	上级编码  the parent's code; empty for an item. Empty on a lower level:
//	          the nearest row above of the level above (outline order)
//	内容      the text of the node
//	测评方法  criteria only: 实地考察、问卷调查、材料审核 (also field, survey,
//	          dossier and the usual synonyms), one or more
//	分值      criteria only: points or weight, 0–1000, two decimals at most;
//	          may be empty
//	适用点位类型  criteria only: site type names or codes
//	问题类别  criteria only: problem category codes (SR01) or names
//
// Lists are separated by 、 , ， ; ； / or spaces. Columns are found by
// their titles, in any order, in the first ten rows (a title row above the
// header is fine); 层级, 编码 and 内容 are required. Row numbers in errors
// are the rows Excel shows (for CSV, the line of the file).
//
// CSV is read as UTF-8, with or without a byte-order mark; a file that is
// not UTF-8 is read as GB18030 (what Excel on a Chinese Windows saves).
// Export writes UTF-8 with a byte-order mark, so Excel opens it right.

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// Format is a file format of the sheet.
type Format string

// The sheet formats.
const (
	FormatXLSX Format = "xlsx"
	FormatCSV  Format = "csv"
)

// Valid reports whether f is a known format.
func (f Format) Valid() bool { return f == FormatXLSX || f == FormatCSV }

// ContentType is the MIME type of a file of the format.
func (f Format) ContentType() string {
	if f == FormatXLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// DetectFormat tells an XLSX (a zip) from a CSV by the first bytes.
func DetectFormat(data []byte) Format {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return FormatXLSX
	}
	return FormatCSV
}

// Limits of an imported sheet.
const (
	MaxFileSize   = 16 << 20 // bytes
	MaxRows       = 10000    // data rows
	maxHeaderScan = 10
	minHeaderHits = 3
)

// Column is a column of the sheet.
type Column string

// The columns, in the order an export writes them.
const (
	ColLevel      Column = "level"
	ColCode       Column = "code"
	ColParent     Column = "parent"
	ColText       Column = "text"
	ColMethods    Column = "methods"
	ColScore      Column = "score"
	ColSiteTypes  Column = "site_types"
	ColCategories Column = "categories"
)

// Columns lists the columns in sheet order.
func Columns() []Column {
	return []Column{ColLevel, ColCode, ColParent, ColText, ColMethods, ColScore, ColSiteTypes, ColCategories}
}

// Title is the column's title as an export writes it; it is part of the
// file format, so it lives here, not in the message catalogue.
func (c Column) Title() string { return columnTitles()[c][0] }

// Key is the catalogue key of the column's explanation on the import page.
func (c Column) Key() string { return "framework.col." + string(c) }

// Required reports whether a sheet must have the column.
func (c Column) Required() bool { return c == ColLevel || c == ColCode || c == ColText }

// columnTitles lists the titles each column is known by, the exported one
// first (compared after normTitle).
func columnTitles() map[Column][]string {
	return map[Column][]string{
		ColLevel:      {"层级", "级别", "层次", "level"},
		ColCode:       {"编码", "编号", "代码", "code"},
		ColParent:     {"上级编码", "上级编号", "上级代码", "父级编码", "上级", "parent", "parent_code"},
		ColText:       {"内容", "名称", "条目", "文字", "text"},
		ColMethods:    {"测评方法", "方法", "评价方法", "methods"},
		ColScore:      {"分值", "分数", "标准分", "权重", "score"},
		ColSiteTypes:  {"适用点位类型", "点位类型", "适用点位", "site_types"},
		ColCategories: {"问题类别", "问题分类", "类别", "categories"},
	}
}

// normTitle folds a header text: no spaces, marks (*) or bracketed notes.
func normTitle(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch r {
		case '(', '（', '[', '【':
			depth++
		case ')', '）', ']', '】':
			if depth > 0 {
				depth--
			}
		case '*', '＊', ':', '：', ' ', '\t', '\n', '\r', '\u3000':
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// levelNames maps what a sheet writes in 层级 to a level; the first of
// each is what an export writes.
var levelNames = map[Level][]string{
	LevelItem:      {"项目", "测评项目", "一级", "一级指标", "1", "item"},
	LevelIndicator: {"指标", "测评指标", "二级", "二级指标", "2", "indicator"},
	LevelContent:   {"内容", "测评内容", "三级", "三级指标", "3", "content"},
	LevelCriterion: {"标准", "测评标准", "四级", "评价标准", "4", "criterion"},
}

// LevelTitle is the level as the sheet writes it.
func LevelTitle(l Level) string {
	if names, ok := levelNames[l]; ok {
		return names[0]
	}
	return ""
}

func parseLevel(s string) (Level, bool) {
	s = strings.ToLower(strings.TrimSpace(toHalfWidth(s)))
	for l, names := range levelNames {
		if slices.Contains(names, s) {
			return l, true
		}
	}
	return 0, false
}

// methodNames maps what a sheet writes in 测评方法 to a method; the first
// of each is what an export writes.
var methodNames = map[Method][]string{
	MethodField:   {"实地考察", "实地测评", "实地检查", "实地察看", "实地", "field"},
	MethodSurvey:  {"问卷调查", "问卷", "入户调查", "调查", "survey"},
	MethodDossier: {"材料审核", "材料", "材料申报", "网上申报", "资料审核", "dossier"},
}

// MethodTitle is the method as the sheet writes it.
func MethodTitle(m Method) string {
	if names, ok := methodNames[m]; ok {
		return names[0]
	}
	return string(m)
}

func parseMethod(s string) (Method, bool) {
	s = strings.ToLower(s)
	for m, names := range methodNames {
		if slices.Contains(names, s) {
			return m, true
		}
	}
	return "", false
}

// listSeparators split the lists of a cell.
const listSeparators = "、,，;；/ \t\r\n\u3000|"

// SplitList splits a cell or form field holding several values.
func SplitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(listSeparators, r) }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// RowError is one problem with one row of an imported sheet.
type RowError struct {
	Row    int    // 1-based, as Excel shows it (for CSV the line of the file)
	Column Column // "" for the row as a whole
	Title  string // the column's title in the sheet
	Code   string // catalogue key of the message
	Args   []any
}

// Messages renders row errors with a catalogue function such as
// (*i18n.Catalog).T: 第 12 行「上级编码」：找不到上级编码「3.9」.
func Messages(errs []RowError, t func(key string, args ...any) string) []string {
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		msg := t(e.Code, e.Args...)
		switch {
		case e.Row == 0:
			out = append(out, msg)
		case e.Title == "":
			out = append(out, t("framework.at_row", e.Row, msg))
		default:
			out = append(out, t("framework.at_row_col", e.Row, e.Title, msg))
		}
	}
	return out
}

// Lookups resolve the names a sheet uses. Each returns the code of a site
// type or problem category given its code or its name.
type Lookups struct {
	SiteType func(nameOrCode string) (string, bool)
	Category func(nameOrCode string) (string, bool)
}

// rawRow is one data row as read.
type rawRow struct {
	row   int
	cells map[Column]string
}

// readSheet reads the header and data rows of either format.
func readSheet(data []byte, format Format) ([]rawRow, map[Column]string, error) {
	var rows [][]string
	var numbers []int
	switch format {
	case FormatXLSX:
		var err error
		if rows, err = xlsxRows(data); err != nil {
			return nil, nil, err
		}
		numbers = make([]int, len(rows))
		for i := range rows {
			numbers[i] = i + 1
		}
	case FormatCSV:
		var err error
		if rows, numbers, err = csvRows(data); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, apperr.Invalid("framework.format_unknown")
	}
	// The header: the first of the top rows with enough known titles.
	known := map[string]Column{}
	for col, titles := range columnTitles() {
		for _, t := range titles {
			known[t] = col
		}
	}
	headerAt := -1
	index := map[Column]int{}
	titles := map[Column]string{}
	for i := 0; i < len(rows) && i < maxHeaderScan; i++ {
		hits := map[Column]int{}
		for j, cell := range rows[i] {
			if col, ok := known[normTitle(cell)]; ok {
				if _, dup := hits[col]; !dup {
					hits[col] = j
				}
			}
		}
		if len(hits) >= minHeaderHits {
			headerAt, index = i, hits
			for col, j := range hits {
				titles[col] = strings.TrimSpace(rows[i][j])
			}
			break
		}
	}
	if headerAt < 0 {
		return nil, nil, apperr.Invalid("framework.no_header", maxHeaderScan)
	}
	for _, col := range Columns() {
		if _, ok := index[col]; !ok && col.Required() {
			return nil, nil, apperr.Invalid("framework.column_missing", col.Title())
		}
	}
	var out []rawRow
	for i := headerAt + 1; i < len(rows); i++ {
		cells := map[Column]string{}
		filled := false
		for col, j := range index {
			if j < len(rows[i]) {
				// An export neutralised cells that could start a formula.
				v := sheetsafe.Restore(strings.TrimSpace(rows[i][j]))
				cells[col] = v
				filled = filled || v != ""
			}
		}
		if !filled {
			continue
		}
		if len(out) == MaxRows {
			return nil, nil, apperr.Invalid("framework.too_many_rows", MaxRows)
		}
		out = append(out, rawRow{row: numbers[i], cells: cells})
	}
	if len(out) == 0 {
		return nil, nil, apperr.Invalid("framework.no_rows")
	}
	return out, titles, nil
}

// xlsxRows reads the first worksheet of a workbook.
func xlsxRows(data []byte) ([][]string, error) {
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, notSheet(nil)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue:      true,
		UnzipSizeLimit:    256 << 20,
		UnzipXMLSizeLimit: 64 << 20,
	})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		return nil, notSheet(err)
	}
	defer f.Close()
	names := f.GetSheetList()
	if len(names) == 0 {
		return nil, notSheet(nil)
	}
	rows, err := f.GetRows(names[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, notSheet(err)
	}
	if len(rows) > MaxRows+maxHeaderScan+1000 {
		return nil, apperr.Invalid("framework.too_many_rows", MaxRows)
	}
	return rows, nil
}

// csvRows reads a CSV file; numbers holds the line each record starts on.
func csvRows(data []byte) (rows [][]string, numbers []int, err error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		if data, err = simplifiedchinese.GB18030.NewDecoder().Bytes(data); err != nil {
			return nil, nil, notSheet(err)
		}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, nil, apperr.Invalid("framework.csv_broken", pe.StartLine)
			}
			return nil, nil, notSheet(err)
		}
		line, _ := r.FieldPos(0)
		rows = append(rows, rec)
		numbers = append(numbers, line)
		if len(rows) > MaxRows+maxHeaderScan+1000 {
			return nil, nil, apperr.Invalid("framework.too_many_rows", MaxRows)
		}
	}
	return rows, numbers, nil
}

func notSheet(cause error) error {
	e := apperr.Invalid("framework.not_sheet")
	e.Err = cause
	return e
}

// Parse reads a sheet into a tree and checks every row against the rules
// of the layout and against lk. It returns the items of the tree when
// there are no row errors; with row errors the tree is nil. The error is
// for the file as a whole (not a sheet, no header, too many rows).
func Parse(r io.Reader, format Format, lk Lookups) ([]*Node, []RowError, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read framework sheet: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, nil, apperr.Invalid("framework.file_too_large", MaxFileSize>>20)
	}
	rows, titles, err := readSheet(data, format)
	if err != nil {
		return nil, nil, err
	}
	p := &parser{titles: titles, lk: lk, byCode: map[string]*parsed{}}
	for _, raw := range rows {
		p.row(raw)
	}
	p.link()
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b RowError) int { return a.Row - b.Row })
		return nil, p.errs, nil
	}
	return p.items, nil, nil
}

type parsed struct {
	node       *Node
	row        int
	parentCode string
	parentRow  int // the row the parent was inferred from, 0 if named
	ok         bool
}

type parser struct {
	titles map[Column]string
	lk     Lookups
	errs   []RowError
	all    []*parsed
	byCode map[string]*parsed
	// last row seen of each level, for rows without a parent code
	last  [5]*parsed
	items []*Node
}

func (p *parser) fail(row int, col Column, code string, args ...any) {
	p.errs = append(p.errs, RowError{Row: row, Column: col, Title: p.titles[col], Code: code, Args: args})
}

func (p *parser) row(raw rawRow) {
	c, row := raw.cells, raw.row
	errsBefore := len(p.errs)
	n := &Node{}
	level, ok := parseLevel(c[ColLevel])
	switch {
	case c[ColLevel] == "":
		p.fail(row, ColLevel, "framework.level_required")
	case !ok:
		p.fail(row, ColLevel, "framework.level_invalid", c[ColLevel])
	}
	n.Level = level
	n.Code = strings.TrimSpace(toHalfWidth(c[ColCode]))
	switch {
	case n.Code == "":
		p.fail(row, ColCode, "framework.code_required")
	case !ValidCode(n.Code):
		p.fail(row, ColCode, "framework.code_invalid", MaxCodeLen)
	}
	n.Text = c[ColText]
	switch {
	case n.Text == "":
		p.fail(row, ColText, "framework.text_required")
	case utf8.RuneCountInString(n.Text) > MaxTextLen:
		p.fail(row, ColText, "framework.text_too_long", MaxTextLen)
	}
	// The criterion columns.
	criterionOnly := false
	if s := c[ColMethods]; s != "" {
		criterionOnly = true
		for _, name := range SplitList(s) {
			m, ok := parseMethod(name)
			if !ok {
				p.fail(row, ColMethods, "framework.method_unknown", name)
				continue
			}
			n.Methods = append(n.Methods, m)
		}
		n.Methods = normMethods(n.Methods)
	}
	if s := c[ColScore]; s != "" {
		criterionOnly = true
		score, ok := ParseScore(s)
		if !ok {
			p.fail(row, ColScore, "framework.score_invalid", MaxScore)
		}
		n.Score = score
	}
	if s := c[ColSiteTypes]; s != "" {
		criterionOnly = true
		for _, name := range SplitList(s) {
			code, ok := lookup(p.lk.SiteType, name)
			if !ok {
				p.fail(row, ColSiteTypes, "framework.site_type_unknown", name)
				continue
			}
			if !slices.Contains(n.SiteTypes, code) {
				n.SiteTypes = append(n.SiteTypes, code)
			}
		}
	}
	if s := c[ColCategories]; s != "" {
		criterionOnly = true
		for _, name := range SplitList(s) {
			code, ok := lookup(p.lk.Category, name)
			if !ok {
				p.fail(row, ColCategories, "framework.category_unknown", name)
				continue
			}
			if !slices.Contains(n.Categories, code) {
				n.Categories = append(n.Categories, code)
			}
		}
		slices.Sort(n.Categories)
	}
	if level.Valid() && level != LevelCriterion && criterionOnly {
		p.fail(row, "", "framework.criterion_only_row", LevelTitle(level))
	}
	if level == LevelCriterion && len(n.Methods) == 0 && c[ColMethods] == "" {
		p.fail(row, ColMethods, "framework.method_required")
	}
	pr := &parsed{node: n, row: row, parentCode: strings.TrimSpace(toHalfWidth(c[ColParent]))}
	if n.Code != "" {
		if first, dup := p.byCode[n.Code]; dup {
			p.fail(row, ColCode, "framework.code_duplicate", n.Code, first.row)
		} else {
			p.byCode[n.Code] = pr
		}
	}
	if level.Valid() {
		if level == LevelItem && pr.parentCode != "" {
			p.fail(row, ColParent, "framework.item_has_parent")
		}
		if level > LevelItem && pr.parentCode == "" {
			if above := p.last[level-1]; above != nil {
				pr.parentCode, pr.parentRow = above.node.Code, above.row
			} else {
				p.fail(row, ColParent, "framework.parent_required", LevelTitle(level-1))
			}
		}
		p.last[level] = pr
		// A row of a level resets the deeper ones, so that an outline
		// never hangs a criterion under the content of another indicator.
		for l := level + 1; l <= LevelCriterion; l++ {
			p.last[l] = nil
		}
	}
	pr.ok = len(p.errs) == errsBefore
	p.all = append(p.all, pr)
}

// link hangs every row under its parent, in sheet order.
func (p *parser) link() {
	for _, pr := range p.all {
		n := pr.node
		if !n.Level.Valid() {
			continue
		}
		if n.Level == LevelItem {
			if pr.parentCode == "" {
				p.items = append(p.items, n)
			}
			continue
		}
		if pr.parentCode == "" {
			continue // reported already
		}
		parent, ok := p.byCode[pr.parentCode]
		if !ok {
			p.fail(pr.row, ColParent, "framework.parent_missing", pr.parentCode)
			continue
		}
		if parent.node.Level.Valid() && parent.node.Level != n.Level-1 {
			p.fail(pr.row, ColParent, "framework.level_order", LevelTitle(n.Level), pr.parentCode,
				LevelTitle(parent.node.Level), LevelTitle(n.Level-1))
			continue
		}
		parent.node.Children = append(parent.node.Children, n)
	}
}

func lookup(fn func(string) (string, bool), s string) (string, bool) {
	if fn == nil {
		return "", false
	}
	return fn(s)
}

// ---- export ----

// Write writes the tree of v as a sheet in the given format. site names
// site types by code (an unknown code is written as is). Each node is one
// row, parents before children, so Parse reads back the same tree.
func Write(w io.Writer, v Version, format Format, siteName func(code string) string) error {
	header := make([]string, 0, len(Columns()))
	for _, c := range Columns() {
		header = append(header, c.Title())
	}
	var rows [][]any
	var walk func(parent string, ns []*Node)
	walk = func(parent string, ns []*Node) {
		for _, n := range ns {
			rows = append(rows, sheetRow(n, parent, siteName))
			walk(n.Code, n.Children)
		}
	}
	walk("", v.Items)
	switch format {
	case FormatCSV:
		return writeCSV(w, header, rows)
	case FormatXLSX:
		return writeXLSX(w, v, header, rows)
	}
	return apperr.Invalid("framework.format_unknown")
}

func writeCSV(w io.Writer, header []string, rows [][]any) error {
	var buf bytes.Buffer
	buf.WriteString("\xef\xbb\xbf")
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true // what Excel writes and expects
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write framework csv: %w", err)
	}
	rec := make([]string, len(header))
	for _, row := range rows {
		for i, v := range row {
			switch x := v.(type) {
			case float64:
				rec[i] = strconv.FormatFloat(x, 'f', -1, 64)
			case string:
				rec[i] = sheetsafe.Text(x)
			}
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write framework csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write framework csv: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func writeXLSX(w io.Writer, v Version, header []string, rows [][]any) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("framework export: close workbook: %w", cerr)
		}
	}()
	const sheet = "测评体系"
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return fmt.Errorf("framework export: %w", err)
	}
	titleStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return fmt.Errorf("framework export: %w", err)
	}
	border := []excelize.Border{
		{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1},
	}
	headerStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	if err != nil {
		return fmt.Errorf("framework export: %w", err)
	}
	cellStyle, err := f.NewStyle(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return fmt.Errorf("framework export: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("framework export: %w", err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("framework export: %w", err)
	}
	for i, width := range []float64{8, 14, 12, 60, 20, 8, 30, 16} {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return fmt.Errorf("framework export: %w", err)
		}
	}
	title := "测评体系：" + v.Name
	if err := sheetsafe.SetRow(sw, "A1", []any{excelize.Cell{StyleID: titleStyle, Value: title}}); err != nil {
		return fmt.Errorf("framework export: %w", err)
	}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = excelize.Cell{StyleID: headerStyle, Value: h}
	}
	if err := sheetsafe.SetRow(sw, "A2", cells); err != nil {
		return fmt.Errorf("framework export: %w", err)
	}
	for r, row := range rows {
		cells := make([]any, len(row))
		for i, x := range row {
			cells[i] = excelize.Cell{StyleID: cellStyle, Value: x}
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+3)
		if err := sheetsafe.SetRow(sw, cell, cells); err != nil {
			return fmt.Errorf("framework export: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("framework export: %w", err)
	}
	_, err = f.WriteTo(w)
	return err
}

// sheetRow is the cells of one node: strings, and the score as a number.
func sheetRow(n *Node, parent string, siteName func(code string) string) []any {
	var methods, sites []string
	for _, m := range n.Methods {
		methods = append(methods, MethodTitle(m))
	}
	for _, t := range n.SiteTypes {
		name := t
		if siteName != nil {
			if s := siteName(t); s != "" {
				name = s
			}
		}
		sites = append(sites, name)
	}
	var score any = ""
	if n.Score != nil {
		score = *n.Score
	}
	return []any{LevelTitle(n.Level), n.Code, parent, n.Text, strings.Join(methods, "、"), score,
		strings.Join(sites, "、"), strings.Join(n.Categories, "、")}
}
