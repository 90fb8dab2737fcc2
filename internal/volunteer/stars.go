package volunteer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// Star record states: a level reached is proposed to the office, which
// confirms it (认定); a proposed level the hours fall below again (after a
// correction) is withdrawn, and proposed again when reached.
const (
	StarProposed  = "proposed"
	StarConfirmed = "confirmed"
	StarWithdrawn = "withdrawn"
)

// Certifying levels of a confirmed star.
const (
	CertDistrict = "district"
	CertCity     = "city"
)

// StarRecord is one level of one volunteer.
type StarRecord struct {
	VolunteerID int64
	Name        string
	RegionCode  string
	Minutes     int64
	Level       int
	ReachedAt   int64
	State       string
	CertifiedAs string
	DecidedAt   int64
}

// proposeStars brings the star records of the volunteers (nil: all) in
// line with their totals.
func (s *Store) proposeStars(ctx context.Context, tx *db.Tx, ids []int64) error {
	now := db.Millis(s.now())
	chunks := [][]int64{nil}
	if ids != nil {
		chunks = nil
		for from := 0; from < len(ids); from += 400 {
			chunks = append(chunks, ids[from:min(len(ids), from+400)])
		}
	}
	for _, chunk := range chunks {
		in, args := "", []any{}
		if chunk != nil {
			in = " AND v.id IN (" + db.Placeholders(len(chunk)) + ")"
			args = int64sAny(chunk)
		}
		for i, h := range s.stars() {
			level, min := i+1, int64(h)*60
			a := append([]any{level, now, min}, args...)
			if _, err := tx.Exec(ctx, `INSERT INTO volunteer_star (volunteer_id, level, reached_at, state)
				SELECT v.id, ?, ?, 'proposed' FROM volunteer v WHERE v.total_minutes >= ?`+in+`
				AND NOT EXISTS (SELECT 1 FROM volunteer_star x WHERE x.volunteer_id = v.id AND x.level = `+fmt.Sprint(level)+`)`, a...); err != nil {
				return fmt.Errorf("propose stars: %w", err)
			}
			a = append([]any{now, level, min}, args...)
			if _, err := tx.Exec(ctx, `UPDATE volunteer_star SET state = 'proposed', reached_at = ? WHERE state = 'withdrawn' AND level = ?
				AND volunteer_id IN (SELECT v.id FROM volunteer v WHERE v.total_minutes >= ?`+in+`)`, a...); err != nil {
				return fmt.Errorf("propose stars: %w", err)
			}
			a = append([]any{level, min}, args...)
			if _, err := tx.Exec(ctx, `UPDATE volunteer_star SET state = 'withdrawn' WHERE state = 'proposed' AND level = ?
				AND volunteer_id IN (SELECT v.id FROM volunteer v WHERE v.total_minutes < ?`+in+`)`, a...); err != nil {
				return fmt.Errorf("withdraw stars: %w", err)
			}
		}
	}
	return nil
}

// RecomputeStars brings every volunteer's star records in line with their
// totals (after the thresholds changed, say): levels reached are proposed,
// proposed levels no longer reached withdrawn.
func (s *Store) RecomputeStars(ctx context.Context) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error { return s.proposeStars(ctx, tx, nil) })
}

const starCols = `x.volunteer_id, v.name, v.region_code, v.total_minutes, x.level, x.reached_at, x.state, x.certified_as, COALESCE(x.decided_at, 0)
	FROM volunteer_star x JOIN volunteer v ON v.id = x.volunteer_id`

func scanStar(r *sql.Rows) (StarRecord, error) {
	var x StarRecord
	return x, r.Scan(&x.VolunteerID, &x.Name, &x.RegionCode, &x.Minutes, &x.Level, &x.ReachedAt, &x.State, &x.CertifiedAs, &x.DecidedAt)
}

// Proposals lists the star levels waiting for the office of the actor's
// area to confirm, highest first.
func (s *Store) Proposals(ctx context.Context, a access.Actor, limit int) ([]StarRecord, int, error) {
	if !a.Manages(a.Region) {
		return nil, 0, apperr.Forbidden("volunteer.forbidden")
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var total int
	area, args := inArea("v.region_code", a.Region)
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM volunteer_star x JOIN volunteer v ON v.id = x.volunteer_id
		WHERE x.state = 'proposed' AND `+area, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("star proposals: %w", err)
	}
	rows, err := s.DB.Query(ctx, "SELECT "+starCols+" WHERE x.state = 'proposed' AND "+area+" ORDER BY x.level DESC, x.reached_at, x.volunteer_id LIMIT ?",
		append(args, limit)...)
	list, err := db.Collect(rows, err, scanStar)
	return list, total, err
}

// StarsOf lists a volunteer's star records, lowest level first.
func (s *Store) StarsOf(ctx context.Context, volunteerID int64) ([]StarRecord, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+starCols+" WHERE x.volunteer_id = ? ORDER BY x.level", volunteerID)
	return db.Collect(rows, err, scanStar)
}

// ConfirmStar is the office's 认定 of a proposed level, with the level of
// government that certifies it.
func (s *Store) ConfirmStar(ctx context.Context, a access.Actor, volunteerID int64, level int, certifiedAs string) error {
	if certifiedAs != CertDistrict && certifiedAs != CertCity {
		return apperr.Invalid("volunteer.cert_level_invalid")
	}
	v, err := s.get(ctx, s.DB, volunteerID)
	if err != nil {
		return err
	}
	if !a.Manages(v.RegionCode) {
		return apperr.Forbidden("volunteer.forbidden")
	}
	res, err := s.DB.Exec(ctx, `UPDATE volunteer_star SET state = 'confirmed', certified_as = ?, decided_by = ?, decided_at = ?
		WHERE volunteer_id = ? AND level = ? AND state = 'proposed'`, certifiedAs, creator(a), db.Millis(s.now()), volunteerID, level)
	if err != nil {
		return fmt.Errorf("confirm star: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var state string
		err := s.DB.QueryRow(ctx, "SELECT state FROM volunteer_star WHERE volunteer_id = ? AND level = ?", volunteerID, level).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("volunteer.star_not_found")
		}
		return apperr.Conflict("volunteer.star_not_proposed")
	}
	return nil
}

// HoursText is the volunteer's total hours.
func (x StarRecord) HoursText() string { return Hours(x.Minutes) }
