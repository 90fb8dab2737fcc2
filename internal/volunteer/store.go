// Package volunteer is volunteering (志愿服务): civilization-practice
// stations (新时代文明实践中心/所/站), teams (志愿服务队) and their members,
// volunteers (their ID numbers sealed with the data key, internal/pii),
// activities with sign-ups, a waiting list and check-ins that prove
// presence (a signed code that changes every 30 seconds, the phone's
// position inside the activity's radius, the time inside its window), the
// append-only hours ledger, star levels, service certificates and the
// publicity (公示) of new stars with its objections; and the figures.
//
// The package owns every volunteer_* table. Permission is decided here,
// from the actor: the office manages its jurisdiction and leaders read it;
// a team's leader manages the team, the staff of a station's unit the
// station; a volunteer sees their own record.
package volunteer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/region"
)

// Store runs volunteering over one database.
type Store struct {
	DB *db.DB
	// Key seals ID numbers and keys their duplicate hashes; nil when no
	// data key is configured, and then registering a volunteer (one by
	// one, by import or by the public form) is refused with a message
	// that names the setting.
	Key *pii.Key
	Now func() time.Time
	// Stars are the star levels' thresholds in hours (一星 … 五星).
	Stars []int
	// Margin is how long before the start and after the end of an
	// activity a check-in or check-out is still taken.
	Margin time.Duration
	// CodeEvery is how often the check-in code changes (30 s); a code is
	// taken for one more period, so a photo of it is useless within a
	// minute.
	CodeEvery time.Duration
	// Regions names the communities and streets (import, pages).
	Regions *region.Store
}

// DefaultStars are the national thresholds (hours).
func DefaultStars() []int { return []int{100, 300, 600, 1000, 1500} }

// purposeID binds sealed ID numbers and their hashes to this use.
const purposeID = "volunteer.id_number"

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Store) stars() []int {
	if len(s.Stars) == 0 {
		return DefaultStars()
	}
	return s.Stars
}

func (s *Store) codeEvery() time.Duration {
	if s.CodeEvery <= 0 {
		return 30 * time.Second
	}
	return s.CodeEvery
}

// Loc is the campaign's time zone.
func Loc() *time.Location { return calendar.Shanghai() }

// HasKey reports whether a data key is configured.
func (s *Store) HasKey() bool { return s.Key != nil }

func (s *Store) needKey() error {
	if s.Key == nil {
		return apperr.Invalid("volunteer.no_data_key")
	}
	return nil
}

// StarLevel is the level that total minutes reach under thresholds (hours):
// 0 below the first.
func StarLevel(minutes int64, thresholds []int) int {
	level := 0
	for i, h := range thresholds {
		if minutes >= int64(h)*60 {
			level = i + 1
		}
	}
	return level
}

// StarLevel is the level of the total minutes under the store's thresholds.
func (s *Store) StarLevel(minutes int64) int { return StarLevel(minutes, s.stars()) }

// NextStar is the next level's threshold in hours and the hours still
// missing; 0, 0 at the top.
func (s *Store) NextStar(minutes int64) (hours int, missing float64) {
	for _, h := range s.stars() {
		if minutes < int64(h)*60 {
			return h, float64(int64(h)*60-minutes) / 60
		}
	}
	return 0, 0
}

// Thresholds are the star thresholds in hours.
func (s *Store) Thresholds() []int { return append([]int(nil), s.stars()...) }

// Hours formats minutes as hours with one decimal.
func Hours(minutes int64) string {
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", float64(minutes)/60), "0"), ".")
}

// manager roles: the staff of a unit that runs a station or a team.
func unitStaff(a access.Actor) bool {
	return a.UnitID != 0 && a.HasAny(access.RoleHandler, access.RoleOffice, access.RoleAdmin)
}

// Overview says what the actor may do in the volunteer area.
type Overview struct {
	Oversees bool // reads the whole area (office, leaders, admin)
	Manages  bool // manages it (office, admin)
	Teams    []int64
	Stations []int64
	// Volunteer is the actor's own volunteer record (0: none).
	Volunteer int64
}

// Organises reports whether the actor runs anything: the area, a team or
// a station.
func (o Overview) Organises() bool { return o.Manages || len(o.Teams) > 0 || len(o.Stations) > 0 }

// Any reports whether the actor has anything to see.
func (o Overview) Any() bool { return o.Oversees || o.Organises() || o.Volunteer != 0 }

// Scope works out the actor's part in volunteering.
func (s *Store) Scope(ctx context.Context, a access.Actor) (Overview, error) {
	var o Overview
	if !a.SignedIn() {
		return o, nil
	}
	o.Manages = a.IsAdmin() || a.Has(access.RoleOffice) && a.Region != ""
	o.Oversees = o.Manages || a.Has(access.RoleLeader) && a.Region != ""
	var err error
	if unitStaff(a) {
		if o.Stations, err = db.Int64s(ctx, s.DB, "SELECT id FROM volunteer_station WHERE unit_id = ? ORDER BY id", a.UnitID); err != nil {
			return o, fmt.Errorf("managed stations: %w", err)
		}
	}
	q := "SELECT id FROM volunteer_team WHERE leader_id = ?"
	args := []any{a.UserID}
	if unitStaff(a) {
		q += " OR unit_id = ? OR station_id IN (SELECT id FROM volunteer_station WHERE unit_id = ?)"
		args = append(args, a.UnitID, a.UnitID)
	}
	if o.Teams, err = db.Int64s(ctx, s.DB, q+" ORDER BY id", args...); err != nil {
		return o, fmt.Errorf("managed teams: %w", err)
	}
	if a.UserID > 0 {
		ids, err := db.Int64s(ctx, s.DB, "SELECT id FROM volunteer WHERE user_id = ?", a.UserID)
		if err != nil {
			return o, fmt.Errorf("own volunteer record: %w", err)
		}
		if len(ids) > 0 {
			o.Volunteer = ids[0]
		}
	}
	return o, nil
}

// MayOpen reports whether the navigation shows the volunteer area: to
// those who oversee, organise or volunteer.
func MayOpen(a access.Actor) bool {
	return a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler, access.RoleVolunteer)
}

func creator(a access.Actor) any {
	if a.UserID > 0 {
		return a.UserID
	}
	return nil
}

// inArea is the condition that col holds a region code in the subtree
// rooted at code, as a range so that it runs on an index (LIKE does not,
// on SQLite). Codes are digit strings that begin with their parent's; the
// upper bound is code "plus one" with its carry ("4104" → "4105", "419" →
// "42"), which digit-only strings order the same under every collation.
func inArea(col, code string) (string, []any) {
	hi := []byte(code)
	for len(hi) > 0 && hi[len(hi)-1] == '9' {
		hi = hi[:len(hi)-1]
	}
	if len(hi) == 0 {
		return col + " >= ?", []any{code}
	}
	hi[len(hi)-1]++
	return "(" + col + " >= ? AND " + col + " < ?)", []any{code, string(hi)}
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
