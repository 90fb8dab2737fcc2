package volunteer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/pii"
)

// Volunteer states.
const (
	StateActive   = "active"
	StatePending  = "pending" // signed up on the public form, not yet taken by a team
	StateRejected = "rejected"
)

// Volunteer is a registered volunteer. The ID number itself is never read
// into this type: lists and pages show IDMasked.
type Volunteer struct {
	ID         int64
	Name       string
	IDMasked   string
	Gender     string // m, f
	BirthDate  string
	Phone      string
	RegionCode string
	Skills     string
	Political  string
	JoinedOn   string
	UserID     int64
	State      string
	Minutes    int64
	LastServed string
	Star       int // from the hours and the thresholds
}

// MaskedName is the name as lists show it.
func (v Volunteer) MaskedName() string { return pii.MaskName(v.Name) }

// MaskedPhone is the phone as lists show it.
func (v Volunteer) MaskedPhone() string { return pii.MaskPhone(v.Phone) }

// HoursText is the total hours with one decimal.
func (v Volunteer) HoursText() string { return Hours(v.Minutes) }

const volunteerCols = `v.id, v.name, v.id_masked, v.gender, v.birth_date, v.phone, v.region_code, v.skills, v.political, v.joined_on,
	COALESCE(v.user_id, 0), v.state, v.total_minutes, v.last_served_on`

func scanVolunteerInto(r interface{ Scan(...any) error }, v *Volunteer, extra ...any) error {
	return r.Scan(append([]any{&v.ID, &v.Name, &v.IDMasked, &v.Gender, &v.BirthDate, &v.Phone, &v.RegionCode, &v.Skills,
		&v.Political, &v.JoinedOn, &v.UserID, &v.State, &v.Minutes, &v.LastServed}, extra...)...)
}

// Input is a volunteer to register.
type Input struct {
	Name       string
	IDNumber   string
	Phone      string
	RegionCode string // home community
	Skills     string
	Political  string
	JoinedOn   string // YYYY-MM-DD; empty: today
	TeamID     int64  // optional: a team to join at once
	UserID     int64  // optional: the account the volunteer signs in with
}

var phonePattern = regexp.MustCompile(`^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$`)

// prepared is a checked Input with its sealed number and hash.
type prepared struct {
	Input
	id             pii.ResidentID
	sealed, hashed string
}

// idError maps an ID number's fault to its message key.
func idError(err error) string {
	switch {
	case errors.Is(err, pii.ErrIDCheck):
		return "volunteer.id_check"
	case errors.Is(err, pii.ErrIDBirth):
		return "volunteer.id_birth"
	case errors.Is(err, pii.ErrIDLength):
		return "volunteer.id_length"
	}
	return "volunteer.id_chars"
}

// check validates in and returns the message key of its first fault.
func (s *Store) check(in *Input, today time.Time) (prepared, *apperr.Error) {
	in.Name, in.Phone = strings.TrimSpace(in.Name), strings.TrimSpace(in.Phone)
	in.Skills, in.Political = strings.TrimSpace(in.Skills), strings.TrimSpace(in.Political)
	in.RegionCode, in.JoinedOn = strings.TrimSpace(in.RegionCode), strings.TrimSpace(in.JoinedOn)
	p := prepared{Input: *in}
	if n := len([]rune(in.Name)); n < 2 || n > 30 {
		return p, apperr.Invalid("volunteer.name_invalid")
	}
	id, err := pii.ParseID(in.IDNumber, today)
	if err != nil {
		return p, apperr.Invalid(idError(err))
	}
	if in.Phone != "" && !phonePattern.MatchString(in.Phone) {
		return p, apperr.Invalid("volunteer.phone_invalid")
	}
	if in.JoinedOn == "" {
		p.JoinedOn = today.Format("2006-01-02")
	} else if _, err := time.Parse("2006-01-02", in.JoinedOn); err != nil {
		return p, apperr.Invalid("volunteer.joined_invalid")
	}
	if len([]rune(in.Skills)) > 200 || len([]rune(in.Political)) > 20 {
		return p, apperr.Invalid("volunteer.text_too_long")
	}
	p.id = id
	return p, nil
}

func (s *Store) seal(p *prepared) error {
	var err error
	if p.sealed, err = s.Key.Seal(purposeID, p.id.Number); err != nil {
		return fmt.Errorf("seal ID number: %w", err)
	}
	if p.hashed, err = s.Key.Hash(purposeID, p.id.Number); err != nil {
		return fmt.Errorf("hash ID number: %w", err)
	}
	return nil
}

func (s *Store) insert(ctx context.Context, tx *db.Tx, p prepared, state string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO volunteer (name, id_sealed, id_hash, id_masked, gender, birth_date, phone, region_code, skills,
		political, joined_on, user_id, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.Name, p.sealed, p.hashed, pii.MaskID(p.id.Number), p.id.Gender(), p.id.BirthDate(), p.Phone, p.RegionCode, p.Skills,
		p.Political, p.JoinedOn, db.NullID(p.UserID), state, db.Millis(s.now())).Scan(&id)
	switch {
	case db.IsUniqueViolation(err):
		if p.UserID != 0 {
			var n int
			if e := tx.QueryRow(ctx, "SELECT COUNT(*) FROM volunteer WHERE user_id = ?", p.UserID).Scan(&n); e == nil && n > 0 {
				return 0, apperr.Conflict("volunteer.user_taken")
			}
		}
		return 0, apperr.Conflict("volunteer.duplicate_id")
	case db.IsForeignKeyViolation(err):
		return 0, apperr.Invalid("volunteer.region_unknown")
	case err != nil:
		return 0, fmt.Errorf("insert volunteer: %w", err)
	}
	return id, nil
}

// Register adds a volunteer: the office in its area, or a team's manager
// into their team.
func (s *Store) Register(ctx context.Context, a access.Actor, in Input) (int64, error) {
	if err := s.needKey(); err != nil {
		return 0, err
	}
	p, bad := s.check(&in, s.now().In(Loc()))
	if bad != nil {
		return 0, bad
	}
	if p.RegionCode == "" {
		p.RegionCode = a.Region
	}
	allowed := a.Manages(p.RegionCode)
	if in.TeamID != 0 {
		t, err := s.Team(ctx, a, in.TeamID)
		if err != nil {
			return 0, err
		}
		allowed = allowed || t.CanManage(a)
		if p.RegionCode == "" {
			p.RegionCode = t.RegionCode
		}
	}
	if !allowed || p.RegionCode == "" {
		return 0, apperr.Forbidden("volunteer.forbidden")
	}
	if err := s.seal(&p); err != nil {
		return 0, err
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if id, err = s.insert(ctx, tx, p, StateActive); err != nil {
			return err
		}
		if in.TeamID != 0 {
			return putMember(ctx, tx, in.TeamID, id, "active", s.now())
		}
		return nil
	})
	return id, err
}

// SignUp is the public form (志愿者注册): the person asks to join a team;
// the team's leader or station approves (Decide). A number already
// registered is refused without saying whose it is.
func (s *Store) SignUp(ctx context.Context, in Input) (int64, error) {
	if err := s.needKey(); err != nil {
		return 0, err
	}
	p, bad := s.check(&in, s.now().In(Loc()))
	if bad != nil {
		return 0, bad
	}
	if p.Phone == "" {
		return 0, apperr.Invalid("volunteer.phone_required")
	}
	t, err := s.team(ctx, s.DB, in.TeamID)
	if err != nil {
		return 0, apperr.Invalid("volunteer.team_required")
	}
	if p.RegionCode == "" || !access.InSubtree(p.RegionCode, t.RegionCode[:min(6, len(t.RegionCode))]) {
		p.RegionCode = t.RegionCode
	}
	p.UserID = 0
	if err := s.seal(&p); err != nil {
		return 0, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if id, err = s.insert(ctx, tx, p, StatePending); err != nil {
			return err
		}
		return putMember(ctx, tx, t.ID, id, "pending", s.now())
	})
	return id, err
}

// Filter narrows the volunteer list.
type Filter struct {
	Query      string // name (substring) or a whole ID number
	RegionCode string
	TeamID     int64
	State      string
	Offset     int
	Limit      int
}

// where builds the actor's scope and the filter's conditions.
func (s *Store) where(ctx context.Context, a access.Actor, f Filter) (string, []any, error) {
	o, err := s.Scope(ctx, a)
	if err != nil {
		return "", nil, err
	}
	var conds []string
	var args []any
	switch {
	case a.IsAdmin():
	case o.Oversees:
		c, ca := inArea("v.region_code", a.Region)
		conds, args = append(conds, c), append(args, ca...)
	case len(o.Teams) > 0:
		conds = append(conds, "v.id IN (SELECT volunteer_id FROM volunteer_member WHERE state <> 'rejected' AND team_id IN ("+
			db.Placeholders(len(o.Teams))+"))")
		for _, id := range o.Teams {
			args = append(args, id)
		}
	default:
		return "", nil, apperr.Forbidden("volunteer.forbidden")
	}
	if f.RegionCode != "" {
		c, ca := inArea("v.region_code", f.RegionCode)
		conds, args = append(conds, c), append(args, ca...)
	}
	if f.TeamID != 0 {
		conds, args = append(conds, "v.id IN (SELECT volunteer_id FROM volunteer_member WHERE team_id = ? AND state = 'active')"),
			append(args, f.TeamID)
	}
	if f.State != "" {
		conds, args = append(conds, "v.state = ?"), append(args, f.State)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if id, err := pii.ParseID(q, s.now()); err == nil && s.Key != nil {
			h, err := s.Key.Hash(purposeID, id.Number)
			if err != nil {
				return "", nil, err
			}
			conds, args = append(conds, "v.id_hash = ?"), append(args, h)
		} else {
			conds, args = append(conds, "v.name LIKE ?"), append(args, "%"+strings.NewReplacer("%", "", "_", "").Replace(q)+"%")
		}
	}
	if len(conds) == 0 {
		return "1 = 1", args, nil
	}
	return strings.Join(conds, " AND "), args, nil
}

// List returns the volunteers the actor may see, most hours first, and
// how many match.
func (s *Store) List(ctx context.Context, a access.Actor, f Filter) ([]Volunteer, int, error) {
	where, args, err := s.where(ctx, a, f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM volunteer v WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count volunteers: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	rows, err := s.DB.Query(ctx, "SELECT "+volunteerCols+" FROM volunteer v WHERE "+where+
		" ORDER BY v.total_minutes DESC, v.id LIMIT ? OFFSET ?", append(args, f.Limit, max(f.Offset, 0))...)
	list, err := db.Collect(rows, err, func(r *sql.Rows) (Volunteer, error) {
		var v Volunteer
		return v, scanVolunteerInto(r, &v)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("volunteers: %w", err)
	}
	for i := range list {
		list[i].Star = s.StarLevel(list[i].Minutes)
	}
	return list, total, nil
}

func (s *Store) get(ctx context.Context, c db.Conn, id int64) (Volunteer, error) {
	var v Volunteer
	err := scanVolunteerInto(c.QueryRow(ctx, "SELECT "+volunteerCols+" FROM volunteer v WHERE v.id = ?", id), &v)
	if errors.Is(err, sql.ErrNoRows) {
		return v, apperr.NotFound("volunteer.not_found")
	}
	if err != nil {
		return v, fmt.Errorf("volunteer: %w", err)
	}
	v.Star = s.StarLevel(v.Minutes)
	return v, nil
}

// Get returns a volunteer the actor may see: their own record, one in the
// area they oversee, or a member of a team they run.
func (s *Store) Get(ctx context.Context, a access.Actor, id int64) (Volunteer, error) {
	v, err := s.get(ctx, s.DB, id)
	if err != nil {
		return v, err
	}
	if v.UserID != 0 && v.UserID == a.UserID || a.Oversees(v.RegionCode) {
		return v, nil
	}
	o, err := s.Scope(ctx, a)
	if err != nil {
		return v, err
	}
	if len(o.Teams) > 0 {
		n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM volunteer_member WHERE volunteer_id = ? AND team_id IN ("+
			db.Placeholders(len(o.Teams))+")", append([]any{id}, int64sAny(o.Teams)...)...)
		if err != nil {
			return v, err
		}
		if n > 0 {
			return v, nil
		}
	}
	return Volunteer{}, apperr.NotFound("volunteer.not_found")
}

// Mine is the actor's own volunteer record.
func (s *Store) Mine(ctx context.Context, a access.Actor) (Volunteer, error) {
	if a.UserID <= 0 {
		return Volunteer{}, apperr.NotFound("volunteer.not_registered")
	}
	var id int64
	err := s.DB.QueryRow(ctx, "SELECT id FROM volunteer WHERE user_id = ?", a.UserID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Volunteer{}, apperr.NotFound("volunteer.not_registered")
	}
	if err != nil {
		return Volunteer{}, fmt.Errorf("own volunteer: %w", err)
	}
	return s.get(ctx, s.DB, id)
}

// Link ties a volunteer to the account they sign in with (the office of
// their area, or a manager of their team).
func (s *Store) Link(ctx context.Context, a access.Actor, volunteerID, userID int64) error {
	v, err := s.Get(ctx, a, volunteerID)
	if err != nil {
		return err
	}
	if !a.Manages(v.RegionCode) {
		return apperr.Forbidden("volunteer.forbidden")
	}
	_, err = s.DB.Exec(ctx, "UPDATE volunteer SET user_id = ? WHERE id = ?", db.NullID(userID), volunteerID)
	if db.IsUniqueViolation(err) {
		return apperr.Conflict("volunteer.user_taken")
	}
	if db.IsForeignKeyViolation(err) {
		return apperr.Invalid("volunteer.user_unknown")
	}
	return err
}

// RevealID opens a volunteer's ID number for the office of their area
// (for a certificate or a national-platform transfer); nobody else.
func (s *Store) RevealID(ctx context.Context, a access.Actor, volunteerID int64) (string, error) {
	if err := s.needKey(); err != nil {
		return "", err
	}
	v, err := s.Get(ctx, a, volunteerID)
	if err != nil {
		return "", err
	}
	if !a.Manages(v.RegionCode) {
		return "", apperr.Forbidden("volunteer.forbidden")
	}
	var sealed string
	if err := s.DB.QueryRow(ctx, "SELECT id_sealed FROM volunteer WHERE id = ?", volunteerID).Scan(&sealed); err != nil {
		return "", fmt.Errorf("reveal: %w", err)
	}
	return s.Key.Open(purposeID, sealed)
}

// TeamRef names a team a volunteer is in.
type TeamRef struct {
	ID    int64
	Name  string
	State string
}

// TeamsOf lists the teams of a volunteer.
func (s *Store) TeamsOf(ctx context.Context, volunteerID int64) ([]TeamRef, error) {
	rows, err := s.DB.Query(ctx, `SELECT t.id, t.name, m.state FROM volunteer_member m JOIN volunteer_team t ON t.id = m.team_id
		WHERE m.volunteer_id = ? AND m.state <> 'rejected' ORDER BY t.name`, volunteerID)
	return db.Collect(rows, err, func(r *sql.Rows) (TeamRef, error) {
		var t TeamRef
		return t, r.Scan(&t.ID, &t.Name, &t.State)
	})
}

func int64sAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
