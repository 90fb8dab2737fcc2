package problem

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
)

// DuplicateRule says what counts as a likely duplicate: same category,
// within Meters of the place, reported within Days, still open.
type DuplicateRule struct {
	Meters float64
	Days   int
}

// DefaultDuplicateRule is 100 m and 7 days.
func DefaultDuplicateRule() DuplicateRule { return DuplicateRule{Meters: 100, Days: 7} }

// Similar lists the likely duplicates of a case, nearest first, for the
// office to merge before filing. Only cases the actor may see are listed.
func (s *Store) Similar(ctx context.Context, a access.Actor, c *Case, rule DuplicateRule) ([]*Case, error) {
	if !c.HasPlace || c.CategoryID == 0 {
		return nil, nil
	}
	// A box around the place narrows the rows; the distance decides.
	dLat := rule.Meters / 111_320
	dLng := rule.Meters / (111_320 * math.Max(math.Cos(c.Lat*math.Pi/180), 0.01))
	since := c.ReportedAt.Add(-time.Duration(rule.Days) * 24 * time.Hour)
	where, args := scopeSQL(a)
	rows, err := s.DB.Query(ctx, "SELECT "+caseColumns+caseFrom+" WHERE "+where+` AND p.id <> ? AND p.category_id = ?
		AND p.state NOT IN (?, ?, ?) AND p.reported_at >= ? AND p.lat BETWEEN ? AND ? AND p.lng BETWEEN ? AND ?
		ORDER BY p.reported_at DESC LIMIT 50`,
		append(args, c.ID, c.CategoryID, string(Closed), string(Rejected), string(Duplicate), db.Millis(since),
			c.Lat-dLat, c.Lat+dLat, c.Lng-dLng, c.Lng+dLng)...)
	if err != nil {
		return nil, fmt.Errorf("similar cases: %w", err)
	}
	near, err := db.Collect(rows, nil, func(r *sql.Rows) (*Case, error) { return scanCase(r) })
	if err != nil {
		return nil, fmt.Errorf("similar cases: %w", err)
	}
	var out []*Case
	for _, x := range near {
		if x.HasPlace && geo.DistanceMeters(geo.Point{Lng: c.Lng, Lat: c.Lat}, geo.Point{Lng: x.Lng, Lat: x.Lat}) <= rule.Meters {
			out = append(out, x)
		}
	}
	if err := s.withNames(ctx, s.DB, out); err != nil {
		return nil, err
	}
	return out, nil
}
