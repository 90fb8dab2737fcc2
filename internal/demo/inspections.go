package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/site"
)

// InspectDeps are the stores the demo's inspection rounds go through.
type InspectDeps struct {
	CaseDeps
	Sites   *site.Store
	Inspect *inspect.Store
}

// LoadInspections places the demo district's sites and plays two
// completed rounds of inspection over them — a month ago and last week —
// so the map of sites and the scores have something to show. The second
// round is better than the first, as a campaign's should be. It does
// nothing when plans exist.
func LoadInspections(ctx context.Context, d InspectDeps, now time.Time) (sites, rounds int, err error) {
	if sites, err = site.DemoSites(ctx, d.Sites); err != nil {
		return 0, 0, err
	}
	if has, err := inspect.HasPlans(ctx, d.DB); err != nil || has {
		return sites, 0, err
	}
	p := &player{d: d.CaseDeps, rng: rand.New(rand.NewPCG(2026, 11)), actors: map[int64]access.Actor{}}
	if err := p.prepare(ctx); err != nil {
		return sites, 0, err
	}
	realProblems, realInspect := d.Problems.Now, d.Inspect.Now
	defer func() { d.Problems.Now, d.Inspect.Now = realProblems, realInspect }()
	for i, round := range []struct {
		name      string
		daysAgo   int
		passShare float64
	}{{"10 月模拟测评（第一轮）", 35, 0.82}, {"11 月模拟测评（第二轮）", 8, 0.93}} {
		start := now.AddDate(0, 0, -round.daysAgo)
		clock := start
		d.Problems.Now = func() time.Time { return clock }
		d.Inspect.Now = func() time.Time { return clock }
		plan, err := d.Inspect.CreatePlan(ctx, p.office, inspect.PlanInput{
			Name: round.name, RegionCode: District, StartsOn: start.Format("2006-01-02"),
			EndsOn: start.AddDate(0, 0, 5).Format("2006-01-02"), Inspectors: []int64{p.inspector.UserID},
			SiteIDs: nil, Sampling: &inspect.Sampling{PerType: allTypes(), Seed: int64(2026 + i)},
		})
		if err != nil {
			return sites, rounds, fmt.Errorf("demo plan: %w", err)
		}
		ids, err := d.Inspect.PlanSiteIDs(ctx, p.office, plan.ID)
		if err != nil {
			return sites, rounds, err
		}
		for k, id := range ids {
			clock = start.Add(time.Duration(k*47) * time.Minute)
			cl, err := d.Inspect.Checklist(ctx, p.inspector, plan.ID, id)
			if err != nil {
				return sites, rounds, err
			}
			in := inspect.SubmitInput{PlanID: plan.ID, SiteID: id, ClientID: "demo-" + strconv.FormatInt(plan.ID, 10) + "-" + strconv.FormatInt(id, 10)}
			if cl.Site.HasPlace {
				in.Lng, in.Lat, in.HasPlace = cl.Site.Lng, cl.Site.Lat, true
			}
			for _, c := range cl.Criteria {
				r := inspect.ResultInput{NodeID: c.ID, Outcome: inspect.Pass}
				switch x := p.rng.Float64(); {
				case x > round.passShare+0.04:
					r.Outcome, r.Photo, r.Note = inspect.Fail, p.before[p.rng.IntN(len(p.before))], "现场不达标"
				case x > round.passShare:
					r.Outcome = inspect.NotApplicable
				}
				in.Results = append(in.Results, r)
			}
			if _, err := d.Inspect.Submit(ctx, p.inspector, in); err != nil {
				return sites, rounds, fmt.Errorf("demo inspection: %w", err)
			}
		}
		rounds++
	}
	return sites, rounds, nil
}

// allTypes samples every site of every built-in type.
func allTypes() map[string]int {
	out := map[string]int{}
	for _, t := range []string{"practice_center", "gov_hall", "bank", "window_unit", "bus_stop", "bus", "taxi", "toilet", "square",
		"hotel", "park", "community", "construction_site", "scenic_spot", "school", "mall", "hospital", "culture_venue",
		"intersection", "back_alley", "commercial_street", "main_road", "urban_rural_fringe", "market", "residential_compound", "township"} {
		out[t] = 99
	}
	return out
}
