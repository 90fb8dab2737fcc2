package inspect

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/wenming-civic/wenming/internal/access"
)

// SiteScore is one site's result in a plan, with its previous round.
type SiteScore struct {
	SiteID       int64
	SiteName     string
	TypeCode     string
	TypeName     string
	RegionCode   string
	District     string // district code (6 digits)
	Street       string // street code (9 digits)
	StreetName   string
	DistrictName string
	Done         bool
	Rate         float64
	HasRate      bool
	Previous     float64 // the site's rate in its latest earlier inspection
	HasPrevious  bool
	Fails        int
	InspectorID  int64 // who inspected it
	AssigneeID   int64 // who it is assigned to; 0: any inspector of the plan
	AssigneeName string
}

// Change is the rate's change since the previous round, in points.
func (s SiteScore) Change() float64 { return (s.Rate - s.Previous) * 100 }

// Group is the average rate of a set of sites.
type Group struct {
	Key, Name string
	Sites     int
	Rated     int
	Mean      float64
}

// WorstCriterion is a criterion that failed often in a plan.
type WorstCriterion struct {
	NodeID     int64
	Code, Text string
	Fails      int
	Checked    int
}

// Results is everything the plan page shows.
type Results struct {
	Plan       Plan
	Sites      []SiteScore
	ByType     []Group
	ByStreet   []Group
	ByDistrict []Group
	Overall    Group
	Worst      []WorstCriterion
	// Progress is each inspector's share, in the order of Plan.Inspectors.
	Progress []InspectorProgress
	// Unassigned counts the sites not inspected yet that are open to every
	// inspector.
	Unassigned int
}

// Results computes a plan's scores: per site, averaged by site type, by
// street and over the plan (the plan's area is the district), with each
// site's change since its previous inspection and the worst criteria.
func (s *Store) Results(ctx context.Context, a access.Actor, planID int64) (Results, error) {
	p, err := s.Plan(ctx, a, planID)
	if err != nil {
		return Results{}, err
	}
	res := Results{Plan: p}
	rows, err := s.DB.Query(ctx, `SELECT st.id, st.name, st.type_code, t.name, st.region_code, COALESCE(r.name, ''), COALESCE(dr.name, ''),
		i.id IS NOT NULL, i.score_rate, COALESCE(i.fails, 0), COALESCE(i.inspector_id, 0),
		COALESCE(x.inspector_id, 0), COALESCE(au.display_name, ''),
		(SELECT j.score_rate FROM inspection j WHERE j.site_id = st.id AND j.plan_id <> ? AND j.score_rate IS NOT NULL
			AND j.submitted_at < COALESCE(i.submitted_at, ?) ORDER BY j.submitted_at DESC LIMIT 1)
		FROM inspection_plan_site x JOIN site st ON st.id = x.site_id JOIN site_type t ON t.code = st.type_code
		LEFT JOIN region r ON r.code = substr(st.region_code, 1, 9)
		LEFT JOIN region dr ON dr.code = substr(st.region_code, 1, 6)
		LEFT JOIN inspection i ON i.plan_id = x.plan_id AND i.site_id = st.id
		LEFT JOIN app_user au ON au.id = x.inspector_id
		WHERE x.plan_id = ? ORDER BY st.type_code, st.name`, planID, int64(1)<<62, planID)
	if err != nil {
		return Results{}, fmt.Errorf("plan results: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sc SiteScore
		var rate, prev sql.NullFloat64
		if err := rows.Scan(&sc.SiteID, &sc.SiteName, &sc.TypeCode, &sc.TypeName, &sc.RegionCode, &sc.StreetName, &sc.DistrictName,
			&sc.Done, &rate, &sc.Fails, &sc.InspectorID, &sc.AssigneeID, &sc.AssigneeName, &prev); err != nil {
			return Results{}, fmt.Errorf("plan results: %w", err)
		}
		sc.Rate, sc.HasRate = rate.Float64, rate.Valid
		sc.Previous, sc.HasPrevious = prev.Float64, prev.Valid
		if len(sc.RegionCode) >= 9 {
			sc.Street = sc.RegionCode[:9]
		}
		if len(sc.RegionCode) >= 6 {
			sc.District = sc.RegionCode[:6]
		}
		res.Sites = append(res.Sites, sc)
	}
	if err := rows.Err(); err != nil {
		return Results{}, err
	}
	res.Progress, res.Unassigned = progress(p.Inspectors, res.Sites)
	res.ByType = groups(res.Sites, func(s SiteScore) (string, string) { return s.TypeCode, s.TypeName })
	res.ByStreet = groups(res.Sites, func(s SiteScore) (string, string) { return s.Street, s.StreetName })
	res.ByDistrict = groups(res.Sites, func(s SiteScore) (string, string) { return s.District, s.DistrictName })
	if all := groups(res.Sites, func(SiteScore) (string, string) { return "all", "" }); len(all) == 1 {
		res.Overall = all[0]
	}
	wrows, err := s.DB.Query(ctx, `SELECT n.id, n.code, n.body, SUM(CASE WHEN r.outcome = 'fail' THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.outcome <> 'na' THEN 1 ELSE 0 END)
		FROM inspection_result r JOIN inspection i ON i.id = r.inspection_id JOIN framework_node n ON n.id = r.node_id
		WHERE i.plan_id = ? GROUP BY n.id, n.code, n.body
		HAVING SUM(CASE WHEN r.outcome = 'fail' THEN 1 ELSE 0 END) > 0
		ORDER BY SUM(CASE WHEN r.outcome = 'fail' THEN 1 ELSE 0 END) DESC, n.code LIMIT 10`, planID)
	if err != nil {
		return Results{}, fmt.Errorf("worst criteria: %w", err)
	}
	defer wrows.Close()
	for wrows.Next() {
		var w WorstCriterion
		if err := wrows.Scan(&w.NodeID, &w.Code, &w.Text, &w.Fails, &w.Checked); err != nil {
			return Results{}, fmt.Errorf("worst criteria: %w", err)
		}
		res.Worst = append(res.Worst, w)
	}
	return res, wrows.Err()
}

// groups averages the rated sites by a key, in key order.
func groups(sites []SiteScore, key func(SiteScore) (string, string)) []Group {
	by := map[string]*Group{}
	sums := map[string]float64{}
	for _, s := range sites {
		k, name := key(s)
		g, ok := by[k]
		if !ok {
			g = &Group{Key: k, Name: name}
			by[k] = g
		}
		g.Sites++
		if s.HasRate {
			g.Rated++
			sums[k] += s.Rate
		}
	}
	out := make([]Group, 0, len(by))
	for k, g := range by {
		if g.Rated > 0 {
			g.Mean = sums[k] / float64(g.Rated)
		}
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// SiteHistory lists a site's inspections, newest first, for its page.
func (s *Store) SiteHistory(ctx context.Context, a access.Actor, siteID int64) ([]SiteRound, error) {
	if _, err := s.Sites.Get(ctx, a, siteID); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT i.plan_id, p.name, p.covert, p.published_at IS NOT NULL, i.submitted_at, i.score_rate, i.fails
		FROM inspection i JOIN inspection_plan p ON p.id = i.plan_id WHERE i.site_id = ? ORDER BY i.submitted_at DESC`, siteID)
	if err != nil {
		return nil, fmt.Errorf("site history: %w", err)
	}
	defer rows.Close()
	var out []SiteRound
	for rows.Next() {
		var r SiteRound
		var covert, published bool
		var at int64
		var rate sql.NullFloat64
		if err := rows.Scan(&r.PlanID, &r.PlanName, &covert, &published, &at, &rate, &r.Fails); err != nil {
			return nil, fmt.Errorf("site history: %w", err)
		}
		// Covert rounds stay hidden from everyone but the office and
		// leaders until published.
		if covert && !published && !a.IsAdmin() && !a.HasAny(access.RoleOffice, access.RoleLeader) {
			continue
		}
		r.At, r.Rate, r.HasRate = fromMillis(at), rate.Float64, rate.Valid
		out = append(out, r)
	}
	return out, rows.Err()
}
