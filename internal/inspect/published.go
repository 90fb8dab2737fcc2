package inspect

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/site"
)

// PublishedScore is one scored inspection as the assessment counts it.
type PublishedScore struct {
	SiteID               int64
	TypeCode, RegionCode string // the site's, from the site package
	Rate                 float64
}

// PublishedScores returns the inspections submitted in [from, to) that
// have a score rate and are public: covert rounds count once published.
func PublishedScores(ctx context.Context, c db.Conn, from, to time.Time) ([]PublishedScore, error) {
	rows, err := c.Query(ctx, `SELECT i.site_id, i.score_rate FROM inspection i JOIN inspection_plan pl ON pl.id = i.plan_id
		WHERE i.submitted_at >= ? AND i.submitted_at < ? AND i.score_rate IS NOT NULL
		AND (NOT pl.covert OR pl.published_at IS NOT NULL) ORDER BY i.id`, db.Millis(from), db.Millis(to))
	out, err := db.Collect(rows, err, func(r *sql.Rows) (PublishedScore, error) {
		var x PublishedScore
		return x, r.Scan(&x.SiteID, &x.Rate)
	})
	if err != nil {
		return nil, fmt.Errorf("published scores: %w", err)
	}
	ids := make([]int64, 0, len(out))
	seen := map[int64]bool{}
	for _, x := range out {
		if !seen[x.SiteID] {
			seen[x.SiteID] = true
			ids = append(ids, x.SiteID)
		}
	}
	sites, err := site.Basics(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		b := sites[out[i].SiteID]
		out[i].TypeCode, out[i].RegionCode = b.TypeCode, b.RegionCode
	}
	return out, nil
}
