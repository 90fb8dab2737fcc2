package volunteer

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
)

// Where an hours entry or an attendance came from.
const (
	SourceCheckin    = "checkin"    // the volunteer's check-in and check-out
	SourceOrganiser  = "organiser"  // recorded by the organiser by hand
	SourceImport     = "import"     // brought in from a sheet
	SourceCorrection = "correction" // a correction of an earlier entry
)

// Entry is one line of the hours ledger.
type Entry struct {
	ID            int64
	VolunteerID   int64
	ActivityID    int64
	ActivityTitle string
	Minutes       int64
	Source        string
	Reason        string
	ServedOn      string
	Corrects      int64
	RecordedBy    string
	RecordedAt    int64
}

// HoursText is the entry's minutes as signed hours.
func (e Entry) HoursText() string {
	if e.Minutes > 0 && e.Source == SourceCorrection {
		return "+" + Hours(e.Minutes)
	}
	return Hours(e.Minutes)
}

// entry is a credit to write.
type entry struct {
	volunteer, activity int64
	minutes             int64
	source, reason      string
	servedOn            string
	kind                string
	team, station       int64
	region              string
	corrects            int64
}

var hoursBatch = []string{"volunteer_id", "activity_id", "minutes", "source", "reason", "served_on", "kind", "team_id", "station_id",
	"region_code", "corrects", "recorded_by", "recorded_at"}

// credit appends entries to the ledger and, in the same transaction,
// moves each volunteer's total and proposes the star levels reached.
func (s *Store) credit(ctx context.Context, tx *db.Tx, a access.Actor, entries []entry) error {
	if len(entries) == 0 {
		return nil
	}
	now := db.Millis(s.now())
	b := db.NewBatch("volunteer_hours", "", hoursBatch...)
	args := make([]any, 0, len(entries)*len(hoursBatch))
	delta := map[int64]int64{}
	last := map[int64]string{}
	for _, e := range entries {
		args = append(args, e.volunteer, db.NullID(e.activity), e.minutes, e.source, e.reason, e.servedOn, e.kind, db.NullID(e.team),
			db.NullID(e.station), e.region, db.NullID(e.corrects), creator(a), now)
		delta[e.volunteer] += e.minutes
		if e.servedOn > last[e.volunteer] && e.minutes > 0 {
			last[e.volunteer] = e.servedOn
		}
	}
	if err := b.Insert(ctx, tx, args); err != nil {
		return fmt.Errorf("hours ledger: %w", err)
	}
	if err := s.tally(ctx, tx, entries); err != nil {
		return err
	}
	ids := make([]int64, 0, len(delta))
	for id := range delta {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		if _, err := tx.Exec(ctx, `UPDATE volunteer SET total_minutes = total_minutes + ?,
			last_served_on = CASE WHEN last_served_on < ? THEN ? ELSE last_served_on END WHERE id = ?`,
			delta[id], last[id], last[id], id); err != nil {
			return fmt.Errorf("volunteer total: %w", err)
		}
	}
	return s.proposeStars(ctx, tx, ids)
}

type tallyKey struct {
	day, region, kind string
	team, station     int64
}

// tally adds the entries' minutes to volunteer_tally, one upsert per key.
func (s *Store) tally(ctx context.Context, tx *db.Tx, entries []entry) error {
	sums := map[tallyKey]int64{}
	for _, e := range entries {
		sums[tallyKey{e.servedOn, e.region, e.kind, e.team, e.station}] += e.minutes
	}
	keys := make([]tallyKey, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	// A fixed order keeps two transactions from taking row locks in
	// opposite orders on PostgreSQL.
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.day != b.day {
			return a.day < b.day
		}
		if a.region != b.region {
			return a.region < b.region
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		if a.team != b.team {
			return a.team < b.team
		}
		return a.station < b.station
	})
	months := map[tallyKey]int64{}
	var monthKeys []tallyKey
	for _, k := range keys {
		if _, err := tx.Exec(ctx, `INSERT INTO volunteer_tally (served_on, region_code, kind, team_id, station_id, minutes) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (served_on, region_code, kind, team_id, station_id) DO UPDATE SET minutes = volunteer_tally.minutes + excluded.minutes`,
			k.day, k.region, k.kind, k.team, k.station, sums[k]); err != nil {
			return fmt.Errorf("volunteer tally: %w", err)
		}
		mk := k
		mk.day = k.day[:min(7, len(k.day))]
		if _, seen := months[mk]; !seen {
			monthKeys = append(monthKeys, mk)
		}
		months[mk] += sums[k]
	}
	for _, k := range monthKeys { // in order: the days were
		if _, err := tx.Exec(ctx, `INSERT INTO volunteer_tally_month (month, region_code, kind, team_id, station_id, minutes) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (month, region_code, kind, team_id, station_id) DO UPDATE SET minutes = volunteer_tally_month.minutes + excluded.minutes`,
			k.day, k.region, k.kind, k.team, k.station, months[k]); err != nil {
			return fmt.Errorf("volunteer tally: %w", err)
		}
	}
	return nil
}

// Ledger is a volunteer's hours entries, newest first.
func (s *Store) Ledger(ctx context.Context, a access.Actor, volunteerID int64, limit int) ([]Entry, error) {
	if _, err := s.Get(ctx, a, volunteerID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.DB.Query(ctx, `SELECT h.id, h.volunteer_id, COALESCE(h.activity_id, 0), COALESCE(x.title, ''), h.minutes, h.source, h.reason,
		h.served_on, COALESCE(h.corrects, 0), COALESCE(h.recorded_by, 0), h.recorded_at
		FROM volunteer_hours h LEFT JOIN volunteer_activity x ON x.id = h.activity_id
		WHERE h.volunteer_id = ? ORDER BY h.served_on DESC, h.id DESC LIMIT ?`, volunteerID, limit)
	var by []int64
	list, err := db.Collect(rows, err, func(r *sql.Rows) (Entry, error) {
		var e Entry
		var recorder int64
		err := r.Scan(&e.ID, &e.VolunteerID, &e.ActivityID, &e.ActivityTitle, &e.Minutes, &e.Source, &e.Reason, &e.ServedOn,
			&e.Corrects, &recorder, &e.RecordedAt)
		by = append(by, recorder)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	names, err := org.DisplayNames(ctx, s.DB, by)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].RecordedBy = names[by[i]]
	}
	return list, nil
}

// Totals are a volunteer's hours from the ledger.
type Totals struct {
	Minutes     int64 // all time
	YearMinutes int64 // this calendar year
	Activities  int   // activities with credited hours
}

// TotalsOf sums a volunteer's ledger (the whole of it, and the period
// from..to, dates inclusive).
func (s *Store) TotalsOf(ctx context.Context, volunteerID int64, from, to string) (all, period int64, activities int, err error) {
	err = s.DB.QueryRow(ctx, `SELECT COALESCE(SUM(minutes), 0),
		COALESCE(SUM(CASE WHEN served_on >= ? AND served_on <= ? THEN minutes ELSE 0 END), 0)
		FROM volunteer_hours WHERE volunteer_id = ?`, from, to, volunteerID).Scan(&all, &period)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("ledger totals: %w", err)
	}
	err = s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT activity_id FROM volunteer_hours WHERE volunteer_id = ? AND activity_id IS NOT NULL
		AND served_on >= ? AND served_on <= ? GROUP BY activity_id HAVING SUM(minutes) > 0) x`, volunteerID, from, to).Scan(&activities)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("ledger totals: %w", err)
	}
	return all, period, activities, nil
}

// Correction is a change of the hours one volunteer was credited for one
// activity: the new total for that activity, and why.
type Correction struct {
	ActivityID  int64
	VolunteerID int64
	Minutes     int64 // the right total for the activity
	Reason      string
}

// Correct appends a correction entry (the difference between the right
// total and what the ledger holds for the activity); only the activity's
// organiser may, and only with a reason. Nothing is edited.
func (s *Store) Correct(ctx context.Context, a access.Actor, c Correction) error {
	c.Reason = strings.TrimSpace(c.Reason)
	if c.Reason == "" {
		return apperr.Invalid("volunteer.correction_reason")
	}
	if len([]rune(c.Reason)) > 200 {
		return apperr.Invalid("volunteer.text_too_long")
	}
	if c.Minutes < 0 || c.Minutes > 24*60 {
		return apperr.Invalid("volunteer.minutes_invalid")
	}
	act, err := s.Activity(ctx, a, c.ActivityID)
	if err != nil {
		return err
	}
	if !act.CanOrganise(a) {
		return apperr.Forbidden("volunteer.not_organiser")
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var have int64
		var last sql.NullInt64
		if err := tx.QueryRow(ctx, "SELECT COALESCE(SUM(minutes), 0), MAX(id) FROM volunteer_hours WHERE activity_id = ? AND volunteer_id = ?",
			c.ActivityID, c.VolunteerID).Scan(&have, &last); err != nil {
			return fmt.Errorf("correction: %w", err)
		}
		if !last.Valid {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM volunteer_signup WHERE activity_id = ? AND volunteer_id = ?",
				c.ActivityID, c.VolunteerID).Scan(&n); err != nil {
				return fmt.Errorf("correction: %w", err)
			}
			if n == 0 {
				return apperr.Invalid("volunteer.correction_not_on_activity")
			}
		}
		if have == c.Minutes {
			return apperr.Conflict("volunteer.correction_same")
		}
		return s.credit(ctx, tx, a, []entry{{volunteer: c.VolunteerID, activity: c.ActivityID, minutes: c.Minutes - have,
			source: SourceCorrection, reason: c.Reason, servedOn: act.Day(), kind: act.Kind, team: act.TeamID, station: act.StationID,
			region: act.RegionCode, corrects: last.Int64}})
	})
}

// Recompute sets every volunteer's total and latest day of service from
// the ledger again, builds the tally again, and brings every star level
// in line (after rows were written around the store: a bulk load, a fix
// by hand). It returns the number of volunteers.
func (s *Store) Recompute(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE volunteer SET
			total_minutes = COALESCE((SELECT SUM(h.minutes) FROM volunteer_hours h WHERE h.volunteer_id = volunteer.id), 0),
			last_served_on = COALESCE((SELECT MAX(h.served_on) FROM volunteer_hours h WHERE h.volunteer_id = volunteer.id AND h.minutes > 0), '')`)
		if err != nil {
			return fmt.Errorf("recompute totals: %w", err)
		}
		n, _ = res.RowsAffected()
		for _, q := range []string{"DELETE FROM volunteer_tally", "DELETE FROM volunteer_tally_month"} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("recompute tally: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO volunteer_tally (served_on, region_code, kind, team_id, station_id, minutes)
			SELECT served_on, region_code, kind, COALESCE(team_id, 0), COALESCE(station_id, 0), SUM(minutes) FROM volunteer_hours
			GROUP BY served_on, region_code, kind, COALESCE(team_id, 0), COALESCE(station_id, 0)`); err != nil {
			return fmt.Errorf("recompute tally: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO volunteer_tally_month (month, region_code, kind, team_id, station_id, minutes)
			SELECT substr(served_on, 1, 7), region_code, kind, team_id, station_id, SUM(minutes) FROM volunteer_tally
			GROUP BY substr(served_on, 1, 7), region_code, kind, team_id, station_id`); err != nil {
			return fmt.Errorf("recompute tally: %w", err)
		}
		return s.proposeStars(ctx, tx, nil)
	})
	return n, err
}
