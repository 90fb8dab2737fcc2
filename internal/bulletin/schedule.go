package bulletin

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

// Schedule issues a bulletin by itself: every day, every week on a weekday
// or every month on a day, at a time of day (Asia/Shanghai), for the period
// just past — the day before, the last full week (Monday to Sunday), the
// month before.
type Schedule struct {
	ID           int64
	Region       string // the issuing office's jurisdiction
	IssuerUnitID int64
	ScopeRegion  string
	ScopeName    string
	Kind         string // day, week, month
	Weekday      int    // 1 Monday … 7 Sunday
	Monthday     int    // 1 … 28
	Hour, Minute int
	Enabled      bool
	LastRunKey   string
	LastRunAt    time.Time
	CreatedAt    time.Time
}

// ScheduleInput is a new schedule.
type ScheduleInput struct {
	ScopeRegion  string
	Kind         string
	Weekday      int
	Monthday     int
	Hour, Minute int
}

// Due returns the latest moment at or before now when the schedule was due,
// and the period it issues then.
func (sc Schedule) Due(now time.Time) (time.Time, Period) {
	loc := calendar.Shanghai()
	local := now.In(loc)
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, sc.Hour, sc.Minute, 0, 0, loc) }
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	switch sc.Kind {
	case PeriodWeek:
		iso := (int(local.Weekday())+6)%7 + 1
		due := at(local.Year(), local.Month(), local.Day()-(iso-sc.Weekday+7)%7)
		if due.After(local) {
			due = due.AddDate(0, 0, -7)
		}
		// The last full week before the week the run falls in.
		return due, weekPeriod(day(due).AddDate(0, 0, -7))
	case PeriodMonth:
		due := at(local.Year(), local.Month(), sc.Monthday)
		if due.After(local) {
			due = at(local.Year(), local.Month()-1, sc.Monthday)
		}
		return due, monthPeriod(time.Date(due.Year(), due.Month()-1, 1, 0, 0, 0, 0, time.UTC))
	}
	due := at(local.Year(), local.Month(), local.Day())
	if due.After(local) {
		due = due.AddDate(0, 0, -1)
	}
	return due, dayPeriod(day(due).AddDate(0, 0, -1))
}

func (in ScheduleInput) check() error {
	switch in.Kind {
	case PeriodDay, PeriodWeek, PeriodMonth:
	default:
		return apperr.Invalid("bulletin.schedule_kind_invalid")
	}
	switch {
	case in.Kind == PeriodWeek && (in.Weekday < 1 || in.Weekday > 7):
		return apperr.Invalid("bulletin.schedule_weekday_invalid")
	case in.Kind == PeriodMonth && (in.Monthday < 1 || in.Monthday > 28):
		return apperr.Invalid("bulletin.schedule_monthday_invalid")
	case in.Hour < 0 || in.Hour > 23 || in.Minute < 0 || in.Minute > 59:
		return apperr.Invalid("bulletin.schedule_time_invalid")
	}
	return nil
}

// CreateSchedule lets the office schedule bulletins of a region it manages.
func (s *Store) CreateSchedule(ctx context.Context, a access.Actor, in ScheduleInput) (Schedule, error) {
	if !a.SignedIn() {
		return Schedule{}, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	in.ScopeRegion = strings.TrimSpace(in.ScopeRegion)
	if in.ScopeRegion == "" {
		in.ScopeRegion = a.Region
	}
	if err := in.check(); err != nil {
		return Schedule{}, err
	}
	names, err := region.Names(ctx, s.DB, []string{in.ScopeRegion})
	if err != nil {
		return Schedule{}, fmt.Errorf("schedule region: %w", err)
	}
	name, known := names[in.ScopeRegion]
	if !known {
		return Schedule{}, apperr.Invalid("bulletin.scope_region_unknown", in.ScopeRegion)
	}
	if !mayIssue(a, Scope{Region: in.ScopeRegion}) {
		return Schedule{}, apperr.Forbidden("bulletin.scope_forbidden", name)
	}
	home := a.Region
	if home == "" {
		home = in.ScopeRegion
	}
	if in.Kind != PeriodWeek {
		in.Weekday = 1
	}
	if in.Kind != PeriodMonth {
		in.Monthday = 1
	}
	now := db.Millis(s.now())
	var by any
	if a.UserID > 0 {
		by = a.UserID
	}
	var id int64
	err = s.DB.ExecReturning(ctx, `INSERT INTO bulletin_schedule (region_code, issuer_unit_id, scope_region, period_kind, weekday,
		monthday, hour, minute, enabled, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?, ?) RETURNING id`,
		home, db.NullID(a.UnitID), in.ScopeRegion, in.Kind, in.Weekday, in.Monthday, in.Hour, in.Minute, by, now, now).Scan(&id)
	if err != nil {
		return Schedule{}, fmt.Errorf("create schedule: %w", err)
	}
	return s.schedule(ctx, id)
}

const scheduleColumns = `s.id, s.region_code, COALESCE(s.issuer_unit_id, 0), s.scope_region, s.period_kind,
	s.weekday, s.monthday, s.hour, s.minute, s.enabled, s.last_run_key, s.last_run_at, s.created_at
	FROM bulletin_schedule s`

func scanSchedule(sc interface{ Scan(...any) error }) (Schedule, error) {
	var x Schedule
	var last sql.NullInt64
	var created int64
	err := sc.Scan(&x.ID, &x.Region, &x.IssuerUnitID, &x.ScopeRegion, &x.Kind, &x.Weekday, &x.Monthday,
		&x.Hour, &x.Minute, &x.Enabled, &x.LastRunKey, &last, &created)
	x.LastRunAt, x.CreatedAt = db.FromNullMillis(last), db.FromMillis(created)
	return x, err
}

func (s *Store) schedule(ctx context.Context, id int64) (Schedule, error) {
	x, err := scanSchedule(s.DB.QueryRow(ctx, "SELECT "+scheduleColumns+" WHERE s.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return x, apperr.NotFound("bulletin.schedule_not_found")
	}
	if err != nil {
		return x, fmt.Errorf("read schedule %d: %w", id, err)
	}
	one := []Schedule{x}
	if err := s.nameScopes(ctx, one); err != nil {
		return x, err
	}
	return one[0], nil
}

// nameScopes fills in the names of the schedules' scope regions.
func (s *Store) nameScopes(ctx context.Context, list []Schedule) error {
	codes := make([]string, 0, len(list))
	for _, x := range list {
		codes = append(codes, x.ScopeRegion)
	}
	names, err := region.Names(ctx, s.DB, codes)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].ScopeName = names[list[i].ScopeRegion]
	}
	return nil
}

func (s *Store) schedules(ctx context.Context, where string, args ...any) ([]Schedule, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+scheduleColumns+" WHERE "+where+" ORDER BY s.id", args...)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (Schedule, error) { return scanSchedule(r) })
	if err != nil {
		return nil, fmt.Errorf("read schedules: %w", err)
	}
	return out, s.nameScopes(ctx, out)
}

// Schedules lists the schedules of the actor's jurisdiction.
func (s *Store) Schedules(ctx context.Context, a access.Actor) ([]Schedule, error) {
	switch {
	case !a.SignedIn():
		return nil, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	case a.IsAdmin():
		return s.schedules(ctx, "1 = 1")
	case a.HasAny(access.RoleOffice, access.RoleLeader) && a.Region != "":
		cond, args := region.SubtreeSQL("s.region_code", a.Region)
		return s.schedules(ctx, cond, args...)
	}
	return nil, nil
}

// SetScheduleEnabled switches a schedule on or off; DeleteSchedule removes
// it (the bulletins it issued stay).
func (s *Store) SetScheduleEnabled(ctx context.Context, a access.Actor, id int64, enabled bool) error {
	x, err := s.managedSchedule(ctx, a, id)
	if err != nil {
		return err
	}
	if _, err := s.DB.Exec(ctx, "UPDATE bulletin_schedule SET enabled = ?, updated_at = ? WHERE id = ?", enabled, db.Millis(s.now()), x.ID); err != nil {
		return fmt.Errorf("update schedule: %w", err)
	}
	return nil
}

// DeleteSchedule removes a schedule.
func (s *Store) DeleteSchedule(ctx context.Context, a access.Actor, id int64) error {
	x, err := s.managedSchedule(ctx, a, id)
	if err != nil {
		return err
	}
	if _, err := s.DB.Exec(ctx, "DELETE FROM bulletin_schedule WHERE id = ?", x.ID); err != nil {
		return fmt.Errorf("delete schedule: %w", err)
	}
	return nil
}

func (s *Store) managedSchedule(ctx context.Context, a access.Actor, id int64) (Schedule, error) {
	if !a.SignedIn() {
		return Schedule{}, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	x, err := s.schedule(ctx, id)
	if err != nil {
		return x, err
	}
	if !mayIssue(a, Scope{Region: x.ScopeRegion}) {
		return x, apperr.NotFound("bulletin.schedule_not_found")
	}
	return x, nil
}

// RunDue issues every enabled schedule that is due and has not yet issued
// its period. Every server may call it at any moment: each run is claimed
// by a conditional update of the schedule's last_run_key in the same
// transaction that stores the bulletin, so a period is issued once however
// many servers try. A server that was down issues the latest period it
// missed, not a backlog; a schedule does not fire for a moment before it
// was made. Failures of one schedule do not stop the others.
func (s *Store) RunDue(ctx context.Context, now time.Time) (int, error) {
	list, err := s.schedules(ctx, "s.enabled")
	if err != nil {
		return 0, err
	}
	issued := 0
	var errs []error
	for _, sc := range list {
		due, p := sc.Due(now)
		key := p.Key()
		if due.Before(sc.CreatedAt) || sc.LastRunKey == key {
			continue
		}
		ok, err := s.runSchedule(ctx, sc, p, key, now)
		if err != nil {
			if s.Log != nil {
				s.Log.Warn("scheduled bulletin", "schedule", sc.ID, "period", key, "err", err)
			}
			errs = append(errs, fmt.Errorf("schedule %d: %w", sc.ID, err))
			continue
		}
		if ok {
			issued++
			if s.Log != nil {
				s.Log.Info("scheduled bulletin issued", "schedule", sc.ID, "period", key)
			}
		}
	}
	return issued, errors.Join(errs...)
}

func (s *Store) runSchedule(ctx context.Context, sc Schedule, p Period, key string, now time.Time) (bool, error) {
	cfg, err := s.LoadConfig(ctx, sc.Region)
	if err != nil {
		return false, err
	}
	ct, err := s.build(ctx, Scope{Region: sc.ScopeRegion, RegionName: sc.ScopeName}, p, cfg, now)
	if err != nil {
		return false, err
	}
	b := &Bulletin{IssuerRegion: sc.Region, IssuerUnitID: sc.IssuerUnitID, IssuedAt: now, ScheduleID: sc.ID, Content: ct}
	if sc.IssuerUnitID != 0 {
		names, err := org.UnitNames(ctx, s.DB, []int64{sc.IssuerUnitID})
		if err != nil {
			return false, fmt.Errorf("issuer unit: %w", err)
		}
		b.IssuerName = names[sc.IssuerUnitID]
	}
	return s.insert(ctx, b, func(tx *db.Tx) (bool, error) {
		res, err := tx.Exec(ctx, "UPDATE bulletin_schedule SET last_run_key = ?, last_run_at = ? WHERE id = ? AND enabled AND last_run_key <> ?",
			key, db.Millis(now), sc.ID, key)
		if err != nil {
			return false, fmt.Errorf("claim schedule run: %w", err)
		}
		n, err := res.RowsAffected()
		return n == 1, err
	})
}
