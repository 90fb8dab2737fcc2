package calendar

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/setting"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// The State Council's schedules, one file per year (data/2026.csv).
//
//go:embed data/*.csv
var builtinFiles embed.FS

// Where a year's schedule came from.
const (
	SourceBuiltin = "builtin"
	SourceOffice  = "office"
)

// settingHours names the working periods in the setting table.
const settingHours = "calendar.working_hours"

// Year bounds accepted by ReplaceYear.
const (
	MinYear = 2000
	MaxYear = 2100
)

// Builtin returns the embedded schedules by year.
func Builtin() (map[int][]Day, error) {
	names, err := fs.Glob(builtinFiles, "data/*.csv")
	if err != nil {
		return nil, fmt.Errorf("list built-in calendars: %w", err)
	}
	out := map[int][]Day{}
	for _, name := range names {
		year, err := strconv.Atoi(strings.TrimSuffix(path.Base(name), ".csv"))
		if err != nil {
			return nil, fmt.Errorf("built-in calendar %s: name must be the year", name)
		}
		body, err := builtinFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		days, errs := ParseDays(bytes.NewReader(body))
		if len(errs) > 0 {
			return nil, fmt.Errorf("built-in calendar %s: %w", name, errs[0])
		}
		if err := checkYear(year, days); err != nil {
			return nil, fmt.Errorf("built-in calendar %s: %w", name, err)
		}
		out[year] = days
	}
	return out, nil
}

// Store keeps the calendar in the database.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// New returns a store with the system clock.
func New(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }

// Year describes one configured year.
type Year struct {
	Year      int
	Source    string // SourceBuiltin or SourceOffice
	Days      int    // listed days
	UpdatedAt time.Time
	UpdatedBy int64 // user id; 0 for the built-in data and the command line
}

// canEdit: the calendar is shared by the whole installation, so only the
// office and administrators change it.
func canEdit(a access.Actor) bool { return a.IsAdmin() || a.Has(access.RoleOffice) }

// CanEdit reports whether a may change the calendar, for pages that offer
// the forms only to those who may use them.
func CanEdit(a access.Actor) bool { return canEdit(a) }

// mayView: the calendar as configured (sources, listed days, hours) is
// part of the system configuration, read by the office, leaders and
// administrators. Deadlines computed on it are visible to everyone
// through the cases.
func mayView(a access.Actor) error {
	if a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader) {
		return nil
	}
	return apperr.Forbidden("cfg.forbidden")
}

// EnsureDefaults stores the built-in schedule of every year that has none
// yet and returns how many years it added. A year the office has replaced
// is left alone. Load calls it, so a new release's year appears by itself.
func (s *Store) EnsureDefaults(ctx context.Context) (int, error) {
	builtin, err := Builtin()
	if err != nil {
		return 0, err
	}
	have, err := s.yearSet(ctx)
	if err != nil {
		return 0, err
	}
	added := 0
	for _, year := range sortedYears(builtin) {
		if have[year] {
			continue
		}
		claimed := false
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			// Claim the year first: of two servers starting at once, the
			// second finds it taken and writes nothing.
			res, err := tx.Exec(ctx, `INSERT INTO calendar_year (year, source, updated_at, updated_by)
				VALUES (?, ?, ?, NULL) ON CONFLICT (year) DO NOTHING`, year, SourceBuiltin, db.Millis(s.Now()))
			if err != nil {
				return fmt.Errorf("claim calendar year %d: %w", year, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			claimed = true
			return insertDays(ctx, tx, builtin[year])
		})
		if err != nil {
			return added, err
		}
		if claimed {
			added++
		}
	}
	return added, nil
}

func sortedYears(m map[int][]Day) []int {
	years := make([]int, 0, len(m))
	for y := range m {
		years = append(years, y)
	}
	slices.Sort(years)
	return years
}

func (s *Store) yearSet(ctx context.Context) (map[int]bool, error) {
	rows, err := s.DB.Query(ctx, "SELECT year FROM calendar_year")
	if err != nil {
		return nil, fmt.Errorf("read calendar years: %w", err)
	}
	defer rows.Close()
	have := map[int]bool{}
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return nil, fmt.Errorf("read calendar years: %w", err)
		}
		have[y] = true
	}
	return have, rows.Err()
}

func insertDays(ctx context.Context, tx *db.Tx, days []Day) error {
	for _, d := range days {
		if _, err := tx.Exec(ctx, "INSERT INTO calendar_day (day, kind, name) VALUES (?, ?, ?)",
			d.Date, string(d.Kind), d.Name); err != nil {
			return fmt.Errorf("insert calendar day %s: %w", d.Date, err)
		}
	}
	return nil
}

// Load reads the whole calendar, storing the built-in years first if they
// are missing. Callers keep the snapshot and reload it after a change.
func (s *Store) Load(ctx context.Context) (*Calendar, error) {
	if _, err := s.EnsureDefaults(ctx); err != nil {
		return nil, err
	}
	days, err := s.readDays(ctx, "", "")
	if err != nil {
		return nil, err
	}
	periods, err := s.workingHours(ctx)
	if err != nil {
		return nil, err
	}
	c, err := NewCalendar(days, periods)
	if err != nil {
		return nil, fmt.Errorf("stored calendar: %w", err)
	}
	return c, nil
}

// Days returns the listed days of year in date order, to those who may
// view the configuration.
func (s *Store) Days(ctx context.Context, a access.Actor, year int) ([]Day, error) {
	if err := mayView(a); err != nil {
		return nil, err
	}
	return s.readDays(ctx, fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year))
}

// readDays reads the days from..to (inclusive), or all when from is "".
func (s *Store) readDays(ctx context.Context, from, to string) ([]Day, error) {
	q, args := "SELECT day, kind, name FROM calendar_day", []any{}
	if from != "" {
		q += " WHERE day >= ? AND day <= ?"
		args = append(args, from, to)
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY day", args...)
	if err != nil {
		return nil, fmt.Errorf("read calendar days: %w", err)
	}
	defer rows.Close()
	var out []Day
	for rows.Next() {
		var d Day
		var kind string
		if err := rows.Scan(&d.Date, &kind, &d.Name); err != nil {
			return nil, fmt.Errorf("read calendar days: %w", err)
		}
		d.Kind = DayKind(kind)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Years lists the configured years, newest first, to those who may view
// the configuration.
func (s *Store) Years(ctx context.Context, a access.Actor) ([]Year, error) {
	if err := mayView(a); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT y.year, y.source, y.updated_at, COALESCE(y.updated_by, 0),
		(SELECT COUNT(*) FROM calendar_day d WHERE substr(d.day, 1, 4) = CAST(y.year AS TEXT))
		FROM calendar_year y ORDER BY y.year DESC`)
	if err != nil {
		return nil, fmt.Errorf("list calendar years: %w", err)
	}
	defer rows.Close()
	var out []Year
	for rows.Next() {
		var y Year
		var at int64
		if err := rows.Scan(&y.Year, &y.Source, &at, &y.UpdatedBy, &y.Days); err != nil {
			return nil, fmt.Errorf("list calendar years: %w", err)
		}
		y.UpdatedAt = db.FromMillis(at)
		out = append(out, y)
	}
	return out, rows.Err()
}

// checkYear validates a whole year's schedule: the year in range, at least
// one day, every day valid on its own, inside the year and listed once.
func checkYear(year int, days []Day) error {
	if year < MinYear || year > MaxYear {
		return apperr.Invalid("calendar.year_invalid", year)
	}
	if len(days) == 0 {
		return apperr.Invalid("calendar.year_empty", year)
	}
	seen := map[string]bool{}
	for _, d := range days {
		if err := checkDay(d); err != nil {
			return err
		}
		if !strings.HasPrefix(d.Date, fmt.Sprintf("%04d-", year)) {
			return apperr.Invalid("calendar.date_outside_year", d.Date, year)
		}
		if seen[d.Date] {
			return apperr.Invalid("calendar.date_duplicate", d.Date)
		}
		seen[d.Date] = true
	}
	return nil
}

// ReplaceYear sets the schedule of year to days, all or nothing; only the
// office and administrators may. Days are trimmed and dates normalised as
// in ParseDays before the checks.
func (s *Store) ReplaceYear(ctx context.Context, a access.Actor, year int, days []Day) error {
	if !canEdit(a) {
		return apperr.Forbidden("calendar.forbidden")
	}
	clean := make([]Day, len(days))
	for i, d := range days {
		clean[i] = Day{Date: normalizeDate(d.Date), Kind: normalizeKind(string(d.Kind)), Name: strings.TrimSpace(d.Name)}
	}
	slices.SortStableFunc(clean, func(x, y Day) int { return strings.Compare(x.Date, y.Date) })
	if err := checkYear(year, clean); err != nil {
		return err
	}
	return s.replace(ctx, a, year, clean, SourceOffice)
}

// RestoreDefault puts back the built-in schedule of year, undoing the
// office's changes.
func (s *Store) RestoreDefault(ctx context.Context, a access.Actor, year int) error {
	if !canEdit(a) {
		return apperr.Forbidden("calendar.forbidden")
	}
	builtin, err := Builtin()
	if err != nil {
		return err
	}
	days, ok := builtin[year]
	if !ok {
		return apperr.NotFound("calendar.no_builtin", year)
	}
	return s.replace(ctx, a, year, days, SourceBuiltin)
}

func (s *Store) replace(ctx context.Context, a access.Actor, year int, days []Day, source string) error {
	var by sql.NullInt64
	if a.UserID > 0 {
		by = sql.NullInt64{Int64: a.UserID, Valid: true}
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM calendar_day WHERE day >= ? AND day <= ?",
			fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)); err != nil {
			return fmt.Errorf("clear calendar year %d: %w", year, err)
		}
		if err := insertDays(ctx, tx, days); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO calendar_year (year, source, updated_at, updated_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (year) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			year, source, db.Millis(s.Now()), by); err != nil {
			return fmt.Errorf("record calendar year %d: %w", year, err)
		}
		return nil
	})
}

// WorkingHours returns the working periods of a working day: the stored
// setting, or DefaultPeriods when none is stored; to those who may view
// the configuration.
func (s *Store) WorkingHours(ctx context.Context, a access.Actor) ([]Period, error) {
	if err := mayView(a); err != nil {
		return nil, err
	}
	return s.workingHours(ctx)
}

func (s *Store) workingHours(ctx context.Context) ([]Period, error) {
	v, err := setting.Get(ctx, s.DB, settingHours)
	if errors.Is(err, setting.ErrNotFound) {
		return DefaultPeriods(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read working hours: %w", err)
	}
	ps, err := ParsePeriods(v)
	if err != nil {
		return nil, fmt.Errorf("stored working hours %q: %w", v, err)
	}
	return ps, nil
}

// SetWorkingHours stores the working periods of a working day; only the
// office and administrators may. Deadlines already computed keep their
// value; new ones use the new hours once the calendar is reloaded.
func (s *Store) SetWorkingHours(ctx context.Context, a access.Actor, periods []Period) error {
	if !canEdit(a) {
		return apperr.Forbidden("calendar.forbidden")
	}
	if err := ValidatePeriods(periods); err != nil {
		return err
	}
	if err := setting.Put(ctx, s.DB, settingHours, FormatPeriods(periods)); err != nil {
		return fmt.Errorf("store working hours: %w", err)
	}
	return nil
}
