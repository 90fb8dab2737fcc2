package volunteer

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// Activity states.
const (
	ActivityOpen      = "open"
	ActivityConfirmed = "confirmed" // the organiser confirmed the hours; they are in the ledger
	ActivityCancelled = "cancelled"
)

// Who may sign up.
const (
	OpenAnyone  = "anyone"
	OpenMembers = "members"
)

// Sign-up states.
const (
	SignupSigned    = "signed"
	SignupWaiting   = "waiting"
	SignupCancelled = "cancelled"
)

// Attendance as recorded.
const (
	Attended = "attended"
	NoShow   = "no_show"
	WalkIn   = "walk_in"
)

// ActivityType is a kind of activity (清洁家园, 文明劝导 …), as data.
type ActivityType struct {
	Code    string
	Name    string
	Reports bool // volunteers on it report problems (文明劝导)
}

// Types lists the activity types.
func (s *Store) Types(ctx context.Context) ([]ActivityType, error) {
	rows, err := s.DB.Query(ctx, "SELECT code, name, reports FROM volunteer_activity_type ORDER BY position, code")
	return db.Collect(rows, err, func(r *sql.Rows) (ActivityType, error) {
		var t ActivityType
		return t, r.Scan(&t.Code, &t.Name, &t.Reports)
	})
}

// Activity is a volunteer service activity.
type Activity struct {
	ID          int64
	Title       string
	Kind        string
	KindName    string
	TeamID      int64
	TeamName    string
	StationID   int64
	StationName string
	RegionCode  string
	Address     string
	Lng, Lat    float64
	RadiusM     int
	StartsAt    time.Time
	EndsAt      time.Time
	Quota       int
	OpenTo      string
	Series      int64
	State       string
	CreatedBy   int64
	Signed      int
	Waiting     int
	Reports     bool // of a type whose volunteers report problems (文明劝导)
	tokenKey    []byte
	teamLeader  int64
	teamUnit    int64
	stationUnit int64
}

// Day is the activity's date (Asia/Shanghai).
func (x Activity) Day() string { return x.StartsAt.In(Loc()).Format("2006-01-02") }

// Minutes is the activity's planned length.
func (x Activity) Minutes() int64 { return int64(x.EndsAt.Sub(x.StartsAt) / time.Minute) }

// CanOrganise reports whether the actor runs the activity: the office of
// its area, the one who made it, its team's leader or the staff of its
// team's or station's unit.
func (x Activity) CanOrganise(a access.Actor) bool {
	if !a.SignedIn() {
		return false
	}
	return a.Manages(x.RegionCode) || a.UserID == x.CreatedBy || x.teamLeader != 0 && a.UserID == x.teamLeader ||
		unitStaff(a) && (x.teamUnit != 0 && x.teamUnit == a.UnitID || x.stationUnit != 0 && x.stationUnit == a.UnitID)
}

// ActivityInput is a new activity; Repeat weekly makes Weeks activities
// a week apart (志愿服务星期六).
type ActivityInput struct {
	Title      string
	Kind       string
	TeamID     int64
	StationID  int64
	RegionCode string
	Address    string
	Lng, Lat   float64
	RadiusM    int
	StartsAt   time.Time
	EndsAt     time.Time
	Quota      int
	OpenTo     string
	Weeks      int // 0 or 1: once; up to 52
}

// CreateActivity adds an activity (or a weekly series) for a team or
// station the actor runs, or in the office's area.
func (s *Store) CreateActivity(ctx context.Context, a access.Actor, in ActivityInput) (int64, error) {
	in.Title, in.Address = strings.TrimSpace(in.Title), strings.TrimSpace(in.Address)
	switch {
	case in.Title == "" || len([]rune(in.Title)) > 80:
		return 0, apperr.Invalid("volunteer.title_invalid")
	case in.StartsAt.IsZero() || !in.EndsAt.After(in.StartsAt) || in.EndsAt.Sub(in.StartsAt) > 24*time.Hour:
		return 0, apperr.Invalid("volunteer.window_invalid")
	case in.RadiusM < 20 || in.RadiusM > 5000:
		return 0, apperr.Invalid("volunteer.radius_invalid")
	case in.Lng < 73 || in.Lng > 136 || in.Lat < 3 || in.Lat > 54:
		return 0, apperr.Invalid("volunteer.place_invalid")
	case in.Quota < 1 || in.Quota > 10000:
		return 0, apperr.Invalid("volunteer.quota_invalid")
	case in.Weeks < 0 || in.Weeks > 52:
		return 0, apperr.Invalid("volunteer.weeks_invalid")
	}
	if in.OpenTo != OpenMembers {
		in.OpenTo = OpenAnyone
	}
	var known bool
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) > 0 FROM volunteer_activity_type WHERE code = ?", in.Kind).Scan(&known); err != nil {
		return 0, fmt.Errorf("activity type: %w", err)
	}
	if !known {
		return 0, apperr.Invalid("volunteer.kind_invalid")
	}
	allowed := false
	if in.TeamID != 0 {
		t, err := s.Team(ctx, a, in.TeamID)
		if err != nil {
			return 0, err
		}
		allowed = t.CanManage(a)
		if in.RegionCode == "" {
			in.RegionCode = t.RegionCode
		}
		if in.StationID == 0 {
			in.StationID = t.StationID
		}
	} else if in.OpenTo == OpenMembers {
		return 0, apperr.Invalid("volunteer.members_need_team")
	}
	if in.StationID != 0 {
		st, err := s.Station(ctx, a, in.StationID)
		if err != nil {
			return 0, err
		}
		allowed = allowed || unitStaff(a) && st.UnitID == a.UnitID
		if in.RegionCode == "" {
			in.RegionCode = st.RegionCode
		}
	}
	if in.RegionCode == "" {
		in.RegionCode = a.Region
	}
	allowed = allowed || a.Manages(in.RegionCode)
	if !allowed || in.RegionCode == "" {
		return 0, apperr.Forbidden("volunteer.forbidden")
	}
	weeks := max(in.Weeks, 1)
	var first int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		for w := range weeks {
			key := make([]byte, 32)
			if _, err := rand.Read(key); err != nil {
				return fmt.Errorf("activity key: %w", err)
			}
			starts, ends := in.StartsAt.AddDate(0, 0, 7*w), in.EndsAt.AddDate(0, 0, 7*w)
			var series any
			if weeks > 1 && first != 0 {
				series = first
			}
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO volunteer_activity (title, kind, team_id, station_id, region_code, address, lng, lat, radius_m,
				starts_at, ends_at, quota, open_to, series, token_key, state, created_by, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id`,
				in.Title, in.Kind, db.NullID(in.TeamID), db.NullID(in.StationID), in.RegionCode, in.Address, in.Lng, in.Lat, in.RadiusM,
				db.Millis(starts), db.Millis(ends), in.Quota, in.OpenTo, series, hex.EncodeToString(key), creator(a), db.Millis(s.now())).Scan(&id)
			if db.IsForeignKeyViolation(err) {
				return apperr.Invalid("volunteer.region_unknown")
			}
			if err != nil {
				return fmt.Errorf("create activity: %w", err)
			}
			if first == 0 {
				first = id
				if weeks > 1 {
					if _, err := tx.Exec(ctx, "UPDATE volunteer_activity SET series = ? WHERE id = ?", id, id); err != nil {
						return fmt.Errorf("create activity: %w", err)
					}
				}
			}
		}
		return nil
	})
	return first, err
}

const activityCols = `x.id, x.title, x.kind, COALESCE(k.name, x.kind), COALESCE(k.reports, FALSE), COALESCE(x.team_id, 0), COALESCE(t.name, ''), COALESCE(x.station_id, 0),
	COALESCE(st.name, ''), x.region_code, x.address, x.lng, x.lat, x.radius_m, x.starts_at, x.ends_at, x.quota, x.open_to,
	COALESCE(x.series, 0), x.state, COALESCE(x.created_by, 0), x.token_key, COALESCE(t.leader_id, 0), COALESCE(t.unit_id, 0),
	COALESCE(st.unit_id, 0),
	(SELECT COUNT(*) FROM volunteer_signup g WHERE g.activity_id = x.id AND g.state = 'signed'),
	(SELECT COUNT(*) FROM volunteer_signup g WHERE g.activity_id = x.id AND g.state = 'waiting')
	FROM volunteer_activity x LEFT JOIN volunteer_activity_type k ON k.code = x.kind
	LEFT JOIN volunteer_team t ON t.id = x.team_id LEFT JOIN volunteer_station st ON st.id = x.station_id`

func scanActivity(r interface{ Scan(...any) error }) (Activity, error) {
	var x Activity
	var starts, ends int64
	var key string
	err := r.Scan(&x.ID, &x.Title, &x.Kind, &x.KindName, &x.Reports, &x.TeamID, &x.TeamName, &x.StationID, &x.StationName, &x.RegionCode, &x.Address,
		&x.Lng, &x.Lat, &x.RadiusM, &starts, &ends, &x.Quota, &x.OpenTo, &x.Series, &x.State, &x.CreatedBy, &key, &x.teamLeader,
		&x.teamUnit, &x.stationUnit, &x.Signed, &x.Waiting)
	x.StartsAt, x.EndsAt = db.FromMillis(starts), db.FromMillis(ends)
	x.tokenKey, _ = hex.DecodeString(key)
	return x, err
}

func (s *Store) activity(ctx context.Context, c db.Conn, id int64) (Activity, error) {
	x, err := scanActivity(c.QueryRow(ctx, "SELECT "+activityCols+" WHERE x.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return x, apperr.NotFound("volunteer.activity_not_found")
	}
	if err != nil {
		return x, fmt.Errorf("activity: %w", err)
	}
	return x, nil
}

// Activity returns an activity: everyone signed in may read one (a
// volunteer signs up from its page).
func (s *Store) Activity(ctx context.Context, a access.Actor, id int64) (Activity, error) {
	if !a.SignedIn() {
		return Activity{}, apperr.NotFound("volunteer.activity_not_found")
	}
	return s.activity(ctx, s.DB, id)
}

// ActivityFilter narrows the activity list.
type ActivityFilter struct {
	From, To  time.Time // starts in [From, To); zero: unbounded
	TeamID    int64
	StationID int64
	Mine      bool // only those the actor organises
	Limit     int
}

// activityScope is the condition of the activities the actor sees: those
// they organise (the office's area, their teams and stations, those they
// made), with mine false also those of the area they oversee and, for a
// volunteer, those open to them in their district and those they are on.
func (s *Store) activityScope(ctx context.Context, a access.Actor, mine bool) (string, []any, error) {
	o, err := s.Scope(ctx, a)
	if err != nil {
		return "", nil, err
	}
	var scope []string
	var args []any
	if a.IsAdmin() {
		scope = append(scope, "1 = 1")
	} else if o.Oversees && !mine || o.Manages {
		c, ca := inArea("x.region_code", a.Region)
		scope, args = append(scope, c), append(args, ca...)
	}
	if len(o.Teams) > 0 {
		scope = append(scope, "x.team_id IN ("+db.Placeholders(len(o.Teams))+")")
		args = append(args, int64sAny(o.Teams)...)
	}
	if len(o.Stations) > 0 {
		scope = append(scope, "x.station_id IN ("+db.Placeholders(len(o.Stations))+")")
		args = append(args, int64sAny(o.Stations)...)
	}
	if a.UserID > 0 {
		scope, args = append(scope, "x.created_by = ?"), append(args, a.UserID)
	}
	if o.Volunteer != 0 && !mine {
		v, err := s.get(ctx, s.DB, o.Volunteer)
		if err != nil {
			return "", nil, err
		}
		district, dargs := inArea("x.region_code", v.RegionCode[:min(6, len(v.RegionCode))])
		scope = append(scope, `(x.open_to = 'anyone' AND `+district+`)
			OR x.team_id IN (SELECT team_id FROM volunteer_member WHERE volunteer_id = ? AND state = 'active')
			OR x.id IN (SELECT activity_id FROM volunteer_signup WHERE volunteer_id = ?)`)
		args = append(append(args, dargs...), o.Volunteer, o.Volunteer)
	}
	if len(scope) == 0 {
		return "", nil, nil
	}
	return "(" + strings.Join(scope, " OR ") + ")", args, nil
}

// Activities lists activities, soonest first: those the actor organises or
// oversees, and for a volunteer those open to them.
func (s *Store) Activities(ctx context.Context, a access.Actor, f ActivityFilter) ([]Activity, error) {
	where, args, err := s.activityScope(ctx, a, f.Mine)
	if err != nil || where == "" {
		return nil, err
	}
	if !f.From.IsZero() {
		where, args = where+" AND x.starts_at >= ?", append(args, db.Millis(f.From))
	}
	if !f.To.IsZero() {
		where, args = where+" AND x.starts_at < ?", append(args, db.Millis(f.To))
	}
	if f.TeamID != 0 {
		where, args = where+" AND x.team_id = ?", append(args, f.TeamID)
	}
	if f.StationID != 0 {
		where, args = where+" AND x.station_id = ?", append(args, f.StationID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	rows, err := s.DB.Query(ctx, "SELECT "+activityCols+" WHERE "+where+" ORDER BY x.starts_at, x.id LIMIT ?", append(args, f.Limit)...)
	list, err := db.Collect(rows, err, func(r *sql.Rows) (Activity, error) { return scanActivity(r) })
	if err != nil {
		return nil, fmt.Errorf("activities: %w", err)
	}
	return list, nil
}

// ToConfirm counts the activities the actor organises that have ended and
// wait for their hours to be confirmed, and lists the latest few.
func (s *Store) ToConfirm(ctx context.Context, a access.Actor, limit int) (int, []Activity, error) {
	where, args, err := s.activityScope(ctx, a, true)
	if err != nil || where == "" {
		return 0, nil, err
	}
	where, args = where+" AND x.state = 'open' AND x.ends_at <= ?", append(args, db.Millis(s.now()))
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM volunteer_activity x WHERE "+where, args...).Scan(&n); err != nil {
		return 0, nil, fmt.Errorf("activities to confirm: %w", err)
	}
	if n == 0 {
		return 0, nil, nil
	}
	rows, err := s.DB.Query(ctx, "SELECT "+activityCols+" WHERE "+where+" ORDER BY x.ends_at DESC, x.id DESC LIMIT ?", append(args, limit)...)
	list, err := db.Collect(rows, err, func(r *sql.Rows) (Activity, error) { return scanActivity(r) })
	if err != nil {
		return 0, nil, fmt.Errorf("activities to confirm: %w", err)
	}
	return n, list, nil
}

// Signup is one volunteer's place on an activity.
type Signup struct {
	ID          int64
	ActivityID  int64
	VolunteerID int64
	Name        string
	Phone       string
	State       string
	SignedAt    time.Time
	Attendance  string
	Source      string
	CheckinAt   time.Time
	CheckinM    float64
	CheckoutAt  time.Time
	Minutes     int64 // set by hand; -1 when not set
	Credited    int64 // in the ledger for this activity
}

// Worked is the minutes the sign-up earns: as set by hand, else from
// check-in to check-out inside the activity's window, else (attended by
// the organiser's word) the planned length.
func (g Signup) Worked(x Activity) int64 {
	switch {
	case g.Minutes >= 0:
		return g.Minutes
	case !g.CheckinAt.IsZero() && !g.CheckoutAt.IsZero():
		from, to := g.CheckinAt, g.CheckoutAt
		if from.Before(x.StartsAt) {
			from = x.StartsAt
		}
		if to.After(x.EndsAt) {
			to = x.EndsAt
		}
		return max(0, int64(to.Sub(from)/time.Minute))
	case !g.CheckinAt.IsZero():
		return 0 // checked in, never out: the organiser decides
	case g.Attendance == Attended || g.Attendance == WalkIn:
		return x.Minutes()
	}
	return 0
}

// Signups lists an activity's sign-ups for its organiser, in queue order.
func (s *Store) Signups(ctx context.Context, a access.Actor, activityID int64) ([]Signup, error) {
	x, err := s.Activity(ctx, a, activityID)
	if err != nil {
		return nil, err
	}
	if !x.CanOrganise(a) && !a.Oversees(x.RegionCode) {
		return nil, apperr.Forbidden("volunteer.not_organiser")
	}
	return s.signups(ctx, s.DB, activityID, 0)
}

func (s *Store) signups(ctx context.Context, c db.Conn, activityID, volunteerID int64) ([]Signup, error) {
	q := `SELECT g.id, g.activity_id, g.volunteer_id, v.name, v.phone, g.state, g.signed_at, g.attendance, g.source,
		COALESCE(g.checkin_at, 0), COALESCE(g.checkin_m, 0), COALESCE(g.checkout_at, 0), COALESCE(g.minutes, -1),
		COALESCE((SELECT SUM(h.minutes) FROM volunteer_hours h WHERE h.activity_id = g.activity_id AND h.volunteer_id = g.volunteer_id), 0)
		FROM volunteer_signup g JOIN volunteer v ON v.id = g.volunteer_id WHERE g.activity_id = ?`
	args := []any{activityID}
	if volunteerID != 0 {
		q, args = q+" AND g.volunteer_id = ?", append(args, volunteerID)
	}
	rows, err := c.Query(ctx, q+` ORDER BY CASE g.state WHEN 'signed' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END, g.signed_at, g.id`, args...)
	return db.Collect(rows, err, func(r *sql.Rows) (Signup, error) {
		var g Signup
		var signed, in, out int64
		err := r.Scan(&g.ID, &g.ActivityID, &g.VolunteerID, &g.Name, &g.Phone, &g.State, &signed, &g.Attendance, &g.Source, &in,
			&g.CheckinM, &out, &g.Minutes, &g.Credited)
		g.SignedAt = db.FromMillis(signed)
		if in > 0 {
			g.CheckinAt = db.FromMillis(in)
		}
		if out > 0 {
			g.CheckoutAt = db.FromMillis(out)
		}
		return g, err
	})
}

// MySignup is the actor's own sign-up for an activity (ok false: none).
func (s *Store) MySignup(ctx context.Context, a access.Actor, activityID int64) (Signup, bool, error) {
	v, err := s.Mine(ctx, a)
	if err != nil {
		return Signup{}, false, nil
	}
	list, err := s.signups(ctx, s.DB, activityID, v.ID)
	if err != nil || len(list) == 0 {
		return Signup{}, false, err
	}
	return list[0], true, nil
}

// SignUpFor puts the actor (a registered volunteer) on an activity: on
// the list while there is room, else on the waiting list. Refused for an
// activity past, cancelled, for members only, or overlapping another of
// theirs.
func (s *Store) SignUpFor(ctx context.Context, a access.Actor, activityID int64) (string, error) {
	v, err := s.Mine(ctx, a)
	if err != nil {
		return "", err
	}
	if v.State != StateActive {
		return "", apperr.Forbidden("volunteer.not_active")
	}
	var state string
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		// The activity row is locked so that two sign-ups for the last
		// place are counted one after the other.
		var quota int
		var starts, ends int64
		var status, openTo string
		var team sql.NullInt64
		err := tx.QueryRow(ctx, "SELECT quota, starts_at, ends_at, state, open_to, team_id FROM volunteer_activity WHERE id = ?"+tx.ForUpdate(),
			activityID).Scan(&quota, &starts, &ends, &status, &openTo, &team)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("volunteer.activity_not_found")
		}
		if err != nil {
			return fmt.Errorf("sign up: %w", err)
		}
		if status != ActivityOpen || db.Millis(s.now()) >= ends {
			return apperr.Conflict("volunteer.signup_closed")
		}
		if openTo == OpenMembers {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM volunteer_member WHERE team_id = ? AND volunteer_id = ? AND state = 'active'",
				team.Int64, v.ID).Scan(&n); err != nil {
				return fmt.Errorf("sign up: %w", err)
			}
			if n == 0 {
				return apperr.Forbidden("volunteer.members_only")
			}
		}
		var prev string
		err = tx.QueryRow(ctx, "SELECT state FROM volunteer_signup WHERE activity_id = ? AND volunteer_id = ?", activityID, v.ID).Scan(&prev)
		if err == nil && prev != SignupCancelled {
			return apperr.Conflict("volunteer.signup_twice")
		}
		var clash string
		err = tx.QueryRow(ctx, `SELECT x.title FROM volunteer_signup g JOIN volunteer_activity x ON x.id = g.activity_id
			WHERE g.volunteer_id = ? AND g.state IN ('signed', 'waiting') AND x.state <> 'cancelled' AND x.id <> ?
			AND x.starts_at < ? AND x.ends_at > ? LIMIT 1`, v.ID, activityID, ends, starts).Scan(&clash)
		if err == nil {
			return apperr.Conflict("volunteer.signup_overlaps", clash)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sign up: %w", err)
		}
		var signed int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM volunteer_signup WHERE activity_id = ? AND state = 'signed'", activityID).Scan(&signed); err != nil {
			return fmt.Errorf("sign up: %w", err)
		}
		state = SignupSigned
		if signed >= quota {
			state = SignupWaiting
		}
		now := db.Millis(s.now())
		if prev == SignupCancelled {
			_, err = tx.Exec(ctx, "UPDATE volunteer_signup SET state = ?, signed_at = ? WHERE activity_id = ? AND volunteer_id = ?",
				state, now, activityID, v.ID)
		} else {
			_, err = tx.Exec(ctx, "INSERT INTO volunteer_signup (activity_id, volunteer_id, state, signed_at) VALUES (?, ?, ?, ?)",
				activityID, v.ID, state, now)
		}
		if err != nil {
			return fmt.Errorf("sign up: %w", err)
		}
		return nil
	})
	return state, err
}

// Cancel takes the actor off an activity before it starts; the first on
// the waiting list moves up.
func (s *Store) Cancel(ctx context.Context, a access.Actor, activityID int64) error {
	v, err := s.Mine(ctx, a)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var starts int64
		var quota int
		err := tx.QueryRow(ctx, "SELECT starts_at, quota FROM volunteer_activity WHERE id = ?"+tx.ForUpdate(), activityID).Scan(&starts, &quota)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("volunteer.activity_not_found")
		}
		if err != nil {
			return fmt.Errorf("cancel: %w", err)
		}
		if db.Millis(s.now()) >= starts {
			return apperr.Conflict("volunteer.cancel_too_late")
		}
		res, err := tx.Exec(ctx, "UPDATE volunteer_signup SET state = 'cancelled' WHERE activity_id = ? AND volunteer_id = ? AND state IN ('signed', 'waiting') AND checkin_at IS NULL",
			activityID, v.ID)
		if err != nil {
			return fmt.Errorf("cancel: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("volunteer.not_signed_up")
		}
		return promote(ctx, tx, activityID, quota)
	})
}

// promote moves the first on the waiting list up while there is room.
func promote(ctx context.Context, tx *db.Tx, activityID int64, quota int) error {
	var signed int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM volunteer_signup WHERE activity_id = ? AND state = 'signed'", activityID).Scan(&signed); err != nil {
		return fmt.Errorf("waiting list: %w", err)
	}
	if signed >= quota {
		return nil
	}
	ids, err := db.Int64s(ctx, tx, "SELECT id FROM volunteer_signup WHERE activity_id = ? AND state = 'waiting' ORDER BY signed_at, id LIMIT ?",
		activityID, quota-signed)
	if err != nil {
		return fmt.Errorf("waiting list: %w", err)
	}
	for _, id := range ids {
		if _, err := tx.Exec(ctx, "UPDATE volunteer_signup SET state = 'signed' WHERE id = ?", id); err != nil {
			return fmt.Errorf("waiting list: %w", err)
		}
	}
	return nil
}

// Attendance is the organiser's word on one volunteer: attended, no-show
// or walk-in (someone who came without signing up), with the minutes when
// they differ from the plan (-1: as checked in, or the plan).
type Attendance struct {
	ActivityID  int64
	VolunteerID int64
	Mark        string
	Minutes     int64
}

// Record stores the organiser's attendance mark before the hours are
// confirmed.
func (s *Store) Record(ctx context.Context, a access.Actor, in Attendance) error {
	x, err := s.Activity(ctx, a, in.ActivityID)
	if err != nil {
		return err
	}
	if !x.CanOrganise(a) {
		return apperr.Forbidden("volunteer.not_organiser")
	}
	if x.State != ActivityOpen {
		return apperr.Conflict("volunteer.already_confirmed")
	}
	if in.Mark != Attended && in.Mark != NoShow && in.Mark != WalkIn {
		return apperr.Invalid("volunteer.mark_invalid")
	}
	if in.Minutes < -1 || in.Minutes > 24*60 {
		return apperr.Invalid("volunteer.minutes_invalid")
	}
	var minutes any
	if in.Minutes >= 0 {
		minutes = in.Minutes
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := s.get(ctx, tx, in.VolunteerID); err != nil {
			return err
		}
		// A check-in stays the source unless the organiser changes the
		// minutes or marks a no-show.
		keepCheckin := in.Mark != NoShow && in.Minutes < 0
		res, err := tx.Exec(ctx, `UPDATE volunteer_signup SET attendance = ?, minutes = ?,
			source = CASE WHEN source = 'checkin' AND ? THEN 'checkin' ELSE 'organiser' END,
			state = CASE WHEN state = 'cancelled' AND ? THEN 'signed' ELSE state END
			WHERE activity_id = ? AND volunteer_id = ?`, in.Mark, minutes, keepCheckin, in.Mark == WalkIn, in.ActivityID, in.VolunteerID)
		if err != nil {
			return fmt.Errorf("attendance: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		if in.Mark != WalkIn {
			return apperr.Invalid("volunteer.not_signed_up_walkin")
		}
		_, err = tx.Exec(ctx, `INSERT INTO volunteer_signup (activity_id, volunteer_id, state, signed_at, attendance, source, minutes)
			VALUES (?, ?, 'signed', ?, 'walk_in', 'organiser', ?)`, in.ActivityID, in.VolunteerID, db.Millis(s.now()), minutes)
		if err != nil {
			return fmt.Errorf("walk-in: %w", err)
		}
		return nil
	})
}

// Confirm credits the activity's hours to the ledger, once, after it
// ended: one entry per volunteer who attended, with where the attendance
// came from.
func (s *Store) Confirm(ctx context.Context, a access.Actor, activityID int64) (int, error) {
	x, err := s.Activity(ctx, a, activityID)
	if err != nil {
		return 0, err
	}
	if !x.CanOrganise(a) {
		return 0, apperr.Forbidden("volunteer.not_organiser")
	}
	if s.now().Before(x.EndsAt) {
		return 0, apperr.Conflict("volunteer.confirm_too_early")
	}
	var n int
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE volunteer_activity SET state = 'confirmed', confirmed_by = ?, confirmed_at = ? WHERE id = ? AND state = 'open'",
			creator(a), db.Millis(s.now()), activityID)
		if err != nil {
			return fmt.Errorf("confirm: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return apperr.Conflict("volunteer.already_confirmed")
		}
		list, err := s.signups(ctx, tx, activityID, 0)
		if err != nil {
			return err
		}
		var entries []entry
		for _, g := range list {
			if g.State != SignupSigned || g.Attendance == NoShow {
				continue
			}
			m := g.Worked(x)
			if m <= 0 {
				continue
			}
			src := g.Source
			if src == "" {
				src = SourceOrganiser
			}
			entries = append(entries, entry{volunteer: g.VolunteerID, activity: x.ID, minutes: m, source: src, servedOn: x.Day(),
				kind: x.Kind, team: x.TeamID, station: x.StationID, region: x.RegionCode})
		}
		n = len(entries)
		return s.credit(ctx, tx, a, entries)
	})
	return n, err
}

// WorkedText is Worked as hours.
func (g Signup) WorkedText(x Activity) string { return Hours(g.Worked(x)) }

// CreditedText is the ledger's hours for the sign-up.
func (g Signup) CreditedText() string { return Hours(g.Credited) }
