package merchant

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/setting"
	"github.com/wenming-civic/wenming/internal/sheetsafe"
	"github.com/wenming-civic/wenming/internal/site"
)

// MaxImportBytes bounds an uploaded workbook; MaxImportRows its merchants.
const (
	MaxImportBytes = 16 << 20
	MaxImportRows  = 20000
)

// The sheet's columns, by header; the order in the sheet is free.
const (
	hName     = "商户名称"
	hCredit   = "统一社会信用代码"
	hType     = "经营类别"
	hAddress  = "地址"
	hLng      = "经度"
	hLat      = "纬度"
	hSite     = "所属点位"
	hOperator = "经营者"
	hPhone    = "联系电话"
	hKind     = "责任区类型"
	hFront    = "责任区（GeoJSON）"
	hMeters   = "责任区范围（米）"
	hDuties   = "责任内容"
	hSigned   = "责任书签订日期"
)

// ImportHeaders are the sheet's columns in the template's order.
func ImportHeaders() []string {
	return []string{hName, hCredit, hType, hAddress, hLng, hLat, hSite, hOperator, hPhone, hKind, hFront, hMeters, hDuties, hSigned}
}

// headerOf names the column of a checked field.
var headerOf = map[string]string{fName: hName, fCredit: hCredit, fPlace: hLng, fSite: hSite, fPhone: hPhone, fFrontage: hFront,
	fDuties: hDuties, fSigned: hSigned}

var dutyNames = map[string]string{"卫生": "hygiene", "秩序": "order", "绿化": "greening", "设施": "facilities", "市容": "appearance"}

// DutyName is a duty's Chinese name, as the sheet writes it.
func DutyName(code string) string {
	for n, c := range dutyNames {
		if c == code {
			return n
		}
	}
	return code
}

var kindNames = map[string]string{"半径": FrontRadius, "沿线": FrontLine, "区域": FrontPolygon}

func kindName(k string) string {
	for n, c := range kindNames {
		if c == k {
			return n
		}
	}
	return k
}

// RowError is one fault of one row.
type RowError = sheetsafe.RowError

// SiteChoices lists the sites a merchant may belong to (商业大街, 集贸市场)
// that the actor sees.
func (s *Store) SiteChoices(ctx context.Context, a access.Actor) ([]site.Site, error) {
	if s.Sites == nil || !site.CanRead(a) {
		return nil, nil
	}
	var out []site.Site
	for _, t := range []string{"commercial_street", "market"} {
		err := s.Sites.Each(ctx, a, site.Filter{Type: t, State: "active"}, func(x site.Site) error {
			out = append(out, x)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Import reads a workbook of merchants: all of them, or, when any row is
// wrong, none, with every wrong row's number and fault.
func (s *Store) Import(ctx context.Context, a access.Actor, r io.Reader) (int, []RowError, error) {
	if !a.IsAdmin() && !(a.Has(access.RoleOffice) && a.Region != "") {
		return 0, nil, apperr.Forbidden("merchant.forbidden")
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return 0, nil, fmt.Errorf("read workbook: %w", err)
	}
	if len(data) > MaxImportBytes {
		return 0, nil, apperr.Invalid("merchant.import_too_large", MaxImportBytes>>20)
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return 0, nil, apperr.Invalid("merchant.import_not_xlsx")
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		return 0, nil, apperr.Invalid("merchant.import_not_xlsx")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return 0, nil, apperr.Invalid("merchant.import_not_xlsx")
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil || len(rows) == 0 {
		return 0, nil, apperr.Invalid("merchant.import_not_xlsx")
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[strings.TrimSpace(c)] = i
	}
	for _, h := range []string{hName, hLng, hLat} {
		if _, ok := col[h]; !ok {
			return 0, nil, apperr.Invalid("merchant.import_header_missing", h)
		}
	}
	sites, err := s.SiteChoices(ctx, a)
	if err != nil {
		return 0, nil, err
	}
	siteByKey := map[string]int64{}
	for _, x := range sites {
		siteByKey[x.Code], siteByKey[x.Name] = x.ID, x.ID
	}
	today := s.today()
	var errs []RowError
	var good []resolved
	seen := map[string]int{}
	for i, cells := range rows[1:] {
		rowNo := i + 2
		get := func(h string) string {
			if j, ok := col[h]; ok && j < len(cells) {
				return strings.TrimSpace(sheetsafe.Restore(cells[j]))
			}
			return ""
		}
		if strings.TrimSpace(strings.Join(cells, "")) == "" {
			continue
		}
		if len(good)+len(errs) >= MaxImportRows {
			return 0, nil, apperr.Invalid("merchant.import_too_many", MaxImportRows)
		}
		fail := func(h, code string, args ...any) {
			errs = append(errs, RowError{Row: rowNo, Column: h, Code: code, Args: args})
		}
		in := Input{Name: get(hName), CreditCode: get(hCredit), BusinessType: get(hType), Address: get(hAddress),
			Operator: get(hOperator), Phone: get(hPhone), FrontageJSON: get(hFront), CommitmentOn: get(hSigned)}
		lng, err1 := strconv.ParseFloat(get(hLng), 64)
		lat, err2 := strconv.ParseFloat(get(hLat), 64)
		if err1 != nil || err2 != nil {
			fail(hLng, "merchant.place_invalid")
			continue
		}
		in.Lng, in.Lat = lng, lat
		if v := get(hSite); v != "" {
			id, ok := siteByKey[v]
			if !ok {
				fail(hSite, "merchant.import_site_unknown", v)
				continue
			}
			in.SiteID = id
		}
		if v := get(hKind); v != "" {
			k, ok := kindNames[v]
			if !ok {
				fail(hKind, "merchant.frontage_kind_invalid")
				continue
			}
			in.FrontageKind = k
		}
		if v := get(hMeters); v != "" {
			m, err := strconv.ParseFloat(v, 64)
			if err != nil {
				fail(hMeters, "merchant.frontage_meters_invalid", int(MaxFrontageMeters))
				continue
			}
			in.FrontageMeters = m
		}
		if v := get(hDuties); v != "" {
			bad := ""
			for _, d := range strings.FieldsFunc(v, func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ' ' }) {
				c, ok := dutyNames[d]
				if !ok {
					bad = d
					break
				}
				in.Duties = append(in.Duties, c)
			}
			if bad != "" {
				fail(hDuties, "merchant.duty_invalid", bad)
				continue
			}
		}
		r, fe, err := s.check(ctx, a, in, today)
		if err != nil {
			if e := apperr.As(err); e.Kind == apperr.KindForbidden {
				fail(hLng, e.Code, e.Args...)
				continue
			}
			return 0, nil, err
		}
		if fe != nil {
			fail(headerOf[fe.field], fe.err.Code, fe.err.Args...)
			continue
		}
		if c := r.in.CreditCode; c != "" {
			if first, dup := seen[c]; dup {
				fail(hCredit, "merchant.import_credit_repeated", first)
				continue
			}
			seen[c] = rowNo
			n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM merchant WHERE credit_code = ?", c)
			if err != nil {
				return 0, nil, fmt.Errorf("credit code: %w", err)
			}
			if n > 0 {
				fail(hCredit, "merchant.credit_taken", c)
				continue
			}
		}
		good = append(good, r)
	}
	if len(errs) > 0 {
		return 0, errs, nil
	}
	if len(good) == 0 {
		return 0, nil, apperr.Invalid("merchant.import_empty")
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, r := range good {
			if _, err := s.insert(ctx, tx, r); err != nil {
				return err
			}
		}
		_, err := setting.Increment(ctx, tx, revSetting)
		return err
	})
	if db.IsUniqueViolation(err) {
		return 0, nil, apperr.Conflict("merchant.credit_taken", "")
	}
	if err != nil {
		return 0, nil, err
	}
	return len(good), nil, nil
}

// Export writes the merchants the actor sees as the import sheet, so an
// exported sheet imports again. Contacts are as the actor sees them.
func (s *Store) Export(ctx context.Context, a access.Actor, f Filter, w io.Writer) (int, error) {
	x := excelize.NewFile()
	defer x.Close()
	sh := x.GetSheetName(0)
	sw, err := x.NewStreamWriter(sh)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	head := make([]any, 0, 14)
	for _, h := range ImportHeaders() {
		head = append(head, h)
	}
	if err := sw.SetRow("A1", head); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	n := 0
	codes := map[int64]string{}
	if sites, err := s.SiteChoices(ctx, a); err == nil {
		for _, x := range sites {
			codes[x.ID] = x.Code
		}
	}
	err = s.Each(ctx, a, f, func(m Merchant) error {
		n++
		var duties []string
		for _, d := range m.Duties {
			duties = append(duties, DutyName(d))
		}
		siteRef := codes[m.SiteID]
		if siteRef == "" {
			siteRef = m.SiteName
		}
		meters := any(m.Frontage.Meters)
		if m.Frontage.Kind == FrontPolygon {
			meters = ""
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+1)
		return sheetsafe.SetRow(sw, cell, []any{m.Name, m.CreditCode, m.BusinessType, m.Address, m.Lng, m.Lat, siteRef, m.Operator, m.Phone,
			kindName(m.Frontage.Kind), m.Frontage.GeoJSON, meters, strings.Join(duties, "、"), m.CommitmentOn})
	})
	if err != nil {
		return 0, err
	}
	if err := sw.Flush(); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	if err := x.Write(w); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	return n, nil
}
