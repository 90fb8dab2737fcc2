package site

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/region"
)

// Pick is a site offered to someone choosing the place of a report: where
// it is and, for signed-in people, which site it is. What an anonymous
// person (the public form) gets is only what a sign on the street shows:
// the name and the place.
type Pick struct {
	ID         int64   `json:"id,omitempty"`
	Code       string  `json:"code,omitempty"`
	Name       string  `json:"name"`
	Address    string  `json:"address,omitempty"`
	Lng        float64 `json:"lng"`
	Lat        float64 `json:"lat"`
	RegionCode string  `json:"region"`
}

// PickFilter narrows the sites offered: those in a region's subtree,
// those whose name (or, for signed-in people, address) contains Query.
type PickFilter struct {
	Region string
	Query  string
	Limit  int
}

// MaxPicks bounds one answer; a search narrows further.
const MaxPicks = 500

// Picks lists the active sites with a place that match f, by region and
// name. Everyone may pick a place, the public included: the sites are
// public places. Signed-in people also get the site's id, code and
// address; nobody gets its contacts, units or scores.
func (s *Store) Picks(ctx context.Context, a access.Actor, f PickFilter) ([]Pick, error) {
	where := "active = ? AND lng IS NOT NULL"
	args := []any{true}
	if r := strings.TrimSpace(f.Region); r != "" {
		c, ra := region.SubtreeSQL("region_code", r)
		where += " AND " + c
		args = append(args, ra...)
	}
	signedIn := a.SignedIn()
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		if signedIn {
			where += ` AND (LOWER(name) LIKE ? ESCAPE '\' OR LOWER(address) LIKE ? ESCAPE '\')`
			args = append(args, like, like)
		} else {
			where += ` AND LOWER(name) LIKE ? ESCAPE '\'`
			args = append(args, like)
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxPicks {
		limit = MaxPicks
	}
	rows, err := s.DB.Query(ctx, "SELECT id, code, name, address, lng, lat, region_code FROM site WHERE "+where+
		" ORDER BY region_code, name, id LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("pick sites: %w", err)
	}
	defer rows.Close()
	out := []Pick{}
	for rows.Next() {
		var p Pick
		var lng, lat sql.NullFloat64
		if err := rows.Scan(&p.ID, &p.Code, &p.Name, &p.Address, &lng, &lat, &p.RegionCode); err != nil {
			return nil, fmt.Errorf("pick sites: %w", err)
		}
		p.Lng, p.Lat = lng.Float64, lat.Float64
		if !signedIn {
			p.ID, p.Code, p.Address = 0, "", ""
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pick sites: %w", err)
	}
	return out, nil
}
