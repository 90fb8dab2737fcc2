package inspect

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/site"
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
	rows, err := s.DB.Query(ctx, `SELECT x.site_id,
		i.id IS NOT NULL, i.score_rate, COALESCE(i.fails, 0), COALESCE(i.inspector_id, 0), COALESCE(x.inspector_id, 0),
		(SELECT j.score_rate FROM inspection j WHERE j.site_id = x.site_id AND j.plan_id <> ? AND j.score_rate IS NOT NULL
			AND j.submitted_at < COALESCE(i.submitted_at, ?) ORDER BY j.submitted_at DESC LIMIT 1)
		FROM inspection_plan_site x LEFT JOIN inspection i ON i.plan_id = x.plan_id AND i.site_id = x.site_id
		WHERE x.plan_id = ?`, planID, int64(1)<<62, planID)
	if err != nil {
		return Results{}, fmt.Errorf("plan results: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sc SiteScore
		var rate, prev sql.NullFloat64
		if err := rows.Scan(&sc.SiteID, &sc.Done, &rate, &sc.Fails, &sc.InspectorID, &sc.AssigneeID, &prev); err != nil {
			return Results{}, fmt.Errorf("plan results: %w", err)
		}
		sc.Rate, sc.HasRate = rate.Float64, rate.Valid
		sc.Previous, sc.HasPrevious = prev.Float64, prev.Valid
		res.Sites = append(res.Sites, sc)
	}
	if err := rows.Err(); err != nil {
		return Results{}, err
	}
	rows.Close()
	if res.Sites, err = s.nameScores(ctx, res.Sites); err != nil {
		return Results{}, err
	}
	res.Progress, res.Unassigned = progress(p.Inspectors, res.Sites)
	res.ByType = groups(res.Sites, func(s SiteScore) (string, string) { return s.TypeCode, s.TypeName })
	res.ByStreet = groups(res.Sites, func(s SiteScore) (string, string) { return s.Street, s.StreetName })
	res.ByDistrict = groups(res.Sites, func(s SiteScore) (string, string) { return s.District, s.DistrictName })
	if all := groups(res.Sites, func(SiteScore) (string, string) { return "all", "" }); len(all) == 1 {
		res.Overall = all[0]
	}
	wrows, err := s.DB.Query(ctx, `SELECT r.node_id, SUM(CASE WHEN r.outcome = 'fail' THEN 1 ELSE 0 END),
		SUM(CASE WHEN r.outcome <> 'na' THEN 1 ELSE 0 END)
		FROM inspection_result r JOIN inspection i ON i.id = r.inspection_id
		WHERE i.plan_id = ? GROUP BY r.node_id
		HAVING SUM(CASE WHEN r.outcome = 'fail' THEN 1 ELSE 0 END) > 0`, planID)
	if err != nil {
		return Results{}, fmt.Errorf("worst criteria: %w", err)
	}
	defer wrows.Close()
	var worst []WorstCriterion
	for wrows.Next() {
		var w WorstCriterion
		if err := wrows.Scan(&w.NodeID, &w.Fails, &w.Checked); err != nil {
			return Results{}, fmt.Errorf("worst criteria: %w", err)
		}
		worst = append(worst, w)
	}
	if err := wrows.Err(); err != nil {
		return Results{}, fmt.Errorf("worst criteria: %w", err)
	}
	wrows.Close()
	nodes := make([]int64, len(worst))
	for i, w := range worst {
		nodes[i] = w.NodeID
	}
	texts, err := framework.NodeTexts(ctx, s.DB, nodes)
	if err != nil {
		return Results{}, err
	}
	kept := worst[:0]
	for _, w := range worst {
		if t, ok := texts[w.NodeID]; ok { // as the former join on the node
			w.Code, w.Text = t.Code, t.Body
			kept = append(kept, w)
		}
	}
	sort.Slice(kept, func(i, j int) bool {
		if kept[i].Fails != kept[j].Fails {
			return kept[i].Fails > kept[j].Fails
		}
		return kept[i].Code < kept[j].Code
	})
	res.Worst = kept[:min(len(kept), 10)]
	return res, nil
}

// nameScores fills the sites' names, types, streets, districts and
// assignees from their owners (one query each for the plan), leaves out
// sites or types that no longer exist, as the former joins did, and sorts
// by type and name.
func (s *Store) nameScores(ctx context.Context, scores []SiteScore) ([]SiteScore, error) {
	ids := make([]int64, 0, len(scores))
	users := make([]int64, 0, len(scores))
	for _, sc := range scores {
		ids = append(ids, sc.SiteID)
		users = append(users, sc.AssigneeID)
	}
	basics, err := site.Basics(ctx, s.DB, ids)
	if err != nil {
		return nil, err
	}
	types, err := framework.SiteTypeNames(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	assignees, err := org.DisplayNames(ctx, s.DB, users)
	if err != nil {
		return nil, err
	}
	kept := scores[:0]
	var regions []string
	for _, sc := range scores {
		b, ok := basics[sc.SiteID]
		if !ok {
			continue
		}
		typeName, ok := types[b.TypeCode]
		if !ok {
			continue
		}
		sc.SiteName, sc.TypeCode, sc.TypeName, sc.RegionCode = b.Name, b.TypeCode, typeName, b.RegionCode
		if len(sc.RegionCode) >= 9 {
			sc.Street = sc.RegionCode[:9]
		}
		if len(sc.RegionCode) >= 6 {
			sc.District = sc.RegionCode[:6]
		}
		sc.AssigneeName = assignees[sc.AssigneeID]
		// As the former SQL substr: a shorter code names itself.
		regions = append(regions, prefix(sc.RegionCode, 9), prefix(sc.RegionCode, 6))
		kept = append(kept, sc)
	}
	names, err := region.Names(ctx, s.DB, regions)
	if err != nil {
		return nil, err
	}
	for i := range kept {
		kept[i].StreetName, kept[i].DistrictName = names[prefix(kept[i].RegionCode, 9)], names[prefix(kept[i].RegionCode, 6)]
	}
	sort.SliceStable(kept, func(i, j int) bool {
		if kept[i].TypeCode != kept[j].TypeCode {
			return kept[i].TypeCode < kept[j].TypeCode
		}
		if kept[i].SiteName != kept[j].SiteName {
			return kept[i].SiteName < kept[j].SiteName
		}
		return kept[i].SiteID < kept[j].SiteID
	})
	return kept, nil
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

func prefix(s string, n int) string { return s[:min(len(s), n)] }

// LatestScores returns, for each of the sites that has one, the score
// (0–100) of its latest published inspection: covert rounds count once the
// office has published them. It serves site.Store.Scores.
func LatestScores(ctx context.Context, c db.Conn, siteIDs []int64) (map[int64]float64, error) {
	out := make(map[int64]float64, len(siteIDs))
	for len(siteIDs) > 0 {
		n := min(len(siteIDs), 500)
		args := make([]any, n)
		for i, id := range siteIDs[:n] {
			args[i] = id
		}
		siteIDs = siteIDs[n:]
		rows, err := c.Query(ctx, `SELECT site_id, rate FROM (
				SELECT i.site_id, i.score_rate * 100 AS rate,
					ROW_NUMBER() OVER (PARTITION BY i.site_id ORDER BY i.submitted_at DESC) AS rn
				FROM inspection i JOIN inspection_plan ip ON ip.id = i.plan_id
				WHERE i.site_id IN (`+db.Placeholders(n)+`) AND i.score_rate IS NOT NULL
					AND (ip.covert = FALSE OR ip.published_at IS NOT NULL)) latest
			WHERE rn = 1`, args...)
		if err != nil {
			return nil, fmt.Errorf("latest scores: %w", err)
		}
		for rows.Next() {
			var id int64
			var v float64
			if err := rows.Scan(&id, &v); err != nil {
				rows.Close()
				return nil, fmt.Errorf("latest scores: %w", err)
			}
			out[id] = v
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("latest scores: %w", err)
		}
	}
	return out, nil
}
