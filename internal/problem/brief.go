package problem

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// Brief is the few columns of a case that counting needs: where and when
// it was found, what it is, who holds it and how it stands. A campaign
// over 200,000 cases counts briefs; reading whole cases with their names
// for that took most of its page's time.
type Brief struct {
	ID         int64
	CategoryID int64
	UnitID     int64
	SiteID     int64
	RegionCode string
	State      State
	ReportedAt time.Time
	Deadline   time.Time
	ClosedAt   time.Time
	HasPlace   bool
	Lng, Lat   float64
}

// Overdue is Case.Overdue for a brief.
func (b *Brief) Overdue(now time.Time) bool {
	return b.State.Open() && !b.Deadline.IsZero() && b.Deadline.Before(now)
}

// Brief is the case's brief.
func (c *Case) Brief() Brief {
	return Brief{ID: c.ID, CategoryID: c.CategoryID, UnitID: c.UnitID, SiteID: c.SiteID, RegionCode: c.RegionCode,
		State: c.State, ReportedAt: c.ReportedAt, Deadline: c.Deadline, ClosedAt: c.ClosedAt,
		HasPlace: c.HasPlace, Lng: c.Lng, Lat: c.Lat}
}

const briefColumns = `p.id, COALESCE(p.category_id, 0), COALESCE(p.unit_id, 0), COALESCE(p.site_id, 0),
	COALESCE(p.region_code, ''), p.state, p.reported_at, p.deadline, p.closed_at, p.lng, p.lat`

// EachBrief calls fn with the brief of every case of f the actor may see,
// in f's order (the first f.Limit when it is set), without names and
// without holding them. fn's Brief is reused between calls; copy it to
// keep it.
func (s *Store) EachBrief(ctx context.Context, a access.Actor, f Filter, fn func(*Brief) error) error {
	if !a.SignedIn() {
		return apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	hints := s.DB.Dialect().Hints()
	where, args := f.whereFor(a, s.Now(), s.DB.Dialect(), hints)
	q := "SELECT " + briefColumns + f.from(hints) + " WHERE " + where + f.order()
	if f.Limit > 0 {
		q, args = q+" LIMIT ?", append(args, f.Limit)
	}
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read problem briefs: %w", err)
	}
	defer rows.Close()
	var b Brief
	var reported int64
	var deadline, closed sql.NullInt64
	var lng, lat sql.NullFloat64
	for rows.Next() {
		if err := rows.Scan(&b.ID, &b.CategoryID, &b.UnitID, &b.SiteID, &b.RegionCode, &b.State,
			&reported, &deadline, &closed, &lng, &lat); err != nil {
			return fmt.Errorf("read problem briefs: %w", err)
		}
		b.ReportedAt, b.Deadline, b.ClosedAt = db.FromMillis(reported), db.FromNullMillis(deadline), db.FromNullMillis(closed)
		b.Lng, b.Lat, b.HasPlace = lng.Float64, lat.Float64, lng.Valid && lat.Valid
		if err := fn(&b); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read problem briefs: %w", err)
	}
	return nil
}

// ByIDs reads the cases of ids the actor may see, with their names, in
// no particular order; ids it may not see are left out.
func (s *Store) ByIDs(ctx context.Context, a access.Actor, ids []int64) ([]*Case, error) {
	if !a.SignedIn() {
		return nil, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	var out []*Case
	for len(ids) > 0 {
		part := ids[:min(len(ids), namedBatch)]
		ids = ids[len(part):]
		where, args := Filter{}.whereFor(a, s.Now(), s.DB.Dialect(), s.DB.Dialect().Hints())
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := s.DB.Query(ctx, "SELECT "+caseColumns+caseFrom+" WHERE "+where+
			" AND p.id IN ("+db.Placeholders(len(part))+")", args...)
		got, err := db.Collect(rows, err, func(r *sql.Rows) (*Case, error) { return scanCase(r) })
		if err != nil {
			return nil, fmt.Errorf("read problems by id: %w", err)
		}
		if err := s.withNames(ctx, s.DB, got); err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// Group counts the cases of one unit and category: found, closed, closed
// by the deadline, and open past it now.
type Group struct {
	UnitID, CategoryID int64
	Found, Closed      int
	OnTime, Overdue    int
}

// Groups counts the cases of f the actor may see by unit and category, in
// the database: a campaign over 200,000 cases asks for a few hundred rows
// instead of reading every case.
func (s *Store) Groups(ctx context.Context, a access.Actor, f Filter) ([]Group, error) {
	if !a.SignedIn() {
		return nil, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	now := s.Now()
	hints := s.DB.Dialect().Hints()
	where, args := f.whereFor(a, now, s.DB.Dialect(), hints)
	// Closed on time and overdue as Case.Overdue and the campaign's tally
	// define them: a deadline, and closed by it or open past it.
	q := `SELECT COALESCE(p.unit_id, 0), COALESCE(p.category_id, 0), COUNT(*),
		SUM(CASE WHEN p.state = ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN p.state = ? AND p.deadline IS NOT NULL AND p.closed_at <= p.deadline THEN 1 ELSE 0 END),
		SUM(CASE WHEN ` + overdueStates + ` AND p.deadline IS NOT NULL AND p.deadline < ? THEN 1 ELSE 0 END)` +
		f.from(hints) + " WHERE " + where + " GROUP BY COALESCE(p.unit_id, 0), COALESCE(p.category_id, 0)"
	args = append([]any{string(Closed), string(Closed), db.Millis(now)}, args...)
	rows, err := s.DB.Query(ctx, q, args...)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (Group, error) {
		var g Group
		return g, r.Scan(&g.UnitID, &g.CategoryID, &g.Found, &g.Closed, &g.OnTime, &g.Overdue)
	})
	if err != nil {
		return nil, fmt.Errorf("count problem groups: %w", err)
	}
	return out, nil
}
