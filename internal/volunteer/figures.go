package volunteer

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// KPI are the volunteer figures of a region and period: the one type every
// page that counts volunteering reads.
type KPI struct {
	Registered int   // active registrations in the area
	Active     int   // served in the twelve months before the period's end
	Teams      int   // teams of the area
	Stations   int   // stations of the area
	Activities int   // activities that started in the period
	Minutes    int64 // service hours credited in the period (ledger, corrections included)
	Pending    int   // public sign-ups waiting for a team
	ByMonth    []Count
	ByKind     []Count
	ByTeam     []Count // the top teams by hours
	ByStation  []Count
}

// HoursText is the period's hours.
func (k KPI) HoursText() string { return Hours(k.Minutes) }

// Count is one bar of a breakdown.
type Count struct {
	Key     string
	Label   string
	Minutes int64
}

// HoursText is the bar's hours.
func (c Count) HoursText() string { return Hours(c.Minutes) }

// Figures counts the region's volunteering for the days from..to
// (inclusive, YYYY-MM-DD), for those who oversee the region.
func (s *Store) Figures(ctx context.Context, a access.Actor, region, from, to string) (KPI, error) {
	var k KPI
	if region == "" {
		region = a.Region
	}
	if !a.Oversees(region) {
		return k, apperr.Forbidden("volunteer.forbidden")
	}
	end, err := time.ParseInLocation("2006-01-02", to, Loc())
	if err != nil {
		return k, apperr.Invalid("volunteer.period_invalid")
	}
	start, err := time.ParseInLocation("2006-01-02", from, Loc())
	if err != nil || end.Before(start) {
		return k, apperr.Invalid("volunteer.period_invalid")
	}
	p := likePrefix(region)
	yearAgo := end.AddDate(-1, 0, 1).Format("2006-01-02")
	err = s.DB.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM volunteer WHERE region_code LIKE ? AND state = 'active'),
		(SELECT COUNT(*) FROM volunteer WHERE region_code LIKE ? AND state = 'active' AND last_served_on >= ?),
		(SELECT COUNT(*) FROM volunteer WHERE region_code LIKE ? AND state = 'pending'),
		(SELECT COUNT(*) FROM volunteer_team WHERE region_code LIKE ?),
		(SELECT COUNT(*) FROM volunteer_station WHERE region_code LIKE ?),
		(SELECT COUNT(*) FROM volunteer_activity WHERE region_code LIKE ? AND state <> 'cancelled' AND starts_at >= ? AND starts_at < ?),
		(SELECT COALESCE(SUM(minutes), 0) FROM volunteer_hours WHERE region_code LIKE ? AND served_on >= ? AND served_on <= ?)`,
		p, p, yearAgo, p, p, p, p, db.Millis(start), db.Millis(end.AddDate(0, 0, 1)), p, from, to).
		Scan(&k.Registered, &k.Active, &k.Pending, &k.Teams, &k.Stations, &k.Activities, &k.Minutes)
	if err != nil {
		return k, fmt.Errorf("volunteer figures: %w", err)
	}
	group := func(q string, args ...any) ([]Count, error) {
		rows, err := s.DB.Query(ctx, q, args...)
		return db.Collect(rows, err, func(r *sql.Rows) (Count, error) {
			var c Count
			return c, r.Scan(&c.Key, &c.Label, &c.Minutes)
		})
	}
	if k.ByMonth, err = group(`SELECT substr(served_on, 1, 7), substr(served_on, 1, 7), SUM(minutes) FROM volunteer_hours
		WHERE region_code LIKE ? AND served_on >= ? AND served_on <= ? GROUP BY substr(served_on, 1, 7) ORDER BY 1`, p, from, to); err != nil {
		return k, fmt.Errorf("hours by month: %w", err)
	}
	if k.ByKind, err = group(`SELECT h.kind, COALESCE(MAX(t.name), h.kind), SUM(h.minutes) FROM volunteer_hours h
		LEFT JOIN volunteer_activity_type t ON t.code = h.kind
		WHERE h.region_code LIKE ? AND h.served_on >= ? AND h.served_on <= ? AND h.kind <> '' GROUP BY h.kind ORDER BY 3 DESC`, p, from, to); err != nil {
		return k, fmt.Errorf("hours by type: %w", err)
	}
	if k.ByTeam, err = group(`SELECT CAST(h.team_id AS TEXT), MAX(t.name), SUM(h.minutes) FROM volunteer_hours h
		JOIN volunteer_team t ON t.id = h.team_id
		WHERE h.region_code LIKE ? AND h.served_on >= ? AND h.served_on <= ? GROUP BY h.team_id ORDER BY 3 DESC, 1 LIMIT 10`, p, from, to); err != nil {
		return k, fmt.Errorf("hours by team: %w", err)
	}
	if k.ByStation, err = group(`SELECT CAST(h.station_id AS TEXT), MAX(t.name), SUM(h.minutes) FROM volunteer_hours h
		JOIN volunteer_station t ON t.id = h.station_id
		WHERE h.region_code LIKE ? AND h.served_on >= ? AND h.served_on <= ? GROUP BY h.station_id ORDER BY 3 DESC, 1 LIMIT 20`, p, from, to); err != nil {
		return k, fmt.Errorf("hours by station: %w", err)
	}
	return k, nil
}
