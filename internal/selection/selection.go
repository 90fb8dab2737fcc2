// Package selection runs the campaign's selections (评选): kinds as data
// (星级文明户, 文明家庭, 诚信商户 …: who can be a candidate, the period, a
// score sheet of points or of named stars, a quota and the levels of
// review), and rounds of a kind in an area: nominations (a self-declaration
// through the public page, or a recommendation by a community, a street, a
// unit or the office), review level by level (community → street →
// office), the 公示 with its objection period and objections (the
// objector's contact sealed, internal/pii), the award with numbered
// certificates (PDF, internal/pdfdoc) and the honour roll (光荣榜), and
// revocation with a reason shown on the record.
//
// The merchant flags (红旗/黑旗商户, 流动红旗) are computed by the merchant
// domain and are not a kind here. Merchant candidates are named through a
// MerchantDirectory when one is wired; without it they are entered by name
// and credit code as text.
//
// The package owns every selection_* table. Permission is decided here,
// from the actor.
package selection

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/pii"
)

// Candidate types.
const (
	Household = "household"
	Merchant  = "merchant"
	Person    = "person"
	Unit      = "unit"
)

// CandidateTypes lists the candidate types in display order.
func CandidateTypes() []string { return []string{Household, Merchant, Person, Unit} }

// Periods of a kind.
const (
	Month   = "month"
	Quarter = "quarter"
	Year    = "year"
)

// Score sheets.
const (
	SheetPoints = "points"
	SheetStars  = "stars"
)

// Review levels, in the order they may appear in a kind.
const (
	LevelCommunity = "community"
	LevelStreet    = "street"
	LevelOffice    = "office"
)

// Round states.
const (
	RoundNominating = "nominating"
	RoundPublicity  = "publicity"
	RoundAwarded    = "awarded"
)

// Nomination states.
const (
	NomPending   = "pending"
	NomApproved  = "approved"
	NomRejected  = "rejected"
	NomWithdrawn = "withdrawn" // an objection was upheld
	NomAwarded   = "awarded"
	NomRevoked   = "revoked"
)

// MerchantRef is a merchant as the merchant domain names it.
type MerchantRef struct {
	ID         int64
	Name       string
	CreditCode string
	RegionCode string
}

// MerchantDirectory finds merchants for merchant candidates; the server
// wires the merchant domain to it. Merchant returns an error wrapping
// apperr.ErrNotFound for an unknown id.
type MerchantDirectory interface {
	Merchant(ctx context.Context, id int64) (MerchantRef, error)
}

// Store runs selections over one database.
type Store struct {
	DB *db.DB
	// Key seals objectors' and candidates' contacts; nil keeps only the
	// masked form.
	Key *pii.Key
	// Merchants names merchant candidates; nil: merchants are entered by
	// name and credit code as text.
	Merchants MerchantDirectory
	Now       func() time.Time
}

const purposeContact = "selection.contact"

// Clock returns the store's current time.
func (s *Store) Clock() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Loc is the campaign's time zone.
func Loc() *time.Location { return calendar.Shanghai() }

func (s *Store) today() string { return s.Clock().In(Loc()).Format("2006-01-02") }

func creator(a access.Actor) any {
	if a.UserID > 0 {
		return a.UserID
	}
	return nil
}

// LevelOf is the review level the actor speaks for: the office (or an
// administrator) for a district or wider, the staff of a street office
// for its street, the staff of a community for its community; "" for
// anyone else.
func LevelOf(a access.Actor) string {
	switch {
	case a.IsAdmin(), a.Has(access.RoleOffice) && a.Region != "" && len(a.Region) <= 6:
		return LevelOffice
	case !a.HasAny(access.RoleHandler, access.RoleOffice):
		return ""
	case len(a.Region) == 9:
		return LevelStreet
	case len(a.Region) == 12:
		return LevelCommunity
	}
	return ""
}

// MayOpen reports whether the navigation shows the selections.
func MayOpen(a access.Actor) bool {
	return a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler)
}

// Kind is a selection kind.
type Kind struct {
	ID            int64
	Code          string
	Name          string
	CandidateType string
	Period        string
	Sheet         string
	Quota         int
	Levels        []string
	Active        bool
	Criteria      []Criterion
}

// Criterion is one line of a score sheet: an item with its full points,
// or a named star (points 1).
type Criterion struct {
	ID     int64
	Name   string
	Points int
}

// MaxScore is the full score of the sheet (or the number of stars).
func (k Kind) MaxScore() int {
	n := 0
	for _, c := range k.Criteria {
		n += c.Points
	}
	return n
}

// KindInput is a new kind.
type KindInput struct {
	Code, Name, CandidateType, Period, Sheet string
	Quota                                    int
	Levels                                   []string
	Criteria                                 []Criterion
}

func validLevels(ls []string) bool {
	if len(ls) == 0 {
		return false
	}
	order := map[string]int{LevelCommunity: 0, LevelStreet: 1, LevelOffice: 2}
	last := -1
	for _, l := range ls {
		i, ok := order[l]
		if !ok || i <= last {
			return false
		}
		last = i
	}
	return ls[len(ls)-1] == LevelOffice
}

func oneOf(v string, set ...string) bool {
	for _, x := range set {
		if v == x {
			return true
		}
	}
	return false
}

// CreateKind adds a kind of selection (the office).
func (s *Store) CreateKind(ctx context.Context, a access.Actor, in KindInput) (int64, error) {
	if LevelOf(a) != LevelOffice {
		return 0, apperr.Forbidden("selection.forbidden")
	}
	return s.createKind(ctx, s.DB, in)
}

func (s *Store) createKind(ctx context.Context, c db.Conn, in KindInput) (int64, error) {
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	switch {
	case in.Code == "" || len(in.Code) > 40 || in.Name == "" || len([]rune(in.Name)) > 40:
		return 0, apperr.Invalid("selection.kind_name_invalid")
	case !oneOf(in.CandidateType, CandidateTypes()...):
		return 0, apperr.Invalid("selection.candidate_type_invalid")
	case !oneOf(in.Period, Month, Quarter, Year):
		return 0, apperr.Invalid("selection.period_invalid")
	case !oneOf(in.Sheet, SheetPoints, SheetStars):
		return 0, apperr.Invalid("selection.sheet_invalid")
	case in.Quota < 0 || in.Quota > 10000:
		return 0, apperr.Invalid("selection.quota_invalid")
	case !validLevels(in.Levels):
		return 0, apperr.Invalid("selection.levels_invalid")
	case len(in.Criteria) == 0 || len(in.Criteria) > 30:
		return 0, apperr.Invalid("selection.criteria_invalid")
	}
	for i, cr := range in.Criteria {
		cr.Name = strings.TrimSpace(cr.Name)
		if in.Sheet == SheetStars {
			cr.Points = 1
		}
		if cr.Name == "" || len([]rune(cr.Name)) > 60 || cr.Points < 1 || cr.Points > 1000 {
			return 0, apperr.Invalid("selection.criteria_invalid")
		}
		in.Criteria[i] = cr
	}
	var id int64
	err := c.QueryRow(ctx, `INSERT INTO selection_kind (code, name, candidate_type, period, sheet, quota, levels, active, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, TRUE, ?) RETURNING id`, in.Code, in.Name, in.CandidateType, in.Period, in.Sheet, in.Quota,
		strings.Join(in.Levels, ","), db.Millis(s.Clock())).Scan(&id)
	if db.IsUniqueViolation(err) {
		return 0, apperr.Conflict("selection.kind_taken")
	}
	if err != nil {
		return 0, fmt.Errorf("create kind: %w", err)
	}
	for i, cr := range in.Criteria {
		if _, err := c.Exec(ctx, "INSERT INTO selection_criterion (kind_id, position, name, points) VALUES (?, ?, ?, ?)",
			id, i+1, cr.Name, cr.Points); err != nil {
			return 0, fmt.Errorf("create criterion: %w", err)
		}
	}
	return id, nil
}

// DefaultKinds are the kinds the seeds name (红旗/黑旗商户 are the merchant
// domain's computed flags and are left out).
func DefaultKinds() []KindInput {
	pts := func(xs ...any) []Criterion {
		var out []Criterion
		for i := 0; i < len(xs); i += 2 {
			out = append(out, Criterion{Name: xs[i].(string), Points: xs[i+1].(int)})
		}
		return out
	}
	stars := func(names ...string) []Criterion {
		var out []Criterion
		for _, n := range names {
			out = append(out, Criterion{Name: n, Points: 1})
		}
		return out
	}
	all := []string{LevelCommunity, LevelStreet, LevelOffice}
	so := []string{LevelStreet, LevelOffice}
	deeds := pts("思想品德", 30, "典型事迹", 40, "群众认可", 30)
	honest := pts("诚信经营", 30, "明码标价", 20, "无投诉举报", 20, "门前三包", 15, "文明服务", 15)
	return []KindInput{
		{Code: "star_household", Name: "星级文明户", CandidateType: Household, Period: Year, Sheet: SheetStars, Levels: all,
			Criteria: stars("爱国星", "守法星", "诚信星", "卫生星", "孝敬星")},
		{Code: "civilized_family", Name: "文明家庭", CandidateType: Household, Period: Year, Sheet: SheetPoints, Levels: all,
			Criteria: pts("爱国守法", 20, "家风家教", 30, "邻里和睦", 20, "移风易俗", 15, "环境卫生", 15)},
		{Code: "party_family", Name: "优秀共产党员家庭", CandidateType: Household, Period: Month, Sheet: SheetPoints, Levels: all,
			Criteria: pts("先锋作用", 40, "家风家教", 30, "服务群众", 30)},
		{Code: "honest_merchant", Name: "诚信商户", CandidateType: Merchant, Period: Quarter, Sheet: SheetPoints, Quota: 9, Levels: so, Criteria: honest},
		{Code: "honest_unit", Name: "诚信单位", CandidateType: Unit, Period: Year, Sheet: SheetPoints, Quota: 1, Levels: so, Criteria: honest},
		{Code: "honest_enterprise", Name: "诚信企业", CandidateType: Merchant, Period: Year, Sheet: SheetPoints, Quota: 3, Levels: so, Criteria: honest},
		{Code: "honest_person", Name: "诚信人物", CandidateType: Person, Period: Year, Sheet: SheetPoints, Quota: 2, Levels: all, Criteria: deeds},
		{Code: "moral_model", Name: "道德模范", CandidateType: Person, Period: Year, Sheet: SheetPoints, Levels: all, Criteria: deeds},
		{Code: "good_people", Name: "身边好人", CandidateType: Person, Period: Month, Sheet: SheetPoints, Levels: all, Criteria: deeds},
		{Code: "most_beautiful", Name: "最美湛河人", CandidateType: Person, Period: Year, Sheet: SheetPoints, Levels: all, Criteria: deeds},
	}
}

// EnsureDefaults adds the default kinds that are missing (by code).
func (s *Store) EnsureDefaults(ctx context.Context) (int, error) {
	n := 0
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, k := range DefaultKinds() {
			var c int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM selection_kind WHERE code = ?", k.Code).Scan(&c); err != nil {
				return fmt.Errorf("default kinds: %w", err)
			}
			if c > 0 {
				continue
			}
			if _, err := s.createKind(ctx, tx, k); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

const kindCols = "id, code, name, candidate_type, period, sheet, quota, levels, active FROM selection_kind"

func scanKind(r interface{ Scan(...any) error }) (Kind, error) {
	var k Kind
	var levels string
	err := r.Scan(&k.ID, &k.Code, &k.Name, &k.CandidateType, &k.Period, &k.Sheet, &k.Quota, &levels, &k.Active)
	k.Levels = strings.Split(levels, ",")
	return k, err
}

// Kinds lists the kinds with their score sheets.
func (s *Store) Kinds(ctx context.Context) ([]Kind, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+kindCols+" ORDER BY id")
	ks, err := db.Collect(rows, err, func(r *sql.Rows) (Kind, error) { return scanKind(r) })
	if err != nil {
		return nil, fmt.Errorf("kinds: %w", err)
	}
	for i := range ks {
		if ks[i].Criteria, err = s.criteria(ctx, s.DB, ks[i].ID); err != nil {
			return nil, err
		}
	}
	return ks, nil
}

// Kind returns one kind with its score sheet.
func (s *Store) Kind(ctx context.Context, id int64) (Kind, error) {
	return s.kind(ctx, s.DB, id)
}

func (s *Store) kind(ctx context.Context, c db.Conn, id int64) (Kind, error) {
	k, err := scanKind(c.QueryRow(ctx, "SELECT "+kindCols+" WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return k, apperr.NotFound("selection.kind_not_found")
	}
	if err != nil {
		return k, fmt.Errorf("kind: %w", err)
	}
	k.Criteria, err = s.criteria(ctx, c, id)
	return k, err
}

// KindByCode returns a kind by its code.
func (s *Store) KindByCode(ctx context.Context, code string) (Kind, error) {
	var id int64
	err := s.DB.QueryRow(ctx, "SELECT id FROM selection_kind WHERE code = ?", code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Kind{}, apperr.NotFound("selection.kind_not_found")
	}
	if err != nil {
		return Kind{}, fmt.Errorf("kind: %w", err)
	}
	return s.Kind(ctx, id)
}

func (s *Store) criteria(ctx context.Context, c db.Conn, kindID int64) ([]Criterion, error) {
	rows, err := c.Query(ctx, "SELECT id, name, points FROM selection_criterion WHERE kind_id = ? ORDER BY position, id", kindID)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (Criterion, error) {
		var x Criterion
		return x, r.Scan(&x.ID, &x.Name, &x.Points)
	})
	if err != nil {
		return nil, fmt.Errorf("criteria: %w", err)
	}
	return out, nil
}

// randomCode is four letters or digits of a certificate number, so that
// numbers cannot be guessed from one another.
func randomCode() string {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		panic("selection: no randomness: " + err.Error())
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)[:4]
}

func (s *Store) seal(contact string) (masked, sealed string, err error) {
	contact = strings.TrimSpace(contact)
	if contact == "" {
		return "", "", nil
	}
	masked = pii.MaskPhone(contact)
	if s.Key == nil {
		return masked, "", nil
	}
	sealed, err = s.Key.Seal(purposeContact, contact)
	if err != nil {
		return "", "", fmt.Errorf("seal contact: %w", err)
	}
	return masked, sealed, nil
}

// open returns the contact in full for the office when a key is set,
// else its masked form.
func (s *Store) open(masked, sealed string) string {
	if sealed == "" || s.Key == nil {
		return masked
	}
	plain, err := s.Key.Open(purposeContact, sealed)
	if err != nil {
		return masked
	}
	return plain
}
