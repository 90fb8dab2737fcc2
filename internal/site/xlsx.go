package site

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// The workbook of sites (点位清单) the office keeps: one sheet, a title row,
// a header row and one row per site. Import and export share the layout,
// so an exported workbook imports again unchanged.
//
// Import rules:
//   - Only the first sheet is read. The header is the first of the top
//     maxHeaderScan rows with at least three known column titles; titles
//     match after dropping spaces, "*" and anything in brackets, so
//     "经度（WGS-84）" is 经度.
//   - 名称 and 点位类型 are required columns; any other may be missing.
//   - A row whose 编码 names an existing site updates that site; columns
//     missing from the sheet keep the site's values, empty cells clear
//     them. Other rows create sites (with a generated code when 编码 is
//     empty).
//   - 经度 and 纬度 (WGS-84) come in pairs. When they equal the
//     representative point of an existing line or area they keep that
//     geometry; otherwise the site becomes a point there. Empty means no
//     fixed place.
//   - 所属社区 takes a region's name or code inside the importer's
//     jurisdiction; it is needed only when the place is not inside a known
//     boundary (or there is none).
//   - Types and units are named by name or code.
//   - All or nothing: when any row is wrong nothing is written, and every
//     problem is reported with its row number as Excel shows it.

// Limits of an imported workbook.
const (
	MaxImportRows  = 5000
	MaxImportBytes = 16 << 20
	maxHeaderScan  = 10
	minHeaderMatch = 3
)

// Column identifies a column of the workbook.
type Column int

// The columns in their order.
const (
	ColCode Column = iota
	ColName
	ColType
	ColLng
	ColLat
	ColAddress
	ColRegion
	ColTerritorial
	ColDepartment
	ColSponsor
	ColSponsorLeader
	ColHead
	ColHeadPhone
	ColLiaison
	ColLiaisonPhone
	numColumns
)

// Header is the column's title in the workbook.
func (c Column) Header() string { return headers[c][0] }

// headers lists per column its title first, then the other titles
// hand-kept sheets use for it.
var headers = [numColumns][]string{
	ColCode:          {"编码", "点位编码", "编号", "code"},
	ColName:          {"名称", "点位名称", "name"},
	ColType:          {"点位类型", "类型", "类别", "type"},
	ColLng:           {"经度", "lng", "longitude"},
	ColLat:           {"纬度", "lat", "latitude"},
	ColAddress:       {"地址", "详细地址", "位置", "address"},
	ColRegion:        {"所属社区", "社区", "所属区域", "所属网格", "region"},
	ColTerritorial:   {"属地单位", "属地责任单位", "属地"},
	ColDepartment:    {"职能部门", "主管部门", "行业主管部门", "责任部门"},
	ColSponsor:       {"包保单位"},
	ColSponsorLeader: {"包保领导", "包保责任领导"},
	ColHead:          {"负责人", "点位负责人"},
	ColHeadPhone:     {"负责人电话", "负责人联系电话"},
	ColLiaison:       {"联络员"},
	ColLiaisonPhone:  {"联络员电话", "联络员联系电话"},
}

var widths = [numColumns]float64{16, 28, 14, 12, 12, 30, 22, 24, 24, 24, 12, 10, 15, 10, 15}

// RowError is one problem with one row of an imported workbook.
type RowError struct {
	Row    int    // 1-based, as Excel numbers rows
	Column string // the column's title as the sheet has it; "" for the row
	Code   string // catalogue key of the message
	Args   []any
}

// Messages renders row errors with a catalogue function: 第 5 行「点位类型」：…
func Messages(errs []RowError, t func(key string, args ...any) string) []string {
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		msg := t(e.Code, e.Args...)
		if e.Column == "" {
			out = append(out, t("site.import.at_row", e.Row, msg))
		} else {
			out = append(out, t("site.import.at_row_column", e.Row, e.Column, msg))
		}
	}
	return out
}

// ImportReport says what an import did.
type ImportReport struct {
	Created int
	Updated int
}

func normHeader(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range strings.ToLower(s) {
		switch r {
		case '(', '（', '[', '【':
			depth++
		case ')', '）', ']', '】':
			if depth > 0 {
				depth--
			}
		case ' ', '\t', '\n', '\r', '\u3000', '*', '＊', ':', '：':
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// sheetRow is one data row: its number and its cells.
type sheetRow struct {
	n     int
	cells []string
}

// readSheet reads the header and data rows of the first sheet.
func readSheet(r io.Reader) (map[Column]int, []string, []sheetRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read workbook: %w", err)
	}
	if len(data) > MaxImportBytes {
		return nil, nil, nil, apperr.Invalid("site.import.too_large", MaxImportBytes>>20)
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, nil, nil, apperr.Invalid("site.import.not_xlsx")
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true,
		UnzipSizeLimit: 256 << 20, UnzipXMLSizeLimit: 32 << 20})
	if err != nil {
		return nil, nil, nil, apperr.Invalid("site.import.not_xlsx")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, nil, apperr.Invalid("site.import.not_xlsx")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, nil, nil, apperr.Invalid("site.import.not_xlsx")
	}
	defer rows.Close()
	known := map[string]Column{}
	for c := Column(0); c < numColumns; c++ {
		for _, h := range headers[c] {
			known[normHeader(h)] = c
		}
	}
	var cols map[Column]int
	var titles []string
	var out []sheetRow
	n := 0
	for rows.Next() {
		n++
		cells, err := rows.Columns()
		if err != nil {
			return nil, nil, nil, apperr.Invalid("site.import.not_xlsx")
		}
		for i := range cells {
			// An export put an apostrophe before text that could start a formula.
			cells[i] = sheetsafe.Restore(strings.TrimSpace(cells[i]))
		}
		if cols == nil {
			if n > maxHeaderScan {
				break
			}
			found := map[Column]int{}
			for i, c := range cells {
				if col, ok := known[normHeader(c)]; ok {
					if _, dup := found[col]; !dup {
						found[col] = i
					}
				}
			}
			if len(found) >= minHeaderMatch {
				cols, titles = found, cells
			}
			continue
		}
		blank := true
		for _, c := range cells {
			blank = blank && c == ""
		}
		if blank {
			continue
		}
		if len(out) == MaxImportRows {
			return nil, nil, nil, apperr.Invalid("site.import.too_many_rows", MaxImportRows)
		}
		out = append(out, sheetRow{n: n, cells: cells})
	}
	if err := rows.Error(); err != nil {
		return nil, nil, nil, apperr.Invalid("site.import.not_xlsx")
	}
	if cols == nil {
		return nil, nil, nil, apperr.Invalid("site.import.no_header", maxHeaderScan)
	}
	for _, c := range []Column{ColName, ColType} {
		if _, ok := cols[c]; !ok {
			return nil, nil, nil, apperr.Invalid("site.import.column_missing", c.Header())
		}
	}
	_, hasLng := cols[ColLng]
	_, hasLat := cols[ColLat]
	if hasLng != hasLat {
		return nil, nil, nil, apperr.Invalid("site.import.lnglat_columns")
	}
	if len(out) == 0 {
		return nil, nil, nil, apperr.Invalid("site.import.no_rows")
	}
	return cols, titles, out, nil
}

// errRollback ends an import transaction that found row errors.
var errRollback = errors.New("import has row errors")

// ImportXLSX reads a workbook of sites (see the rules above) and creates or
// updates them in one transaction. The row errors, when any, say why
// nothing was imported; the error is for the workbook as a whole.
func (s *Store) ImportXLSX(ctx context.Context, a access.Actor, r io.Reader) (ImportReport, []RowError, error) {
	var rep ImportReport
	if !CanWrite(a) {
		return rep, nil, apperr.Forbidden("site.forbidden")
	}
	cols, titles, rows, err := readSheet(r)
	if err != nil {
		return rep, nil, err
	}
	var errs []RowError
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		im := &importer{s: s, tx: tx, a: a, cols: cols, titles: titles, codes: map[string]int{},
			units: map[string][]unitCand{}, regions: map[string][]string{}, types: map[string]string{}}
		// Generated codes avoid every code the sheet names, so that a new
		// row never takes the code a later row means.
		reserved := map[string]bool{}
		if i, ok := cols[ColCode]; ok {
			for _, row := range rows {
				if i < len(row.cells) && row.cells[i] != "" {
					reserved[row.cells[i]] = true
				}
			}
		}
		for _, row := range rows {
			in, cur, rowErrs, err := im.input(ctx, row)
			if err != nil {
				return err
			}
			if len(rowErrs) > 0 {
				errs = append(errs, rowErrs...)
				continue
			}
			res, err := s.validate(ctx, tx, a, in, cur)
			if err != nil {
				e := apperr.As(err)
				if e.Kind == apperr.KindInternal || e.Kind == apperr.KindUnauthorized {
					return err
				}
				errs = append(errs, RowError{Row: row.n, Column: im.title(columnOf(e.Code)), Code: e.Code, Args: e.Args})
				continue
			}
			if len(errs) > 0 {
				continue // nothing will be written; keep checking the rest
			}
			if cur != nil {
				err = s.update(ctx, tx, cur.ID, *cur, res)
				rep.Updated++
			} else {
				_, err = s.insert(ctx, tx, res, reserved)
				rep.Created++
			}
			if err != nil {
				e := apperr.As(err)
				if e.Kind == apperr.KindInternal {
					return err
				}
				// A failed write ends the transaction on PostgreSQL.
				errs = append(errs, RowError{Row: row.n, Column: im.title(ColCode), Code: e.Code, Args: e.Args})
				return errRollback
			}
		}
		if len(errs) > 0 {
			return errRollback
		}
		return nil
	})
	if errors.Is(err, errRollback) {
		return ImportReport{}, errs, nil
	}
	if err != nil {
		return ImportReport{}, nil, err
	}
	return rep, nil, nil
}

// columnOf says which column a validation message is about.
func columnOf(code string) Column {
	switch {
	case code == "site.code_invalid" || code == "site.code_taken":
		return ColCode
	case code == "site.name_invalid":
		return ColName
	case strings.HasPrefix(code, "site.type_"):
		return ColType
	case code == "site.address_too_long":
		return ColAddress
	case strings.HasPrefix(code, "site.region_") || code == "site.outside_scope":
		return ColRegion
	case strings.HasPrefix(code, "site.territorial_"):
		return ColTerritorial
	case code == "site.department_unit_invalid":
		return ColDepartment
	case code == "site.sponsor_unit_invalid":
		return ColSponsor
	case code == "site.outside_china" || strings.HasPrefix(code, "site.geometry_"):
		return ColLng
	}
	return numColumns
}

// unitCand is a unit a cell may name.
type unitCand struct {
	id           int64
	region, code string
}

// importer turns rows into inputs, remembering what it looked up.
type importer struct {
	s       *Store
	tx      *db.Tx
	a       access.Actor
	cols    map[Column]int
	titles  []string
	codes   map[string]int // code → first row with it
	units   map[string][]unitCand
	regions map[string][]string
	types   map[string]string
}

func (im *importer) title(c Column) string {
	if i, ok := im.cols[c]; ok && i < len(im.titles) {
		return im.titles[i]
	}
	if c < numColumns {
		return c.Header()
	}
	return ""
}

func (im *importer) input(ctx context.Context, row sheetRow) (Input, *Site, []RowError, error) {
	var errs []RowError
	fail := func(c Column, code string, args ...any) {
		errs = append(errs, RowError{Row: row.n, Column: im.title(c), Code: code, Args: args})
	}
	has := func(c Column) bool { _, ok := im.cols[c]; return ok }
	cell := func(c Column) string {
		if i, ok := im.cols[c]; ok && i < len(row.cells) {
			return row.cells[i]
		}
		return ""
	}
	var in Input
	var cur *Site
	if code := cell(ColCode); code != "" {
		if first, dup := im.codes[code]; dup {
			fail(ColCode, "site.import.code_repeated", code, first)
		} else {
			im.codes[code] = row.n
		}
		var id int64
		err := im.tx.QueryRow(ctx, "SELECT id FROM site WHERE code = ?", code).Scan(&id)
		switch {
		case err == nil:
			x, err := im.s.byID(ctx, im.tx, id)
			if err != nil {
				return in, nil, nil, err
			}
			if !im.a.Manages(x.RegionCode) {
				fail(ColCode, "site.import.not_yours", code)
			}
			cur = &x
			in = inputOf(x)
		case errors.Is(err, sql.ErrNoRows):
		default:
			return in, nil, nil, fmt.Errorf("find site %s: %w", code, err)
		}
		in.Code = code
	}
	set := func(c Column, p *string) {
		if has(c) {
			*p = cell(c)
		}
	}
	set(ColName, &in.Name)
	set(ColAddress, &in.Address)
	set(ColSponsorLeader, &in.SponsorLeader)
	set(ColHead, &in.HeadName)
	set(ColHeadPhone, &in.HeadPhone)
	set(ColLiaison, &in.LiaisonName)
	set(ColLiaisonPhone, &in.LiaisonPhone)
	if in.Name == "" {
		fail(ColName, "site.import.name_required")
	}
	for _, c := range []Column{ColHeadPhone, ColLiaisonPhone} {
		if v := cell(c); v != "" && !phonePattern.MatchString(v) {
			fail(c, "site.phone_invalid")
		}
	}
	if v := cell(ColType); v == "" {
		fail(ColType, "site.type_required")
	} else if code, err := im.typeCode(ctx, v); err != nil {
		return in, nil, nil, err
	} else if code == "" {
		fail(ColType, "site.type_unknown", v)
	} else {
		in.TypeCode = code
	}
	if has(ColLng) {
		lngText, latText := cell(ColLng), cell(ColLat)
		switch {
		case lngText == "" && latText == "":
			in.Geometry = ""
		case lngText == "" || latText == "":
			fail(ColLng, "site.import.lnglat_pair")
		default:
			lng, err1 := parseDegrees(lngText)
			lat, err2 := parseDegrees(latText)
			switch {
			case err1 != nil:
				fail(ColLng, "site.import.number_invalid", lngText)
			case err2 != nil:
				fail(ColLat, "site.import.number_invalid", latText)
			case cur != nil && cur.HasPlace && math.Abs(cur.Lng-lng) < 1e-6 && math.Abs(cur.Lat-lat) < 1e-6:
				// unchanged: keeps a line's or an area's shape
			default:
				in.Geometry = PointGeoJSON(lng, lat)
			}
		}
	}
	// Names repeat (two villages called 谢庄 in one district): a name
	// that fits several is settled by the site's current value, then by
	// the region its place lies in.
	located, err := im.locate(ctx, in.Geometry)
	if err != nil {
		return in, nil, nil, err
	}
	if has(ColRegion) {
		in.RegionCode = ""
		if v := cell(ColRegion); v != "" {
			cands, err := im.region(ctx, v)
			if err != nil {
				return in, nil, nil, err
			}
			code, ok := pickRegion(cands, v, cur, located)
			switch {
			case ok:
				in.RegionCode = code
			case len(cands) == 0:
				fail(ColRegion, "site.import.region_unknown", v)
			default:
				fail(ColRegion, "site.import.region_ambiguous", v)
			}
		}
	}
	within := located
	if within == "" {
		within = in.RegionCode
	}
	units := []struct {
		col   Column
		kinds []string
		dst   *int64
		now   int64
	}{
		{ColTerritorial, []string{"territorial"}, &in.TerritorialUnitID, 0},
		{ColDepartment, []string{"department"}, &in.DepartmentUnitID, 0},
		{ColSponsor, []string{"sponsor", "department", "office", "other"}, &in.SponsorUnitID, 0},
	}
	if cur != nil {
		units[0].now, units[1].now, units[2].now = cur.TerritorialUnitID, cur.DepartmentUnitID, cur.SponsorUnitID
	}
	for i, u := range units {
		if !has(u.col) {
			continue
		}
		*u.dst = 0
		v := cell(u.col)
		if v == "" {
			continue
		}
		cands, err := im.unit(ctx, v, u.kinds)
		if err != nil {
			return in, nil, nil, err
		}
		id, ok := pickUnit(cands, v, u.now, i == 0, within)
		switch {
		case ok:
			*u.dst = id
		case len(cands) == 0:
			fail(u.col, "site.import.unit_unknown", v)
		default:
			fail(u.col, "site.import.unit_ambiguous", v)
		}
	}
	return in, cur, errs, nil
}

// inputOf is the input that would leave a site as it is.
func inputOf(x Site) Input {
	return Input{Code: x.Code, Name: x.Name, TypeCode: x.TypeCode, Geometry: x.Geometry, RegionCode: x.RegionCode,
		Address: x.Address, TerritorialUnitID: x.TerritorialUnitID, DepartmentUnitID: x.DepartmentUnitID,
		SponsorUnitID: x.SponsorUnitID, SponsorLeader: x.SponsorLeader, HeadName: x.HeadName, HeadPhone: x.HeadPhone,
		LiaisonName: x.LiaisonName, LiaisonPhone: x.LiaisonPhone}
}

// InputOf returns the input that leaves site x unchanged, to start an
// edit form from.
func InputOf(x Site) Input { return inputOf(x) }

func parseDegrees(v string) (float64, error) {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "°"))
	f, err := strconv.ParseFloat(v, 64)
	if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
		err = strconv.ErrSyntax
	}
	return f, err
}

func (im *importer) typeCode(ctx context.Context, v string) (string, error) {
	if code, ok := im.types[v]; ok {
		return code, nil
	}
	code, err := framework.SiteTypeCodeFor(ctx, im.tx, v)
	if err != nil {
		return "", err
	}
	im.types[v] = code
	return code, nil
}

// locate returns the region a row's place lies in, "" when it has none,
// the place is invalid (validation reports that) or no boundary holds it.
func (im *importer) locate(ctx context.Context, geometry string) (string, error) {
	if geometry == "" || im.s.Locator == nil {
		return "", nil
	}
	p, err := ParsePlace(geometry)
	if err != nil {
		return "", nil
	}
	code, ok, err := im.s.Locator.Locate(ctx, p.Point.Lng, p.Point.Lat)
	if err != nil || !ok {
		return "", err
	}
	return code, nil
}

// pickRegion settles which of the regions a cell names is meant: a code
// names itself; otherwise the only one, the site's current region, or the
// one holding the region its place lies in.
func pickRegion(cands []string, v string, cur *Site, located string) (string, bool) {
	if len(cands) == 1 {
		return cands[0], true
	}
	var fits []string
	for _, c := range cands {
		switch {
		case c == v:
			return c, true
		case cur != nil && c == cur.RegionCode:
			return c, true
		case located != "" && access.InSubtree(located, c):
			fits = append(fits, c)
		}
	}
	if len(fits) == 1 {
		return fits[0], true
	}
	return "", false
}

// pickUnit settles which of the units a cell names is meant: a code names
// itself; otherwise the only one, the unit the site has now, or — for the
// territorial unit — the one whose jurisdiction holds the site's region.
func pickUnit(cands []unitCand, v string, now int64, territorial bool, region string) (int64, bool) {
	if len(cands) == 1 {
		return cands[0].id, true
	}
	var fits []int64
	for _, c := range cands {
		switch {
		case c.code == v:
			return c.id, true
		case now != 0 && c.id == now:
			return c.id, true
		case territorial && region != "" && access.InSubtree(region, c.region):
			fits = append(fits, c.id)
		}
	}
	if len(fits) == 1 {
		return fits[0], true
	}
	return 0, false
}

// unit lists the units of one of the kinds a cell may name, by code or
// name; when several share a name, those inside the importer's
// jurisdiction.
func (im *importer) unit(ctx context.Context, v string, kinds []string) ([]unitCand, error) {
	key := strings.Join(kinds, ",") + "|" + v
	if m, ok := im.units[key]; ok {
		return m, nil
	}
	ks := make([]org.UnitKind, len(kinds))
	for i, k := range kinds {
		ks[i] = org.UnitKind(k)
	}
	matches, err := org.UnitsByCodeOrName(ctx, im.tx, v, ks)
	if err != nil {
		return nil, err
	}
	var found []unitCand
	for _, m := range matches {
		found = append(found, unitCand{id: m.ID, region: m.RegionCode, code: m.Code})
	}
	if len(found) > 1 && im.a.Region != "" {
		var mine []unitCand
		for _, c := range found {
			if access.InSubtree(c.region, im.a.Region) {
				mine = append(mine, c)
			}
		}
		if len(mine) > 0 {
			found = mine
		}
	}
	im.units[key] = found
	return found, nil
}

// region lists the regions a cell may name, by code or name, inside the
// importer's jurisdiction. "电力社区" also finds 电力社区居民委员会.
func (im *importer) region(ctx context.Context, v string) ([]string, error) {
	if m, ok := im.regions[v]; ok {
		return m, nil
	}
	// An administrator without a region ("") looks anywhere.
	codes, err := region.FindByCodeOrName(ctx, im.tx, v, im.a.Region)
	if err != nil {
		return nil, err
	}
	im.regions[v] = codes
	return codes, nil
}

// ExportXLSX writes the sites the actor may see that match f as the
// workbook ImportXLSX reads, and returns how many it wrote. t renders
// catalogue keys (the sheet's name and title); now stamps the title.
func (s *Store) ExportXLSX(ctx context.Context, w io.Writer, a access.Actor, f Filter, t func(string, ...any) string, now time.Time) (n int, err error) {
	if !CanExport(a) {
		return 0, apperr.Forbidden("site.forbidden")
	}
	var sites []Site
	if err := s.Each(ctx, a, f, func(x Site) error { sites = append(sites, x); return nil }); err != nil {
		return 0, err
	}
	return writeWorkbook(ctx, w, sites, t, now)
}

// TemplateXLSX writes the empty workbook ImportXLSX reads: the title and
// the column headers, for an office that starts its list of sites.
func TemplateXLSX(ctx context.Context, w io.Writer, a access.Actor, t func(string, ...any) string, now time.Time) error {
	if !CanWrite(a) {
		return apperr.Forbidden("site.forbidden")
	}
	_, err := writeWorkbook(ctx, w, nil, t, now)
	return err
}

// writeWorkbook writes sites as the import workbook.
func writeWorkbook(ctx context.Context, w io.Writer, sites []Site, t func(string, ...any) string, now time.Time) (n int, err error) {
	book := excelize.NewFile()
	defer func() {
		if cerr := book.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("site export: %w", cerr)
		}
	}()
	sheet := t("site.xlsx.sheet")
	if err := book.SetSheetName(book.GetSheetName(0), sheet); err != nil {
		return 0, fmt.Errorf("site export: %w", err)
	}
	border := []excelize.Border{
		{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1},
	}
	coordFmt := "0.000000"
	styles := []excelize.Style{
		{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Vertical: "center"}},
		{Font: &excelize.Font{Bold: true}, Border: border, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}},
		{Border: border, Alignment: &excelize.Alignment{Vertical: "center"}},
		{Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}},
		{Border: border, CustomNumFmt: &coordFmt, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}},
		// "@": text, so phone numbers and codes are never turned into numbers.
		{Border: border, NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "center"}},
	}
	ids := make([]int, len(styles))
	for i := range styles {
		if ids[i], err = book.NewStyle(&styles[i]); err != nil {
			return 0, fmt.Errorf("site export style: %w", err)
		}
	}
	stTitle, stHeader, stText, stWrap, stCoord, stTextFmt := ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]
	sw, err := book.NewStreamWriter(sheet)
	if err != nil {
		return 0, fmt.Errorf("site export: %w", err)
	}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return 0, fmt.Errorf("site export: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return 0, fmt.Errorf("site export: %w", err)
	}
	lastCol, _ := excelize.ColumnNumberToName(int(numColumns))
	title := t("site.xlsx.title", now.In(calendar.Shanghai()).Format("2006-01-02 15:04"))
	if err := sheetsafe.SetRow(sw, "A1", []any{excelize.Cell{StyleID: stTitle, Value: title}}, excelize.RowOpts{Height: 24}); err != nil {
		return 0, fmt.Errorf("site export: %w", err)
	}
	if err := sw.MergeCell("A1", lastCol+"1"); err != nil {
		return 0, fmt.Errorf("site export: %w", err)
	}
	head := make([]any, numColumns)
	for c := Column(0); c < numColumns; c++ {
		head[c] = excelize.Cell{StyleID: stHeader, Value: c.Header()}
	}
	if err := sheetsafe.SetRow(sw, "A2", head, excelize.RowOpts{Height: 20}); err != nil {
		return 0, fmt.Errorf("site export: %w", err)
	}
	for i, x := range sites {
		if i%512 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		row := make([]any, numColumns)
		text := func(c Column, v string, style int) { row[c] = excelize.Cell{StyleID: style, Value: v} }
		text(ColCode, x.Code, stTextFmt)
		text(ColName, x.Name, stWrap)
		text(ColType, x.TypeName, stText)
		if x.HasPlace {
			row[ColLng] = excelize.Cell{StyleID: stCoord, Value: round6(x.Lng)}
			row[ColLat] = excelize.Cell{StyleID: stCoord, Value: round6(x.Lat)}
		} else {
			text(ColLng, "", stCoord)
			text(ColLat, "", stCoord)
		}
		text(ColAddress, x.Address, stWrap)
		text(ColRegion, x.RegionName, stText)
		text(ColTerritorial, x.TerritorialUnitName, stText)
		text(ColDepartment, x.DepartmentUnitName, stText)
		text(ColSponsor, x.SponsorUnitName, stText)
		text(ColSponsorLeader, x.SponsorLeader, stText)
		text(ColHead, x.HeadName, stText)
		text(ColHeadPhone, x.HeadPhone, stTextFmt)
		text(ColLiaison, x.LiaisonName, stText)
		text(ColLiaisonPhone, x.LiaisonPhone, stTextFmt)
		ref, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := sheetsafe.SetRow(sw, ref, row); err != nil {
			return 0, fmt.Errorf("site export: %w", err)
		}
	}
	if err := book.AutoFilter(sheet, fmt.Sprintf("A2:%s%d", lastCol, max(len(sites)+2, 3)), nil); err != nil {
		return 0, fmt.Errorf("site export: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return 0, fmt.Errorf("site export: %w", err)
	}
	if err := book.Write(w); err != nil {
		return 0, fmt.Errorf("site export: %w", err)
	}
	return len(sites), nil
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
