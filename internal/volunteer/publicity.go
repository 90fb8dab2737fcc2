package volunteer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/pii"
)

// Publicity is a 公示: the new star levels and the outstanding volunteers
// of a period, open to objections until a deadline.
type Publicity struct {
	ID              int64
	Title           string
	RegionCode      string
	PeriodFrom      string
	PeriodTo        string
	ObjectionsUntil time.Time
	CreatedAt       time.Time
	Entries         []PublicEntry
	Objections      int
	Open            int // objections not yet resolved
}

// Closed reports whether the objection period is over at now.
func (p Publicity) Closed(now time.Time) bool { return !now.Before(p.ObjectionsUntil) }

// PublicEntry is one line of a publicity: masked name, what for, hours.
type PublicEntry struct {
	Name    string // masked
	Kind    string // star, outstanding
	Level   int
	Minutes int64
}

// HoursText is the entry's hours.
func (e PublicEntry) HoursText() string { return Hours(e.Minutes) }

// PublicityInput is a new publicity.
type PublicityInput struct {
	Title      string
	PeriodFrom string
	PeriodTo   string
	Days       int // objection period, 1 … 30 days
	Top        int // outstanding volunteers by hours in the period (0: none)
}

// CreatePublicity lists the levels reached in the period and the top
// volunteers of the office's area, open to objections for Days days.
func (s *Store) CreatePublicity(ctx context.Context, a access.Actor, in PublicityInput) (int64, error) {
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" || len([]rune(in.Title)) > 80 {
		return 0, apperr.Invalid("volunteer.title_invalid")
	}
	f, err1 := time.ParseInLocation("2006-01-02", in.PeriodFrom, Loc())
	t, err2 := time.ParseInLocation("2006-01-02", in.PeriodTo, Loc())
	if err1 != nil || err2 != nil || t.Before(f) {
		return 0, apperr.Invalid("volunteer.period_invalid")
	}
	if in.Days < 1 || in.Days > 30 || in.Top < 0 || in.Top > 100 {
		return 0, apperr.Invalid("volunteer.publicity_days_invalid")
	}
	if a.Region == "" || !a.Manages(a.Region) {
		return 0, apperr.Forbidden("volunteer.forbidden")
	}
	now := s.now()
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO volunteer_publicity (title, region_code, period_from, period_to, objections_until, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Title, a.Region, in.PeriodFrom, in.PeriodTo,
			db.Millis(now.AddDate(0, 0, in.Days)), creator(a), db.Millis(now)).Scan(&id)
		if err != nil {
			return fmt.Errorf("create publicity: %w", err)
		}
		vArea, vArgs := inArea("v.region_code", a.Region)
		if _, err := tx.Exec(ctx, `INSERT INTO volunteer_publicity_entry (publicity_id, volunteer_id, kind, level, minutes)
			SELECT ?, x.volunteer_id, 'star', MAX(x.level), MAX(v.total_minutes) FROM volunteer_star x JOIN volunteer v ON v.id = x.volunteer_id
			WHERE x.state IN ('proposed', 'confirmed') AND x.reached_at >= ? AND x.reached_at < ? AND `+vArea+`
			GROUP BY x.volunteer_id`, append([]any{id, db.Millis(f), db.Millis(t.AddDate(0, 0, 1))}, vArgs...)...); err != nil {
			return fmt.Errorf("publicity stars: %w", err)
		}
		if in.Top > 0 {
			hArea, hArgs := inArea("h.region_code", a.Region)
			if _, err := tx.Exec(ctx, `INSERT INTO volunteer_publicity_entry (publicity_id, volunteer_id, kind, level, minutes)
				SELECT ?, h.volunteer_id, 'outstanding', 0, SUM(h.minutes) FROM volunteer_hours h
				WHERE `+hArea+` AND h.served_on >= ? AND h.served_on <= ?
				GROUP BY h.volunteer_id HAVING SUM(h.minutes) > 0 ORDER BY SUM(h.minutes) DESC, h.volunteer_id LIMIT ?`,
				append(append([]any{id}, hArgs...), in.PeriodFrom, in.PeriodTo, in.Top)...); err != nil {
				return fmt.Errorf("publicity outstanding: %w", err)
			}
		}
		return nil
	})
	return id, err
}

const publicityCols = `p.id, p.title, p.region_code, p.period_from, p.period_to, p.objections_until, p.created_at,
	(SELECT COUNT(*) FROM volunteer_objection o WHERE o.publicity_id = p.id),
	(SELECT COUNT(*) FROM volunteer_objection o WHERE o.publicity_id = p.id AND o.resolved_at IS NULL)
	FROM volunteer_publicity p`

func scanPublicity(r interface{ Scan(...any) error }) (Publicity, error) {
	var p Publicity
	var until, created int64
	err := r.Scan(&p.ID, &p.Title, &p.RegionCode, &p.PeriodFrom, &p.PeriodTo, &until, &created, &p.Objections, &p.Open)
	p.ObjectionsUntil, p.CreatedAt = db.FromMillis(until), db.FromMillis(created)
	return p, err
}

// Publicities lists the publicities of the actor's area, newest first.
func (s *Store) Publicities(ctx context.Context, a access.Actor) ([]Publicity, error) {
	if !a.Oversees(a.Region) {
		return nil, apperr.Forbidden("volunteer.forbidden")
	}
	area, args := inArea("p.region_code", a.Region)
	rows, err := s.DB.Query(ctx, "SELECT "+publicityCols+" WHERE "+area+" ORDER BY p.created_at DESC, p.id DESC LIMIT 100", args...)
	return db.Collect(rows, err, func(r *sql.Rows) (Publicity, error) { return scanPublicity(r) })
}

// PublicPublicity is a publicity as anyone reads it: masked names only.
func (s *Store) PublicPublicity(ctx context.Context, id int64) (Publicity, error) {
	p, err := scanPublicity(s.DB.QueryRow(ctx, "SELECT "+publicityCols+" WHERE p.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFound("volunteer.publicity_not_found")
	}
	if err != nil {
		return p, fmt.Errorf("publicity: %w", err)
	}
	rows, err := s.DB.Query(ctx, `SELECT v.name, e.kind, e.level, e.minutes FROM volunteer_publicity_entry e JOIN volunteer v ON v.id = e.volunteer_id
		WHERE e.publicity_id = ? ORDER BY CASE e.kind WHEN 'star' THEN 0 ELSE 1 END, e.level DESC, e.minutes DESC, v.id`, id)
	p.Entries, err = db.Collect(rows, err, func(r *sql.Rows) (PublicEntry, error) {
		var e PublicEntry
		err := r.Scan(&e.Name, &e.Kind, &e.Level, &e.Minutes)
		e.Name = pii.MaskName(e.Name)
		return e, err
	})
	return p, err
}

// Object records anyone's objection during the objection period.
func (s *Store) Object(ctx context.Context, publicityID int64, body, contact string) error {
	body, contact = strings.TrimSpace(body), strings.TrimSpace(contact)
	if n := len([]rune(body)); n < 5 || n > 1000 {
		return apperr.Invalid("volunteer.objection_invalid")
	}
	if len([]rune(contact)) > 60 {
		return apperr.Invalid("volunteer.text_too_long")
	}
	p, err := scanPublicity(s.DB.QueryRow(ctx, "SELECT "+publicityCols+" WHERE p.id = ?", publicityID))
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("volunteer.publicity_not_found")
	}
	if err != nil {
		return fmt.Errorf("objection: %w", err)
	}
	if p.Closed(s.now()) {
		return apperr.Conflict("volunteer.objections_closed")
	}
	_, err = s.DB.Exec(ctx, "INSERT INTO volunteer_objection (publicity_id, body, contact, created_at) VALUES (?, ?, ?, ?)",
		publicityID, body, contact, db.Millis(s.now()))
	if err != nil {
		return fmt.Errorf("objection: %w", err)
	}
	return nil
}

// Objection is one objection to a publicity.
type Objection struct {
	ID         int64
	Body       string
	Contact    string
	CreatedAt  time.Time
	Resolution string
	ResolvedAt time.Time
}

// Objections lists a publicity's objections for the office of its area.
func (s *Store) Objections(ctx context.Context, a access.Actor, publicityID int64) ([]Objection, error) {
	p, err := s.PublicPublicity(ctx, publicityID)
	if err != nil {
		return nil, err
	}
	if !a.Oversees(p.RegionCode) {
		return nil, apperr.Forbidden("volunteer.forbidden")
	}
	rows, err := s.DB.Query(ctx, `SELECT id, body, contact, created_at, resolution, COALESCE(resolved_at, 0) FROM volunteer_objection
		WHERE publicity_id = ? ORDER BY created_at, id`, publicityID)
	return db.Collect(rows, err, func(r *sql.Rows) (Objection, error) {
		var o Objection
		var created, resolved int64
		err := r.Scan(&o.ID, &o.Body, &o.Contact, &created, &o.Resolution, &resolved)
		o.CreatedAt = db.FromMillis(created)
		if resolved > 0 {
			o.ResolvedAt = db.FromMillis(resolved)
		}
		return o, err
	})
}

// Resolve records the office's answer to an objection, once.
func (s *Store) Resolve(ctx context.Context, a access.Actor, publicityID, objectionID int64, resolution string) error {
	resolution = strings.TrimSpace(resolution)
	if resolution == "" || len([]rune(resolution)) > 500 {
		return apperr.Invalid("volunteer.resolution_invalid")
	}
	p, err := s.PublicPublicity(ctx, publicityID)
	if err != nil {
		return err
	}
	if !a.Manages(p.RegionCode) {
		return apperr.Forbidden("volunteer.forbidden")
	}
	res, err := s.DB.Exec(ctx, `UPDATE volunteer_objection SET resolution = ?, resolved_by = ?, resolved_at = ?
		WHERE id = ? AND publicity_id = ? AND resolved_at IS NULL`, resolution, creator(a), db.Millis(s.now()), objectionID, publicityID)
	if err != nil {
		return fmt.Errorf("resolve objection: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Conflict("volunteer.objection_resolved")
	}
	return nil
}
