package bulletin

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/notice"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

// MaxScopeUnits bounds a group scope.
const MaxScopeUnits = 500

// Request asks for a bulletin: a region subtree or a group of units, and a
// period (from ParsePeriod).
type Request struct {
	Region string
	Units  []int64
	Period Period
	Title  string // optional; "" gives the standard title
}

// resolved is a checked request.
type resolved struct {
	scope        Scope
	period       Period
	title        string
	issuerRegion string
	issuerUnit   int64
	issuerName   string
}

// resolve checks a request against what the actor may see: the office,
// leaders and administrators compose bulletins of scopes inside their
// jurisdiction; anything else is refused with a reason.
func (s *Store) resolve(ctx context.Context, a access.Actor, req Request) (resolved, error) {
	var r resolved
	if !a.SignedIn() {
		return r, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	if !a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader) {
		return r, apperr.Forbidden("bulletin.compose_forbidden")
	}
	p, err := ParsePeriod(req.Period.Kind, req.Period.From, req.Period.To)
	if err != nil {
		return r, err
	}
	r.period = p
	r.title = strings.TrimSpace(req.Title)
	if utf8.RuneCountInString(r.title) > 100 {
		return r, apperr.Invalid("bulletin.title_too_long", 100)
	}
	area := strings.TrimSpace(req.Region)
	switch {
	case area != "" && len(req.Units) > 0:
		return r, apperr.Invalid("bulletin.scope_ambiguous")
	case area == "" && len(req.Units) == 0:
		return r, apperr.Invalid("bulletin.scope_required")
	case len(req.Units) > MaxScopeUnits:
		return r, apperr.Invalid("bulletin.scope_too_many", MaxScopeUnits)
	}
	if area != "" {
		names, err := region.Names(ctx, s.DB, []string{area})
		if err != nil {
			return r, err
		}
		name, known := names[area]
		if !known {
			return r, apperr.Invalid("bulletin.scope_region_unknown", area)
		}
		r.scope.RegionName = name
		if !oversees(a, area) {
			return r, apperr.Forbidden("bulletin.scope_forbidden", r.scope.RegionName)
		}
		r.scope.Region = area
	} else {
		units, err := org.UnitInfos(ctx, s.DB, req.Units)
		if err != nil {
			return r, err
		}
		seen := map[int64]bool{}
		for _, id := range req.Units {
			if seen[id] {
				continue
			}
			seen[id] = true
			u, known := units[id]
			if !known {
				return r, apperr.Invalid("bulletin.scope_unit_unknown", id)
			}
			if !oversees(a, u.RegionCode) {
				return r, apperr.Forbidden("bulletin.scope_forbidden", u.Name)
			}
			r.scope.Units = append(r.scope.Units, id)
			r.scope.UnitNames = append(r.scope.UnitNames, u.Name)
		}
	}
	r.issuerRegion = a.Region
	if r.issuerRegion == "" {
		r.issuerRegion = r.scope.Region
	}
	if a.UnitID != 0 {
		names, err := org.UnitNames(ctx, s.DB, []int64{a.UnitID})
		if err != nil {
			return r, fmt.Errorf("issuer unit: %w", err)
		}
		r.issuerName = names[a.UnitID]
		r.issuerUnit = a.UnitID
	}
	return r, nil
}

// mayIssue: the office (or an administrator) of the scope issues; leaders
// only look.
func mayIssue(a access.Actor, sc Scope) bool {
	if a.IsAdmin() {
		return true
	}
	if !a.Has(access.RoleOffice) {
		return false
	}
	if sc.IsUnits() {
		return a.Region != ""
	}
	return a.Manages(sc.Region)
}

// Preview computes a draft bulletin now, without storing or numbering it.
func (s *Store) Preview(ctx context.Context, a access.Actor, req Request) (*Bulletin, error) {
	r, err := s.resolve(ctx, a, req)
	if err != nil {
		return nil, err
	}
	cfg, err := s.LoadConfig(ctx, r.issuerRegion)
	if err != nil {
		return nil, err
	}
	ct, err := s.build(ctx, r.scope, r.period, cfg, s.now())
	if err != nil {
		return nil, err
	}
	return &Bulletin{Draft: true, IssuerRegion: r.issuerRegion, IssuerUnitID: r.issuerUnit, IssuerName: r.issuerName,
		Title: r.title, Content: ct}, nil
}

// Issue computes the bulletin, freezes its figures and numbers it.
func (s *Store) Issue(ctx context.Context, a access.Actor, req Request) (*Bulletin, error) {
	return s.issue(ctx, a, req, 0)
}

// Reissue issues a bulletin again for the same scope and period with the
// figures of now, under a new number; the old one stays as it was.
func (s *Store) Reissue(ctx context.Context, a access.Actor, id int64) (*Bulletin, error) {
	old, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return s.issue(ctx, a, Request{Region: old.Scope.Region, Units: old.Scope.Units, Period: old.Period, Title: old.Title}, id)
}

func (s *Store) issue(ctx context.Context, a access.Actor, req Request, reissueOf int64) (*Bulletin, error) {
	r, err := s.resolve(ctx, a, req)
	if err != nil {
		return nil, err
	}
	if !mayIssue(a, r.scope) {
		return nil, apperr.Forbidden("bulletin.issue_forbidden")
	}
	cfg, err := s.LoadConfig(ctx, r.issuerRegion)
	if err != nil {
		return nil, err
	}
	now := s.now()
	ct, err := s.build(ctx, r.scope, r.period, cfg, now)
	if err != nil {
		return nil, err
	}
	b := &Bulletin{IssuerRegion: r.issuerRegion, IssuerUnitID: r.issuerUnit, IssuerName: r.issuerName, Title: r.title,
		IssuedAt: now, IssuedBy: a.UserID, ReissueOf: reissueOf, Content: ct}
	if a.UserID <= 0 {
		b.IssuedBy = 0
	}
	if _, err := s.insert(ctx, b, nil); err != nil {
		return nil, err
	}
	return s.Get(ctx, a, b.ID)
}

// errNotClaimed stops an insert whose schedule run another server took.
var errNotClaimed = errors.New("schedule run already claimed")

// insert stores an issued bulletin under the next number of its office and
// year. claim, when set, runs first in the same transaction and may decline
// (a schedule run another server took). Two offices' clerks issuing at once
// cannot share a number: the unique constraint refuses the second, which
// tries the next number.
func (s *Store) insert(ctx context.Context, b *Bulletin, claim func(tx *db.Tx) (bool, error)) (bool, error) {
	body, err := json.Marshal(b.Content)
	if err != nil {
		return false, fmt.Errorf("bulletin body: %w", err)
	}
	b.IssuedAt = b.IssuedAt.UTC().Truncate(time.Millisecond)
	b.Year = b.IssuedAt.In(calendar.Shanghai()).Year()
	unitIDs := map[int64]bool{}
	for _, g := range b.Groups {
		for _, u := range g.Units {
			unitIDs[u.UnitID] = true
		}
	}
	for _, id := range b.Scope.Units {
		unitIDs[id] = true
	}
	units := make([]string, len(b.Scope.Units))
	for i, id := range b.Scope.Units {
		units[i] = strconv.FormatInt(id, 10)
	}
	scopeName := b.Scope.RegionName
	if b.Scope.IsUnits() {
		scopeName = strings.Join(b.Scope.UnitNames[:min(3, len(b.Scope.UnitNames))], "、")
	}
	t := s.T
	if t == nil {
		cat, err := i18n.Load(noticeLang)
		if err != nil {
			return false, fmt.Errorf("bulletin notice: %w", err)
		}
		t = cat.T
	}
	for attempt := 0; ; attempt++ {
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			if claim != nil {
				ok, err := claim(tx)
				if err != nil {
					return err
				}
				if !ok {
					return errNotClaimed
				}
			}
			if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM bulletin WHERE region_code = ? AND year = ?",
				b.IssuerRegion, b.Year).Scan(&b.Seq); err != nil {
				return fmt.Errorf("next bulletin number: %w", err)
			}
			err := tx.QueryRow(ctx, `INSERT INTO bulletin (region_code, issuer_unit_id, issuer_name, year, seq, title, scope_region,
				scope_units, scope_name, period_kind, period_from, period_to, body, issued_at, issued_by, schedule_id, reissue_of)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				b.IssuerRegion, db.NullID(b.IssuerUnitID), b.IssuerName, b.Year, b.Seq, b.Title, b.Scope.Region,
				strings.Join(units, ","), scopeName, b.Period.Kind, b.Period.From, b.Period.To, string(body),
				db.Millis(b.IssuedAt), db.NullID(b.IssuedBy), db.NullID(b.ScheduleID), db.NullID(b.ReissueOf)).Scan(&b.ID)
			if err != nil {
				return err
			}
			for id := range unitIDs {
				if _, err := tx.Exec(ctx, "INSERT INTO bulletin_unit (bulletin_id, unit_id) VALUES (?, ?)", b.ID, id); err != nil {
					return fmt.Errorf("bulletin units: %w", err)
				}
			}
			if err := notifyIssued(ctx, tx, b, t); err != nil {
				return err
			}
			if s.Issued != nil {
				return s.Issued(ctx, tx, b)
			}
			return nil
		})
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, errNotClaimed):
			return false, nil
		case db.IsUniqueViolation(err) && attempt < 8:
			continue
		}
		return false, fmt.Errorf("issue bulletin: %w", err)
	}
}

// NoticeIssued is the kind of the notification an issued bulletin sends
// (通报下发提醒); its arguments are the number and the title.
const NoticeIssued = "bulletin_issued"

// noticeLang is the language the notification's number and title are
// written in: like the figures, they are kept as they were at issue.
const noticeLang = "zh-CN"

// notifyIssued tells, in the transaction that stores the bulletin, the
// handlers of every unit it lists (bulletin_unit, written just before) and
// the leaders whose jurisdiction holds its scope — for a group of units,
// the issuing office's jurisdiction — that it is out, one notification
// per person however many ways they qualify; disabled accounts are left
// out (org decides who they are). Each of them can open the bulletin
// (canSee).
func notifyIssued(ctx context.Context, tx *db.Tx, b *Bulletin, t T) error {
	area := b.Scope.Region
	if b.Scope.IsUnits() {
		area = b.IssuerRegion
	}
	listed, err := db.Int64s(ctx, tx, "SELECT unit_id FROM bulletin_unit WHERE bulletin_id = ?", b.ID)
	if err != nil {
		return fmt.Errorf("bulletin notice: %w", err)
	}
	handlers, err := org.ActiveUsersOfUnits(ctx, tx, listed, access.RoleHandler)
	if err != nil {
		return fmt.Errorf("bulletin notice: %w", err)
	}
	leaders, err := org.ActiveUsersGoverning(ctx, tx, area, access.RoleLeader)
	if err != nil {
		return fmt.Errorf("bulletin notice: %w", err)
	}
	// One notification per person, however many ways they qualify.
	users := append(handlers, leaders...)
	slices.Sort(users)
	users = slices.Compact(users)
	return notice.Add(ctx, tx, notice.Message{Users: users, BulletinID: b.ID, Kind: NoticeIssued,
		Args: []string{b.NumberText(t), b.TitleText(t)}, At: b.IssuedAt})
}

const bulletinColumns = `b.id, b.region_code, COALESCE(b.issuer_unit_id, 0), b.issuer_name, b.year, b.seq, b.title,
	b.scope_region, b.scope_units, b.scope_name, b.period_kind, b.period_from, b.period_to, b.issued_at, COALESCE(b.issued_by, 0),
	COALESCE(b.schedule_id, 0), COALESCE(b.reissue_of, 0)`

func scanSummary(sc interface{ Scan(...any) error }, b *Bulletin, extra ...any) error {
	var units, scopeName string
	var issued int64
	err := sc.Scan(append([]any{&b.ID, &b.IssuerRegion, &b.IssuerUnitID, &b.IssuerName, &b.Year, &b.Seq, &b.Title, &b.Scope.Region, &units,
		&scopeName, &b.Period.Kind, &b.Period.From, &b.Period.To, &issued, &b.IssuedBy, &b.ScheduleID, &b.ReissueOf}, extra...)...)
	if err != nil {
		return err
	}
	b.IssuedAt = db.FromMillis(issued)
	if b.Scope.Region != "" {
		b.Scope.RegionName = scopeName
	} else {
		for _, u := range strings.Split(units, ",") {
			if id, err := strconv.ParseInt(u, 10, 64); err == nil {
				b.Scope.Units = append(b.Scope.Units, id)
			}
		}
		if scopeName != "" {
			b.Scope.UnitNames = strings.Split(scopeName, "、")
		}
	}
	return nil
}

// Get returns an issued bulletin the actor may see, with its figures as
// they were frozen; anything else looks missing.
func (s *Store) Get(ctx context.Context, a access.Actor, id int64) (*Bulletin, error) {
	if !a.SignedIn() {
		return nil, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	var b Bulletin
	var body string
	row := s.DB.QueryRow(ctx, "SELECT "+bulletinColumns+", b.body FROM bulletin b WHERE b.id = ?", id)
	err := scanSummary(row, &b, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("bulletin.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("read bulletin %d: %w", id, err)
	}
	if b.IssuedBy != 0 {
		names, err := org.DisplayNames(ctx, s.DB, []int64{b.IssuedBy})
		if err != nil {
			return nil, err
		}
		b.IssuedByName = names[b.IssuedBy]
	}
	if err := json.Unmarshal([]byte(body), &b.Content); err != nil {
		return nil, fmt.Errorf("bulletin %d body: %w", id, err)
	}
	listed := false
	if a.UnitID != 0 {
		var n int
		if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM bulletin_unit WHERE bulletin_id = ? AND unit_id = ?", id, a.UnitID).Scan(&n); err != nil {
			return nil, fmt.Errorf("bulletin units: %w", err)
		}
		listed = n > 0
	}
	if !canSee(a, &b, listed) {
		return nil, apperr.NotFound("bulletin.not_found")
	}
	err = s.DB.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM bulletin WHERE reissue_of = ?", id).Scan(&b.ReissuedAs)
	if err != nil {
		return nil, fmt.Errorf("bulletin %d: %w", id, err)
	}
	return &b, nil
}

// staff are the roles that see bulletins of the region they work in;
// overseers also see those of every scope inside their jurisdiction.
var (
	staff     = []access.Role{access.RoleOffice, access.RoleLeader, access.RoleHandler, access.RoleInspector}
	overseers = []access.Role{access.RoleOffice, access.RoleLeader, access.RoleInspector}
)

// canSee is the read scope of an issued bulletin: administrators all; the
// office, leaders and inspectors those of scopes inside their jurisdiction
// and those their office issued; staff those whose scope holds the region they work
// in; every unit those that name it.
func canSee(a access.Actor, b *Bulletin, listed bool) bool {
	switch {
	case !a.SignedIn():
		return false
	case a.IsAdmin(), listed:
		return true
	case a.HasAny(overseers...) && a.Region != "" &&
		((b.Scope.Region != "" && access.InSubtree(b.Scope.Region, a.Region)) || access.InSubtree(b.IssuerRegion, a.Region)):
		return true
	case a.HasAny(staff...) && a.Region != "" && b.Scope.Region != "" && access.InSubtree(a.Region, b.Scope.Region):
		return true
	}
	return false
}

// visibleSQL mirrors canSee for bulletin rows (alias b).
func visibleSQL(a access.Actor) (string, []any) {
	if a.IsAdmin() {
		return "1 = 1", nil
	}
	var parts []string
	var args []any
	if a.HasAny(overseers...) && a.Region != "" {
		parts = append(parts, "(b.scope_region <> '' AND substr(b.scope_region, 1, ?) = ?)", "substr(b.region_code, 1, ?) = ?")
		args = append(args, len(a.Region), a.Region, len(a.Region), a.Region)
	}
	if a.HasAny(staff...) && a.Region != "" {
		parts = append(parts, "(b.scope_region <> '' AND substr(CAST(? AS TEXT), 1, length(b.scope_region)) = b.scope_region)")
		args = append(args, a.Region)
	}
	if a.UnitID != 0 {
		parts = append(parts, "EXISTS (SELECT 1 FROM bulletin_unit bu WHERE bu.bulletin_id = b.id AND bu.unit_id = ?)")
		args = append(args, a.UnitID)
	}
	if len(parts) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// List returns one page of the issued bulletins the actor may see, newest
// first, and how many there are.
func (s *Store) List(ctx context.Context, a access.Actor, offset, limit int) ([]Summary, int, error) {
	if !a.SignedIn() {
		return nil, 0, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	where, args := visibleSQL(a)
	var total int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM bulletin b WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count bulletins: %w", err)
	}
	if limit <= 0 || limit > 200 {
		limit = 20
	}
	rows, err := s.DB.Query(ctx, "SELECT "+bulletinColumns+" FROM bulletin b WHERE "+where+" ORDER BY b.issued_at DESC, b.id DESC LIMIT ? OFFSET ?",
		append(args, limit, max(offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("list bulletins: %w", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		var b Bulletin
		if err := scanSummary(rows, &b); err != nil {
			return nil, 0, fmt.Errorf("list bulletins: %w", err)
		}
		out = append(out, Summary{ID: b.ID, Year: b.Year, Seq: b.Seq, Title: b.Title, IssuerName: b.IssuerName, Scope: b.Scope,
			Period: b.Period, IssuedAt: b.IssuedAt, Scheduled: b.ScheduleID != 0, ReissueOf: b.ReissueOf})
	}
	return out, total, rows.Err()
}
