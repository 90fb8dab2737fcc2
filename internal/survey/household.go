package survey

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

// Household is one household of a community (住户).
type Household struct {
	ID        int64
	Community string
	Building  string
	UnitNo    string
	Room      string
	Address   string
	HeadName  string // masked unless the reader keeps the community's list
	HeadPhone string
	Residents int
	Eligible  bool
	Masked    bool
}

// Place is the household's address as a visit needs it: 3号楼2单元501室,
// or the address line.
func (h Household) Place() string {
	var b strings.Builder
	if h.Building != "" {
		b.WriteString(h.Building)
		if !strings.HasSuffix(h.Building, "楼") && !strings.HasSuffix(h.Building, "栋") && !strings.HasSuffix(h.Building, "号") {
			b.WriteString("号楼")
		}
	}
	if h.UnitNo != "" {
		b.WriteString(h.UnitNo)
		if !strings.HasSuffix(h.UnitNo, "单元") {
			b.WriteString("单元")
		}
	}
	if h.Room != "" {
		b.WriteString(h.Room)
		if !strings.HasSuffix(h.Room, "室") && !strings.HasSuffix(h.Room, "号") {
			b.WriteString("室")
		}
	}
	if h.Address != "" {
		if b.Len() > 0 {
			return h.Address + " " + b.String()
		}
		return h.Address
	}
	return b.String()
}

// MaskName keeps a name's first character: 张**.
func MaskName(n string) string {
	r := []rune(strings.TrimSpace(n))
	if len(r) == 0 {
		return ""
	}
	return string(r[0]) + strings.Repeat("*", max(1, len(r)-1))
}

func (h Household) mask() Household {
	h.HeadName, h.HeadPhone, h.Masked = MaskName(h.HeadName), org.MaskPhone(h.HeadPhone), true
	return h
}

// KeepsList reports whether the actor keeps the community's household list
// and sees it unmasked: the community's own handlers and the office of the
// area.
func KeepsList(a access.Actor, community string) bool {
	return mayManage(a, community) || (a.Has(access.RoleHandler) && a.Region == community)
}

// mayReadHouseholds: those who keep the list, and (masked) the office's
// leaders and the street's handlers above the community.
func mayReadHouseholds(a access.Actor, community string) bool {
	return KeepsList(a, community) || mayOversee(a, community) ||
		(a.Has(access.RoleHandler) && a.Region != "" && access.InSubtree(community, a.Region))
}

// HouseholdInput is a household as entered or imported.
type HouseholdInput struct {
	Community string
	Building  string
	UnitNo    string
	Room      string
	Address   string
	HeadName  string
	HeadPhone string
	Residents int
	Eligible  bool
}

var phonePattern = regexp.MustCompile(`^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$`)

func (in *HouseholdInput) normalize() {
	for _, p := range []*string{&in.Community, &in.Building, &in.UnitNo, &in.Room, &in.Address, &in.HeadName, &in.HeadPhone} {
		*p = strings.TrimSpace(*p)
	}
	if in.Residents == 0 {
		in.Residents = 1
	}
}

// fieldErrors checks a household; each error names its column.
func (in HouseholdInput) fieldErrors() []fieldError {
	var out []fieldError
	add := func(col, code string, args ...any) {
		out = append(out, fieldError{Column: col, Code: code, Args: args})
	}
	if in.Building == "" && in.Room == "" && in.Address == "" {
		add(hcolAddress, "survey.hh.place_required")
	}
	for col, v := range map[string]string{hcolBuilding: in.Building, hcolUnit: in.UnitNo, hcolRoom: in.Room} {
		if utf8.RuneCountInString(v) > 20 {
			add(col, "survey.hh.too_long", 20)
		}
	}
	if utf8.RuneCountInString(in.Address) > 200 {
		add(hcolAddress, "survey.hh.too_long", 200)
	}
	if utf8.RuneCountInString(in.HeadName) > 20 {
		add(hcolName, "survey.hh.too_long", 20)
	}
	if in.HeadPhone != "" && !phonePattern.MatchString(in.HeadPhone) {
		add(hcolPhone, "survey.hh.phone_invalid", in.HeadPhone)
	}
	if in.Residents < 1 || in.Residents > 50 {
		add(hcolResidents, "survey.hh.residents_invalid")
	}
	return out
}

func checkCommunity(ctx context.Context, c db.Conn, code string) error {
	if l, ok := region.LevelOf(code); !ok || l != region.Community {
		return apperr.Invalid("survey.hh.community_invalid")
	}
	ok, err := region.Exists(ctx, c, code)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Invalid("survey.hh.community_invalid")
	}
	return nil
}

// AddHousehold adds a household by hand.
func (s *Store) AddHousehold(ctx context.Context, a access.Actor, in HouseholdInput) (Household, error) {
	in.normalize()
	if err := checkCommunity(ctx, s.DB, in.Community); err != nil {
		return Household{}, err
	}
	if !KeepsList(a, in.Community) {
		return Household{}, apperr.Forbidden("survey.hh.forbidden")
	}
	if errs := in.fieldErrors(); len(errs) > 0 {
		return Household{}, apperr.Invalid(errs[0].Code, errs[0].Args...)
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = insertHousehold(ctx, tx, in, db.Millis(s.now()))
		return err
	})
	if err != nil {
		return Household{}, err
	}
	return s.Household(ctx, a, id)
}

func insertHousehold(ctx context.Context, tx *db.Tx, in HouseholdInput, now int64) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO survey_household (community_code, building, unit_no, room, address, head_name, head_phone,
		residents, eligible, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Community, in.Building, in.UnitNo, in.Room, in.Address, in.HeadName, in.HeadPhone, in.Residents, in.Eligible,
		now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert household: %w", err)
	}
	return id, nil
}

// UpdateHousehold changes a household of a list the actor keeps.
func (s *Store) UpdateHousehold(ctx context.Context, a access.Actor, id int64, in HouseholdInput) (Household, error) {
	old, err := s.household(ctx, id)
	if err != nil {
		return Household{}, err
	}
	if !KeepsList(a, old.Community) {
		return Household{}, apperr.NotFound("survey.hh.not_found")
	}
	in.Community = old.Community
	in.normalize()
	if errs := in.fieldErrors(); len(errs) > 0 {
		return Household{}, apperr.Invalid(errs[0].Code, errs[0].Args...)
	}
	if _, err := s.DB.Exec(ctx, `UPDATE survey_household SET building = ?, unit_no = ?, room = ?, address = ?, head_name = ?,
		head_phone = ?, residents = ?, eligible = ?, updated_at = ? WHERE id = ?`, in.Building, in.UnitNo, in.Room, in.Address,
		in.HeadName, in.HeadPhone, in.Residents, in.Eligible, db.Millis(s.now()), id); err != nil {
		return Household{}, fmt.Errorf("update household: %w", err)
	}
	return s.Household(ctx, a, id)
}

const householdCols = `SELECT id, community_code, building, unit_no, room, address, head_name, head_phone, residents, eligible FROM survey_household`

func scanHousehold(r interface{ Scan(...any) error }) (Household, error) {
	var h Household
	err := r.Scan(&h.ID, &h.Community, &h.Building, &h.UnitNo, &h.Room, &h.Address, &h.HeadName, &h.HeadPhone, &h.Residents, &h.Eligible)
	return h, err
}

func (s *Store) household(ctx context.Context, id int64) (Household, error) {
	h, err := scanHousehold(s.DB.QueryRow(ctx, householdCols+" WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return h, apperr.NotFound("survey.hh.not_found")
	}
	if err != nil {
		return h, fmt.Errorf("household: %w", err)
	}
	return h, nil
}

// Household returns a household the actor may read, masked unless the
// actor keeps the community's list.
func (s *Store) Household(ctx context.Context, a access.Actor, id int64) (Household, error) {
	h, err := s.household(ctx, id)
	if err != nil {
		return h, err
	}
	if !mayReadHouseholds(a, h.Community) {
		return Household{}, apperr.NotFound("survey.hh.not_found")
	}
	if !KeepsList(a, h.Community) {
		h = h.mask()
	}
	return h, nil
}

// HouseholdList is a page of a community's households.
type HouseholdList struct {
	Community string
	Keeps     bool // the reader keeps the list (sees it unmasked, may edit)
	Items     []Household
	Total     int
	Eligible  int
}

// Households lists a community's households, masked unless the actor keeps
// the list; an actor outside the community gets nothing.
func (s *Store) Households(ctx context.Context, a access.Actor, community string, offset, limit int) (HouseholdList, error) {
	out := HouseholdList{Community: community, Keeps: KeepsList(a, community)}
	if !mayReadHouseholds(a, community) {
		return out, apperr.Forbidden("survey.hh.forbidden")
	}
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN eligible THEN 1 ELSE 0 END), 0) FROM survey_household
		WHERE community_code = ?`, community).Scan(&out.Total, &out.Eligible); err != nil {
		return out, fmt.Errorf("count households: %w", err)
	}
	rows, err := s.DB.Query(ctx, householdCols+" WHERE community_code = ? ORDER BY id LIMIT ? OFFSET ?", community, limit, offset)
	out.Items, err = db.Collect(rows, err, func(r *sql.Rows) (Household, error) { return scanHousehold(r) })
	if err != nil {
		return out, fmt.Errorf("households: %w", err)
	}
	if !out.Keeps {
		for i := range out.Items {
			out.Items[i] = out.Items[i].mask()
		}
	}
	return out, nil
}

// The household sheet's columns.
const (
	hcolBuilding  = "楼栋"
	hcolUnit      = "单元"
	hcolRoom      = "门牌"
	hcolAddress   = "地址"
	hcolName      = "户主姓名"
	hcolPhone     = "联系电话"
	hcolResidents = "常住人数"
	hcolEligible  = "可抽样"
)

func householdColumns() []string {
	return []string{hcolBuilding, hcolUnit, hcolRoom, hcolAddress, hcolName, hcolPhone, hcolResidents, hcolEligible}
}

// ImportHouseholds adds the households of a sheet to a community's list,
// all or nothing: the count, or every row's errors.
func (s *Store) ImportHouseholds(ctx context.Context, a access.Actor, community string, r io.Reader) (int, []RowError, error) {
	if err := checkCommunity(ctx, s.DB, community); err != nil {
		return 0, nil, err
	}
	if !KeepsList(a, community) {
		return 0, nil, apperr.Forbidden("survey.hh.forbidden")
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return 0, nil, err
	}
	if len(data) > MaxFileSize {
		return 0, nil, apperr.Invalid("survey.file_too_large", MaxFileSize>>20)
	}
	rows, err := readRows(data)
	if err != nil {
		return 0, nil, err
	}
	at, idx := header(rows, householdColumns(), 3)
	if at < 0 {
		return 0, []RowError{{Code: "survey.sheet_no_header"}}, apperr.Invalid("survey.import_rejected", 1)
	}
	var ins []HouseholdInput
	var errs []RowError
	for i := at + 1; i < len(rows); i++ {
		row, n := rows[i], i+1
		if strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		in := HouseholdInput{Community: community, Building: cell(row, idx, hcolBuilding), UnitNo: cell(row, idx, hcolUnit),
			Room: cell(row, idx, hcolRoom), Address: cell(row, idx, hcolAddress), HeadName: cell(row, idx, hcolName),
			HeadPhone: cell(row, idx, hcolPhone), Eligible: true}
		if v := cell(row, idx, hcolResidents); v != "" {
			k, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, RowError{Row: n, Column: hcolResidents, Code: "survey.hh.residents_invalid"})
				k = 1
			}
			in.Residents = k
		}
		switch v := cell(row, idx, hcolEligible); v {
		case "", "是", "1", "Y", "y":
		case "否", "0", "N", "n":
			in.Eligible = false
		default:
			errs = append(errs, RowError{Row: n, Column: hcolEligible, Code: "survey.hh.eligible_invalid", Args: []any{v}})
		}
		in.normalize()
		for _, e := range in.fieldErrors() {
			errs = append(errs, RowError{Row: n, Column: e.Column, Code: e.Code, Args: e.Args})
		}
		ins = append(ins, in)
	}
	if len(ins) == 0 && len(errs) == 0 {
		errs = append(errs, RowError{Code: "survey.hh.empty_sheet"})
	}
	if len(errs) > 0 {
		return 0, errs, apperr.Invalid("survey.import_rejected", len(errs))
	}
	now := db.Millis(s.now())
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, in := range ins {
			if _, err := insertHousehold(ctx, tx, in, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return len(ins), nil, nil
}

// Place is a region code and its name.
type Place struct {
	Code string
	Name string
}

// Communities lists the communities under an area (a district, street or
// community), for the pickers.
func (s *Store) Communities(ctx context.Context, area string) ([]Place, error) {
	if area == "" {
		return nil, nil
	}
	codes, err := s.communitiesIn(ctx, area)
	if err != nil {
		return nil, err
	}
	names, err := region.Names(ctx, s.DB, codes)
	if err != nil {
		return nil, err
	}
	out := make([]Place, len(codes))
	for i, c := range codes {
		out[i] = Place{Code: c, Name: names[c]}
	}
	return out, nil
}
