package merchant

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/setting"
	"github.com/wenming-civic/wenming/internal/site"
)

// ErrNotFound is wrapped by every lookup of a merchant that does not
// exist or that the actor may not see.
var ErrNotFound = apperr.NotFound("merchant.not_found")

// The site types a merchant may belong to.
var siteTypes = map[string]bool{"commercial_street": true, "market": true}

// Input is a merchant as typed or read from a sheet.
type Input struct {
	Name           string
	CreditCode     string
	BusinessType   string
	Address        string
	Lng, Lat       float64
	SiteID         int64
	Operator       string
	Phone          string
	FrontageKind   string
	FrontageJSON   string
	FrontageMeters float64
	Duties         []string
	CommitmentKey  string // "" keeps the stored one on update
	CommitmentOn   string
}

// resolved is a checked input with what was derived from it.
type resolved struct {
	in        Input
	region    string
	street    string
	community string
	frontage  Frontage
	duties    string
}

// fieldError is a refusal with the field it concerns, for the importer.
type fieldError struct {
	field string
	err   *apperr.Error
}

func refuse(field, code string, args ...any) *fieldError {
	return &fieldError{field: field, err: apperr.Invalid(code, args...)}
}

// The fields, as the importer names its columns.
const (
	fName     = "name"
	fCredit   = "credit"
	fPlace    = "place"
	fSite     = "site"
	fPhone    = "phone"
	fFrontage = "frontage"
	fDuties   = "duties"
	fSigned   = "signed"
	fText     = "text"
)

// creditMessage maps pii's refusals to catalogue keys.
func creditMessage(err error) string {
	switch {
	case errors.Is(err, pii.ErrCreditLength):
		return "merchant.credit_length"
	case errors.Is(err, pii.ErrCreditChars):
		return "merchant.credit_chars"
	case errors.Is(err, pii.ErrCreditRegion):
		return "merchant.credit_region"
	}
	return "merchant.credit_check"
}

func validPhone(p string) bool {
	n := 0
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			n++
		case r == '-' || r == ' ':
		default:
			return false
		}
	}
	return n >= 7 && n <= 15
}

// check normalises and checks an input for the actor; sites and places are
// looked up. It does not check the credit code's uniqueness (the index does).
func (s *Store) check(ctx context.Context, a access.Actor, in Input, today string) (resolved, *fieldError, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.BusinessType = strings.TrimSpace(in.BusinessType)
	in.Address = strings.TrimSpace(in.Address)
	in.Operator = strings.TrimSpace(in.Operator)
	in.Phone = strings.TrimSpace(in.Phone)
	in.CommitmentOn = strings.TrimSpace(in.CommitmentOn)
	r := resolved{in: in}
	switch {
	case in.Name == "" || utf8.RuneCountInString(in.Name) > MaxNameLen:
		return r, refuse(fName, "merchant.name_invalid", MaxNameLen), nil
	case utf8.RuneCountInString(in.Address) > MaxAddressLen || utf8.RuneCountInString(in.BusinessType) > 50 ||
		utf8.RuneCountInString(in.Operator) > 50:
		return r, refuse(fText, "merchant.text_too_long"), nil
	case in.Phone != "" && !validPhone(in.Phone):
		return r, refuse(fPhone, "merchant.phone_invalid"), nil
	}
	if in.CreditCode = strings.TrimSpace(in.CreditCode); in.CreditCode != "" {
		code, err := pii.CheckCreditCode(in.CreditCode)
		if err != nil {
			return r, refuse(fCredit, creditMessage(err)), nil
		}
		r.in.CreditCode = code
	}
	p := geo.Point{Lng: in.Lng, Lat: in.Lat}
	if in.Lng == 0 && in.Lat == 0 || !geo.InChina(p) {
		return r, refuse(fPlace, "merchant.place_invalid"), nil
	}
	code, ok, err := s.locate(ctx, p)
	if err != nil {
		return r, nil, err
	}
	if !ok || len(code) < 9 {
		return r, refuse(fPlace, "merchant.place_outside"), nil
	}
	if !manages(a, code) {
		return r, nil, apperr.Forbidden("merchant.forbidden_area")
	}
	r.region, r.street = code, code[:9]
	if len(code) >= 12 {
		r.community = code[:12]
	}
	if in.SiteID != 0 {
		b, err := site.Basics(ctx, s.DB, []int64{in.SiteID})
		if err != nil {
			return r, nil, err
		}
		x, ok := b[in.SiteID]
		if !ok || !siteTypes[x.TypeCode] {
			return r, refuse(fSite, "merchant.site_invalid"), nil
		}
	}
	if r.frontage, err = ParseFrontage(in.FrontageKind, in.FrontageJSON, in.FrontageMeters); err != nil {
		return r, &fieldError{field: fFrontage, err: apperr.As(err)}, nil
	}
	duties := in.Duties
	if len(duties) == 0 {
		duties = []string{"hygiene", "order", "greening"}
	}
	var ds []string
	for _, d := range duties {
		d = strings.TrimSpace(d)
		if !validDuty(d) {
			return r, refuse(fDuties, "merchant.duty_invalid", d), nil
		}
		if !strings.Contains(","+strings.Join(ds, ",")+",", ","+d+",") {
			ds = append(ds, d)
		}
	}
	r.duties = strings.Join(ds, ",")
	if in.CommitmentKey != "" && in.CommitmentOn == "" {
		return r, refuse(fSigned, "merchant.signed_on_required"), nil
	}
	if in.CommitmentOn != "" {
		t, err := time.Parse("2006-01-02", in.CommitmentOn)
		if err != nil || t.Format("2006-01-02") > today {
			return r, refuse(fSigned, "merchant.signed_on_invalid"), nil
		}
	}
	return r, nil, nil
}

func (s *Store) today() string { return s.now().In(calendar.Shanghai()).Format("2006-01-02") }

// CheckInput checks a merchant as Create would, without storing it: a
// form with a commitment photo is checked before the photo is stored.
func (s *Store) CheckInput(ctx context.Context, a access.Actor, in Input) error {
	_, fe, err := s.check(ctx, a, in, s.today())
	if err != nil {
		return err
	}
	if fe != nil {
		return fe.err
	}
	return nil
}

// Create adds a merchant.
func (s *Store) Create(ctx context.Context, a access.Actor, in Input) (Merchant, error) {
	r, fe, err := s.check(ctx, a, in, s.today())
	if err != nil {
		return Merchant{}, err
	}
	if fe != nil {
		return Merchant{}, fe.err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = s.insert(ctx, tx, r)
		if err != nil {
			return err
		}
		_, err = setting.Increment(ctx, tx, revSetting)
		return err
	})
	if db.IsUniqueViolation(err) {
		return Merchant{}, apperr.Conflict("merchant.credit_taken", r.in.CreditCode)
	}
	if err != nil {
		return Merchant{}, err
	}
	return s.Get(ctx, a, id)
}

func (s *Store) insert(ctx context.Context, tx *db.Tx, r resolved) (int64, error) {
	now := db.Millis(s.now())
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO merchant (name, credit_code, business_type, address, lng, lat, region_code, street_code,
		community_code, site_id, operator, phone, frontage_kind, frontage, frontage_meters, duties, commitment_key, commitment_on,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.in.Name, r.in.CreditCode, r.in.BusinessType, r.in.Address, r.in.Lng, r.in.Lat, r.region, r.street, r.community,
		db.NullID(r.in.SiteID), r.in.Operator, r.in.Phone, r.frontage.Kind, r.frontage.GeoJSON, r.frontage.Meters, r.duties,
		r.in.CommitmentKey, r.in.CommitmentOn, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert merchant: %w", err)
	}
	return id, nil
}

// Update changes a merchant; an empty CommitmentKey keeps the stored one.
func (s *Store) Update(ctx context.Context, a access.Actor, id int64, in Input) (Merchant, error) {
	cur, err := s.read(ctx, s.DB, id)
	if err != nil {
		return Merchant{}, err
	}
	if !manages(a, cur.RegionCode) {
		if sees(a, cur.RegionCode) {
			return Merchant{}, apperr.Forbidden("merchant.forbidden")
		}
		return Merchant{}, ErrNotFound
	}
	if in.CommitmentKey == "" {
		in.CommitmentKey = cur.CommitmentKey
	}
	r, fe, err := s.check(ctx, a, in, s.today())
	if err != nil {
		return Merchant{}, err
	}
	if fe != nil {
		return Merchant{}, fe.err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE merchant SET name = ?, credit_code = ?, business_type = ?, address = ?, lng = ?, lat = ?,
			region_code = ?, street_code = ?, community_code = ?, site_id = ?, operator = ?, phone = ?, frontage_kind = ?, frontage = ?,
			frontage_meters = ?, duties = ?, commitment_key = ?, commitment_on = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
			r.in.Name, r.in.CreditCode, r.in.BusinessType, r.in.Address, r.in.Lng, r.in.Lat, r.region, r.street, r.community,
			db.NullID(r.in.SiteID), r.in.Operator, r.in.Phone, r.frontage.Kind, r.frontage.GeoJSON, r.frontage.Meters, r.duties,
			r.in.CommitmentKey, r.in.CommitmentOn, db.Millis(s.now()), id)
		if err != nil {
			return fmt.Errorf("update merchant: %w", err)
		}
		_, err = setting.Increment(ctx, tx, revSetting)
		return err
	})
	if db.IsUniqueViolation(err) {
		return Merchant{}, apperr.Conflict("merchant.credit_taken", r.in.CreditCode)
	}
	if err != nil {
		return Merchant{}, err
	}
	return s.Get(ctx, a, id)
}

// SetCommitment files the signed commitment (a media key) and its date.
func (s *Store) SetCommitment(ctx context.Context, a access.Actor, id int64, key, signedOn string) error {
	cur, err := s.read(ctx, s.DB, id)
	if err != nil {
		return err
	}
	if !manages(a, cur.RegionCode) {
		if sees(a, cur.RegionCode) {
			return apperr.Forbidden("merchant.forbidden")
		}
		return ErrNotFound
	}
	t, perr := time.Parse("2006-01-02", strings.TrimSpace(signedOn))
	if perr != nil || t.Format("2006-01-02") > s.today() {
		return apperr.Invalid("merchant.signed_on_invalid")
	}
	if key == "" {
		return apperr.Invalid("merchant.commitment_required")
	}
	_, err = s.DB.Exec(ctx, "UPDATE merchant SET commitment_key = ?, commitment_on = ?, updated_at = ?, version = version + 1 WHERE id = ?",
		key, t.Format("2006-01-02"), db.Millis(s.now()), id)
	if err != nil {
		return fmt.Errorf("merchant commitment: %w", err)
	}
	return nil
}

const merchantColumns = `m.id, m.name, m.credit_code, m.business_type, m.address, m.lng, m.lat, m.region_code, m.street_code,
	m.community_code, COALESCE(m.site_id, 0), m.operator, m.phone, m.frontage_kind, m.frontage, m.frontage_meters, m.duties,
	m.commitment_key, m.commitment_on, m.active, m.created_at, m.updated_at, m.version`

func scanMerchant(sc interface{ Scan(...any) error }) (Merchant, error) {
	var m Merchant
	var kind, front, duties string
	var meters float64
	var created, updated int64
	err := sc.Scan(&m.ID, &m.Name, &m.CreditCode, &m.BusinessType, &m.Address, &m.Lng, &m.Lat, &m.RegionCode, &m.StreetCode,
		&m.CommunityCode, &m.SiteID, &m.Operator, &m.Phone, &kind, &front, &meters, &duties,
		&m.CommitmentKey, &m.CommitmentOn, &m.Active, &created, &updated, &m.Version)
	if err != nil {
		return m, err
	}
	m.Frontage = restore(kind, front, meters)
	if duties != "" {
		m.Duties = strings.Split(duties, ",")
	}
	m.CreatedAt, m.UpdatedAt = db.FromMillis(created), db.FromMillis(updated)
	return m, nil
}

// read loads a merchant without checking who asks.
func (s *Store) read(ctx context.Context, c db.Conn, id int64) (Merchant, error) {
	m, err := scanMerchant(c.QueryRow(ctx, "SELECT "+merchantColumns+" FROM merchant m WHERE m.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Merchant{}, ErrNotFound
	}
	if err != nil {
		return Merchant{}, fmt.Errorf("read merchant %d: %w", id, err)
	}
	return m, nil
}

// Get returns a merchant the actor may see, its contact masked unless the
// actor keeps it or is of its territorial unit.
func (s *Store) Get(ctx context.Context, a access.Actor, id int64) (Merchant, error) {
	m, err := s.read(ctx, s.DB, id)
	if err != nil {
		return Merchant{}, err
	}
	if !sees(a, m.RegionCode) {
		return Merchant{}, ErrNotFound
	}
	ms := []Merchant{m}
	if err := s.fill(ctx, ms, a); err != nil {
		return Merchant{}, err
	}
	return ms[0], nil
}

// fill adds the names of the regions and sites and masks the contacts the
// actor may not read.
func (s *Store) fill(ctx context.Context, ms []Merchant, a access.Actor) error {
	var codes []string
	var sites []int64
	for _, m := range ms {
		codes = append(codes, m.RegionCode, m.StreetCode, m.CommunityCode)
		if m.SiteID != 0 {
			sites = append(sites, m.SiteID)
		}
	}
	names, err := region.Names(ctx, s.DB, codes)
	if err != nil {
		return err
	}
	basics, err := site.Basics(ctx, s.DB, sites)
	if err != nil {
		return err
	}
	for i := range ms {
		m := &ms[i]
		m.RegionName, m.StreetName, m.CommunityName = names[m.RegionCode], names[m.StreetCode], names[m.CommunityCode]
		if b, ok := basics[m.SiteID]; ok {
			m.SiteName, m.SiteType = b.Name, b.TypeCode
		}
		if !seesContact(a, m.RegionCode) {
			m.Operator, m.Phone, m.Masked = pii.MaskName(m.Operator), pii.MaskPhone(m.Phone), true
		}
	}
	return nil
}

// Filter narrows a listing.
type Filter struct {
	Query  string // name, address or credit code contains
	Region string // region subtree (a street, a community)
	SiteID int64
	Offset int
	Limit  int // 0: 50
}

// scope limits merchant rows (alias m) to what the actor reads.
func scope(a access.Actor) (string, []any, error) {
	if a.IsAdmin() {
		return "1 = 1", nil, nil
	}
	if !MayOpen(a) || a.Region == "" {
		return "", nil, apperr.Forbidden("merchant.forbidden")
	}
	cond, args := region.SubtreeSQL("m.region_code", a.Region)
	return cond, args, nil
}

func (f Filter) where(a access.Actor) (string, []any, error) {
	cond, args, err := scope(a)
	if err != nil {
		return "", nil, err
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
		cond += ` AND (m.name LIKE ? ESCAPE '\' OR m.address LIKE ? ESCAPE '\' OR m.credit_code = ?)`
		args = append(args, like, like, strings.ToUpper(q))
	}
	if f.Region != "" {
		c, a2 := region.SubtreeSQL("m.region_code", f.Region)
		cond += " AND " + c
		args = append(args, a2...)
	}
	if f.SiteID != 0 {
		cond += " AND m.site_id = ?"
		args = append(args, f.SiteID)
	}
	return cond, args, nil
}

// List returns a page of the merchants the actor sees, by name, and how
// many match.
func (s *Store) List(ctx context.Context, a access.Actor, f Filter) ([]Merchant, int, error) {
	cond, args, err := f.where(a)
	if err != nil {
		return nil, 0, err
	}
	n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM merchant m WHERE "+cond, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("count merchants: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.DB.Query(ctx, "SELECT "+merchantColumns+" FROM merchant m WHERE "+cond+
		" ORDER BY m.street_code, m.name, m.id LIMIT ? OFFSET ?", append(args, limit, max(f.Offset, 0))...)
	ms, err := db.Collect(rows, err, func(r *sql.Rows) (Merchant, error) { return scanMerchant(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("list merchants: %w", err)
	}
	if err := s.fill(ctx, ms, a); err != nil {
		return nil, 0, err
	}
	return ms, n, nil
}

// Each calls fn with every merchant the actor sees that matches, in list
// order (the export).
func (s *Store) Each(ctx context.Context, a access.Actor, f Filter, fn func(Merchant) error) error {
	cond, args, err := f.where(a)
	if err != nil {
		return err
	}
	var last int64
	for {
		rows, err := s.DB.Query(ctx, "SELECT "+merchantColumns+" FROM merchant m WHERE "+cond+" AND m.id > ? ORDER BY m.id LIMIT 1000",
			append(append([]any{}, args...), last)...)
		ms, err := db.Collect(rows, err, func(r *sql.Rows) (Merchant, error) { return scanMerchant(r) })
		if err != nil {
			return fmt.Errorf("merchants: %w", err)
		}
		if len(ms) == 0 {
			return nil
		}
		if err := s.fill(ctx, ms, a); err != nil {
			return err
		}
		for _, m := range ms {
			if err := fn(m); err != nil {
				return err
			}
		}
		last = ms[len(ms)-1].ID
	}
}

// CanSeePhoto reports whether the actor may see the photo: the signed
// commitment of a merchant it reads.
func (s *Store) CanSeePhoto(ctx context.Context, a access.Actor, hash string) (bool, error) {
	cond, args, err := scope(a)
	if err != nil {
		return false, nil
	}
	n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM merchant m WHERE m.commitment_key = ? AND "+cond,
		append([]any{PhotoKey(hash)}, args...)...)
	if err != nil {
		return false, fmt.Errorf("merchant photo: %w", err)
	}
	return n > 0, nil
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// Any tells whether any merchant is stored.
func (s *Store) Any(ctx context.Context) (bool, error) {
	n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM (SELECT 1 FROM merchant LIMIT 1) x")
	if err != nil {
		return false, fmt.Errorf("count merchants: %w", err)
	}
	return n > 0, nil
}

// SetActive closes a merchant (停业) or opens it again: a closed merchant
// keeps its record, links and flags, but is left out of new links, the
// proposals and the public lookup.
func (s *Store) SetActive(ctx context.Context, a access.Actor, id int64, active bool) error {
	cur, err := s.read(ctx, s.DB, id)
	if err != nil {
		return err
	}
	if !manages(a, cur.RegionCode) {
		if sees(a, cur.RegionCode) {
			return apperr.Forbidden("merchant.forbidden")
		}
		return ErrNotFound
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE merchant SET active = ?, updated_at = ?, version = version + 1 WHERE id = ?",
			active, db.Millis(s.now()), id); err != nil {
			return fmt.Errorf("merchant active: %w", err)
		}
		_, err := setting.Increment(ctx, tx, revSetting)
		return err
	})
}
