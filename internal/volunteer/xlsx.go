package volunteer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

// MaxImportBytes bounds an uploaded workbook (50,000 volunteers take about
// 3 MB).
const MaxImportBytes = 32 << 20

// MaxImportRows bounds the volunteers of one import.
const MaxImportRows = 100000

// Columns of the import sheet, by header; the order in the sheet is free.
var importHeaders = []string{"姓名", "身份证号", "手机号", "所在社区", "技能特长", "政治面貌", "加入日期", "所属队伍", "历史服务时长（小时）"}

// RowError is one fault of one row of an imported sheet.
type RowError = sheetsafe.RowError

// ImportReport says what an import did or why it did nothing.
type ImportReport struct {
	Rows       int
	Imported   int
	Errors     []RowError
	Duplicates int // rows refused because the ID number is already registered or repeats in the sheet
}

type importRow struct {
	row     int
	p       prepared
	teams   []int64
	minutes int64
}

// Template is an empty import sheet with its headers and one example row
// (a number of the demo's test range, province 99).
func Template() (*bytes.Buffer, error) {
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	for i, h := range importHeaders {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellStr(sh, cell, h)
	}
	example := []string{"张三", "990411199001010018", "13800000000", "410411001001", "急救、摄影", "群众", "2026-01-01", "", ""}
	for i, v := range example {
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		f.SetCellStr(sh, cell, v)
	}
	f.SetColWidth(sh, "A", "I", 16)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	return &buf, nil
}

// Import reads a workbook of volunteers into the actor's area: all of it,
// or, when any row is wrong, nothing, with every wrong row's number and
// fault (duplicates by ID number within the sheet and against those
// registered included).
func (s *Store) Import(ctx context.Context, a access.Actor, r io.Reader) (ImportReport, error) {
	var rep ImportReport
	if err := s.needKey(); err != nil {
		return rep, err
	}
	root := a.Region
	if root == "" || !a.Manages(root) {
		return rep, apperr.Forbidden("volunteer.forbidden")
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return rep, fmt.Errorf("read workbook: %w", err)
	}
	if len(data) > MaxImportBytes {
		return rep, apperr.Invalid("volunteer.import_too_large", MaxImportBytes>>20)
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return rep, apperr.Invalid("volunteer.import_not_xlsx")
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true, UnzipSizeLimit: 512 << 20, UnzipXMLSizeLimit: 256 << 20})
	if err != nil {
		return rep, apperr.Invalid("volunteer.import_not_xlsx")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return rep, apperr.Invalid("volunteer.import_not_xlsx")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return rep, apperr.Invalid("volunteer.import_not_xlsx")
	}
	defer rows.Close()

	places, err := s.PlacesUnder(ctx, root)
	if err != nil {
		return rep, err
	}
	teams, err := s.Teams(ctx, a)
	if err != nil {
		return rep, err
	}
	teamByName := map[string]int64{}
	for _, t := range teams {
		teamByName[t.Name] = t.ID
	}

	today := s.now().In(Loc())
	col := map[string]int{}
	var parsed []importRow
	seen := map[string]int{} // ID number → first row
	rowNo := 0
	for rows.Next() {
		rowNo++
		cells, err := rows.Columns()
		if err != nil {
			return rep, apperr.Invalid("volunteer.import_not_xlsx")
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(sheetsafe.Restore(cells[i]))
		}
		if rowNo == 1 {
			for i, c := range cells {
				col[c] = i
			}
			for _, h := range importHeaders[:2] {
				if _, ok := col[h]; !ok {
					return rep, apperr.Invalid("volunteer.import_header_missing", h)
				}
			}
			continue
		}
		get := func(h string) string {
			if i, ok := col[h]; ok && i < len(cells) {
				return cells[i]
			}
			return ""
		}
		if strings.Join(cells, "") == "" {
			continue
		}
		rep.Rows++
		if rep.Rows > MaxImportRows {
			return rep, apperr.Invalid("volunteer.import_too_many", MaxImportRows)
		}
		fail := func(h, code string, args ...any) {
			rep.Errors = append(rep.Errors, RowError{Row: rowNo, Column: h, Code: code, Args: args})
		}
		in := Input{Name: get("姓名"), IDNumber: get("身份证号"), Phone: get("手机号"), Skills: get("技能特长"),
			Political: get("政治面貌"), JoinedOn: excelDate(get("加入日期"))}
		if place := get("所在社区"); place != "" {
			code, ok := places.ByName[place]
			if _, known := places.Names[place]; known {
				code, ok = place, true
			}
			if !ok || code == "" {
				fail("所在社区", "volunteer.import_place_unknown", place)
				continue
			}
			in.RegionCode = code
		} else {
			in.RegionCode = root
		}
		p, bad := s.check(&in, today)
		if bad != nil {
			h := ""
			switch {
			case strings.HasPrefix(bad.Code, "volunteer.id_"):
				h = "身份证号"
			case bad.Code == "volunteer.name_invalid":
				h = "姓名"
			case bad.Code == "volunteer.phone_invalid":
				h = "手机号"
			case bad.Code == "volunteer.joined_invalid":
				h = "加入日期"
			}
			fail(h, bad.Code, bad.Args...)
			continue
		}
		if first, dup := seen[p.id.Number]; dup {
			rep.Duplicates++
			fail("身份证号", "volunteer.import_dup_in_sheet", first)
			continue
		}
		seen[p.id.Number] = rowNo
		ir := importRow{row: rowNo, p: p}
		if name := get("所属队伍"); name != "" {
			id, ok := teamByName[name]
			if !ok {
				fail("所属队伍", "volunteer.import_team_unknown", name)
				continue
			}
			ir.teams = []int64{id}
		}
		if h := get("历史服务时长（小时）"); h != "" {
			x, err := strconv.ParseFloat(h, 64)
			if err != nil || x < 0 || x > 20000 || math.IsNaN(x) {
				fail("历史服务时长（小时）", "volunteer.import_hours_invalid")
				continue
			}
			ir.minutes = int64(math.Round(x * 60))
		}
		parsed = append(parsed, ir)
	}
	if err := rows.Error(); err != nil {
		return rep, apperr.Invalid("volunteer.import_not_xlsx")
	}
	if rep.Rows == 0 && len(rep.Errors) == 0 {
		return rep, apperr.Invalid("volunteer.import_empty")
	}

	// Seal and hash every number, then look the hashes up at once.
	hashes := make([]string, 0, len(parsed))
	for i := range parsed {
		if err := s.seal(&parsed[i].p); err != nil {
			return rep, err
		}
		hashes = append(hashes, parsed[i].p.hashed)
	}
	existing := map[string]int64{}
	if err := db.ExistingKeyIDs(ctx, s.DB, "volunteer", "id_hash", hashes, existing); err != nil {
		return rep, err
	}
	for _, ir := range parsed {
		if id, dup := existing[ir.p.hashed]; dup {
			rep.Duplicates++
			rep.Errors = append(rep.Errors, RowError{Row: ir.row, Column: "身份证号", Code: "volunteer.import_dup_registered", Args: []any{id}})
		}
	}
	if len(rep.Errors) > 0 {
		sortRowErrors(rep.Errors)
		return rep, nil
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := s.bulkInsert(ctx, tx, a, parsed)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("volunteer.import_raced")
		}
		return err
	})
	if err != nil {
		return rep, err
	}
	rep.Imported = len(parsed)
	return rep, nil
}

func sortRowErrors(errs []RowError) {
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && errs[j].Row < errs[j-1].Row; j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}

// excelDate reads a date cell: YYYY-MM-DD as typed, or an Excel serial.
func excelDate(v string) string {
	if v == "" {
		return ""
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil && n > 0 && n < 100000 {
		t, err := excelize.ExcelDateToTime(n, false)
		if err == nil {
			return t.Format("2006-01-02")
		}
	}
	for _, layout := range []string{"2006-01-02", "2006/01/02", "2006/1/2", "2006-1-2", "20060102"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.Format("2006-01-02")
		}
	}
	return v
}

// Export writes the volunteers the actor may see as XLSX, masked: names,
// ID numbers and phones as lists show them.
func (s *Store) Export(ctx context.Context, a access.Actor, f Filter, w io.Writer, placeName func(string) string) error {
	where, args, err := s.where(ctx, a, f)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	sh := x.GetSheetName(0)
	sw, err := x.NewStreamWriter(sh)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	header := []any{"姓名", "身份证号", "性别", "出生日期", "手机号", "所在社区", "技能特长", "政治面貌", "加入日期", "服务时长（小时）", "星级"}
	if err := sheetsafe.SetRow(sw, "A1", header); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	rows, err := s.DB.Query(ctx, "SELECT "+volunteerCols+" FROM volunteer v WHERE "+where+" ORDER BY v.region_code, v.id", args...)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer rows.Close()
	n := 1
	for rows.Next() {
		var v Volunteer
		if err := scanVolunteerInto(rows, &v); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		n++
		gender := "女"
		if v.Gender == "m" {
			gender = "男"
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := sheetsafe.SetRow(sw, cell, []any{v.MaskedName(), v.IDMasked, gender, v.BirthDate, v.MaskedPhone(), placeName(v.RegionCode),
			v.Skills, v.Political, v.JoinedOn, float64(v.Minutes) / 60, s.StarLevel(v.Minutes)}); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return x.Write(w)
}

// bulkInsert writes checked, sealed rows: the volunteers, their team
// memberships and their historical hours (an import entry each), and
// returns their ids in order.
func (s *Store) bulkInsert(ctx context.Context, tx *db.Tx, a access.Actor, parsed []importRow) ([]int64, error) {
	now := db.Millis(s.now())
	vb := db.NewBatch("volunteer", "", "name", "id_sealed", "id_hash", "id_masked", "gender", "birth_date", "phone", "region_code",
		"skills", "political", "joined_on", "user_id", "state", "created_at")
	args := make([]any, 0, len(parsed)*vb.Columns())
	hashes := make([]string, 0, len(parsed))
	for _, ir := range parsed {
		p := ir.p
		args = append(args, p.Name, p.sealed, p.hashed, pii.MaskID(p.id.Number), p.id.Gender(), p.id.BirthDate(), p.Phone,
			p.RegionCode, p.Skills, p.Political, p.JoinedOn, db.NullID(p.UserID), StateActive, now)
		hashes = append(hashes, p.hashed)
	}
	if err := vb.Insert(ctx, tx, args); err != nil {
		return nil, fmt.Errorf("insert volunteers: %w", err)
	}
	byHash := map[string]int64{}
	if err := db.KeyIDs(ctx, tx, "volunteer", "id_hash", hashes, byHash); err != nil {
		return nil, err
	}
	mb := db.NewBatch("volunteer_member", "", "team_id", "volunteer_id", "state", "since")
	var margs []any
	var entries []entry
	ids := make([]int64, len(parsed))
	for i, ir := range parsed {
		id := byHash[ir.p.hashed]
		ids[i] = id
		for _, team := range ir.teams {
			margs = append(margs, team, id, "active", now)
		}
		if ir.minutes > 0 {
			entries = append(entries, entry{volunteer: id, minutes: ir.minutes, source: SourceImport,
				reason: "import", servedOn: ir.p.JoinedOn, region: ir.p.RegionCode})
		}
	}
	if len(margs) > 0 {
		if err := mb.Insert(ctx, tx, margs); err != nil {
			return nil, fmt.Errorf("insert members: %w", err)
		}
	}
	if err := s.credit(ctx, tx, a, entries); err != nil {
		return nil, err
	}
	return ids, nil
}
