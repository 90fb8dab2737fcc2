package volunteer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// Bulk APIs for generators (the demo, benchmarks): the same checks and
// sealing as Register and Import, many rows a statement, one transaction.

// SeedVolunteer is one volunteer to write in bulk.
type SeedVolunteer struct {
	Input
	Teams          []int64
	HistoryMinutes int64 // hours brought from the national platform (an import entry)
}

// HasData reports whether any station or volunteer exists, so that a
// generator runs once.
func (s *Store) HasData(ctx context.Context) (bool, error) {
	n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM (SELECT id FROM volunteer_station UNION ALL SELECT id FROM volunteer) x")
	return n > 0, err
}

// SeedVolunteers registers volunteers in bulk for an administrator or the
// office of their area; the first fault refuses them all.
func (s *Store) SeedVolunteers(ctx context.Context, a access.Actor, vols []SeedVolunteer) ([]int64, error) {
	if err := s.needKey(); err != nil {
		return nil, err
	}
	today := s.now().In(Loc())
	rows := make([]importRow, 0, len(vols))
	for i, v := range vols {
		p, bad := s.check(&v.Input, today)
		if bad != nil {
			return nil, fmt.Errorf("seed volunteer %d: %w", i+1, bad)
		}
		if !a.Manages(p.RegionCode) {
			return nil, apperr.Forbidden("volunteer.forbidden")
		}
		if err := s.seal(&p); err != nil {
			return nil, err
		}
		rows = append(rows, importRow{row: i + 1, p: p, teams: v.Teams, minutes: v.HistoryMinutes})
	}
	var ids []int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		ids, err = s.bulkInsert(ctx, tx, a, rows)
		return err
	})
	return ids, err
}

// SeedAttendee is one volunteer's presence at a past activity.
type SeedAttendee struct {
	VolunteerID int64
	CheckinAt   time.Time // zero: recorded by the organiser
	CheckoutAt  time.Time
	Lng, Lat    float64
}

// SeedActivity is a past (or coming) activity with its attendance; past
// activities are confirmed and their hours credited.
type SeedActivity struct {
	ActivityInput
	CreatedBy int64
	Attendees []SeedAttendee
	Confirm   bool
}

// SeedActivities writes activities with sign-ups, check-ins and, for the
// confirmed ones, the ledger entries, in one transaction.
func (s *Store) SeedActivities(ctx context.Context, a access.Actor, list []SeedActivity) error {
	if !a.IsAdmin() {
		return apperr.Forbidden("volunteer.forbidden")
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		sb := db.NewBatch("volunteer_signup", "", "activity_id", "volunteer_id", "state", "signed_at", "attendance", "source",
			"checkin_at", "checkin_lng", "checkin_lat", "checkin_m", "checkout_at", "checkout_lng", "checkout_lat")
		var sargs []any
		var entries []entry
		for _, x := range list {
			key := make([]byte, 32)
			if _, err := rand.Read(key); err != nil {
				return fmt.Errorf("activity key: %w", err)
			}
			state := ActivityOpen
			var confirmedAt any
			if x.Confirm {
				state, confirmedAt = ActivityConfirmed, db.Millis(x.EndsAt.Add(time.Hour))
			}
			openTo := x.OpenTo
			if openTo == "" {
				openTo = OpenAnyone
			}
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO volunteer_activity (title, kind, team_id, station_id, region_code, address, lng, lat, radius_m,
				starts_at, ends_at, quota, open_to, token_key, state, created_by, confirmed_by, confirmed_at, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				x.Title, x.Kind, db.NullID(x.TeamID), db.NullID(x.StationID), x.RegionCode, x.Address, x.Lng, x.Lat, x.RadiusM,
				db.Millis(x.StartsAt), db.Millis(x.EndsAt), x.Quota, openTo, hex.EncodeToString(key), state, db.NullID(x.CreatedBy),
				map[bool]any{true: db.NullID(x.CreatedBy), false: nil}[x.Confirm], confirmedAt, db.Millis(x.StartsAt.AddDate(0, 0, -7))).Scan(&id)
			if err != nil {
				return fmt.Errorf("seed activity: %w", err)
			}
			act := Activity{ID: id, Kind: x.Kind, TeamID: x.TeamID, StationID: x.StationID, RegionCode: x.RegionCode, StartsAt: x.StartsAt, EndsAt: x.EndsAt}
			for _, at := range x.Attendees {
				g := Signup{Minutes: -1, Attendance: Attended, CheckinAt: at.CheckinAt, CheckoutAt: at.CheckoutAt}
				src := SourceOrganiser
				var in, out, lng, lat, dist any
				if !at.CheckinAt.IsZero() {
					src, in, lng, lat, dist = SourceCheckin, db.Millis(at.CheckinAt), at.Lng, at.Lat, Distance(at.Lng, at.Lat, x.Lng, x.Lat)
				}
				if !at.CheckoutAt.IsZero() {
					out = db.Millis(at.CheckoutAt)
				}
				attendance := ""
				if x.Confirm || in != nil {
					attendance = Attended
				}
				sargs = append(sargs, id, at.VolunteerID, SignupSigned, db.Millis(x.StartsAt.AddDate(0, 0, -3)), attendance, map[bool]string{true: src, false: ""}[attendance != ""],
					in, lng, lat, dist, out, lng, lat)
				if x.Confirm {
					if m := g.Worked(act); m > 0 {
						entries = append(entries, entry{volunteer: at.VolunteerID, activity: id, minutes: m, source: src, servedOn: act.Day(),
							kind: x.Kind, team: x.TeamID, station: x.StationID, region: x.RegionCode})
					}
				}
			}
		}
		if len(sargs) > 0 {
			if err := sb.Insert(ctx, tx, sargs); err != nil {
				return fmt.Errorf("seed sign-ups: %w", err)
			}
		}
		return s.credit(ctx, tx, a, entries)
	})
}
