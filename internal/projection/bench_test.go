package projection_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/site"
)

// BenchmarkProjectionPage measures 测评预估 at city scale: the sample
// framework (60 criteria), WENMING_BENCH_SITES sites (default 2,000) of
// the 17 site types with field criteria spread over the demo district's
// 104 communities, two full open rounds of inspection (93 % pass, 5 % 不适用,
// 2 % fail, every failure filed and dispatched), and the demo's survey
// rounds. Each operation is one GET /projection as the office (the whole
// district, through the router and the template), timed beside the raw
// baseline of the same database: one GROUP BY of the latest round's
// results by criterion. WENMING_TEST_POSTGRES selects PostgreSQL.
//
//	go test -run '^$' -bench ProjectionPage -benchtime 30x ./internal/projection/
func BenchmarkProjectionPage(b *testing.B) {
	ctx := context.Background()
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("WENMING_BENCH_SITES")); err == nil && v > 0 {
		n = v
	}
	app := servertest.New(b)
	began := time.Now()
	plan := benchRounds(b, app, n)
	if _, _, err := demo.LoadSurveys(ctx, demo.SurveyDeps{Surveys: app.Surveys, Org: app.Org, Regions: app.Regions}, time.Now()); err != nil {
		b.Fatal(err)
	}
	b.Logf("set-up: %d sites, two rounds, in %s", n, time.Since(began).Round(time.Second))
	office := app.SignedIn(b, "office")
	raw := func() time.Duration {
		t0 := time.Now()
		rows, err := app.DB.Query(ctx, `SELECT r.node_id, SUM(CASE WHEN r.outcome = 'pass' THEN 1 ELSE 0 END),
			SUM(CASE WHEN r.outcome = 'fail' THEN 1 ELSE 0 END) FROM inspection_result r JOIN inspection i ON i.id = r.inspection_id
			WHERE i.plan_id = ? GROUP BY r.node_id`, plan)
		if err != nil {
			b.Fatal(err)
		}
		groups := 0
		for rows.Next() {
			groups++
		}
		rows.Close()
		if groups == 0 {
			b.Fatal("raw GROUP BY found no results")
		}
		return time.Since(t0)
	}
	var took, base []time.Duration
	var size int
	for b.Loop() {
		base = append(base, raw()) // interleaved: the same noise for both
		t0 := time.Now()
		res := office.Get("/projection")
		took = append(took, time.Since(t0))
		if res.Status != http.StatusOK || !bytes.Contains([]byte(res.Body), []byte(`id="projection-total"`)) {
			b.Fatalf("page: %d", res.Status)
		}
		size = len(res.Body)
	}
	p50, p99, raw50 := pct(took, 0.5), pct(took, 0.99), pct(base, 0.5)
	b.Logf("GET /projection p50 %s p99 %s; raw GROUP BY p50 %s; ratio %.1f", p50, p99, raw50, float64(p50)/float64(raw50))
	b.ReportMetric(float64(p50)/float64(time.Millisecond), "p50-ms")
	b.ReportMetric(float64(p99)/float64(time.Millisecond), "p99-ms")
	b.ReportMetric(float64(raw50)/float64(time.Millisecond), "raw-p50-ms")
	b.ReportMetric(float64(p50)/float64(raw50), "x-raw")
	b.ReportMetric(float64(size)/1024, "page-KB")
}

func pct(xs []time.Duration, p float64) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(p*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// benchRounds makes n sites and plays two full rounds over them; it
// returns the second round.
func benchRounds(b *testing.B, app *servertest.App, n int) int64 {
	b.Helper()
	ctx := context.Background()
	sys := access.System()
	streets, err := demo.Streets(ctx, app.Regions)
	if err != nil {
		b.Fatal(err)
	}
	var communities []string
	for _, st := range streets {
		for _, c := range st.Communities {
			communities = append(communities, c.Code)
		}
	}
	v, err := app.Framework.ActiveVersion(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var types []string
	seen := map[string]bool{}
	v.Walk(func(nd *framework.Node) {
		if nd.HasMethod(framework.MethodField) {
			for _, st := range nd.SiteTypes {
				if !seen[st] {
					seen[st] = true
					types = append(types, st)
				}
			}
		}
	})
	if len(types) == 0 || len(communities) == 0 {
		b.Fatalf("%d site types, %d communities", len(types), len(communities))
	}
	ids := make([]int64, 0, n)
	for i := range n {
		s, err := app.Sites.Create(ctx, sys, site.Input{Name: fmt.Sprintf("测评点位%04d", i+1), TypeCode: types[i%len(types)],
			RegionCode: communities[i%len(communities)], Address: fmt.Sprintf("测评路%d号", i+1)})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	office, insp := servertest.Actor(b, app, "office"), servertest.Actor(b, app, "inspector")
	photo, err := app.Media.Ingest(ctx, bytes.NewReader(servertest.JPEGBytes(5)), "fail.jpg")
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 2026))
	var last int64
	for r := range 2 {
		p, err := app.Inspect.CreatePlan(ctx, office, inspect.PlanInput{Name: fmt.Sprintf("城市模拟测评第%d轮", r+1), RegionCode: demo.District,
			StartsOn: "2026-11-01", EndsOn: "2026-11-30", SiteIDs: ids, Inspectors: []int64{insp.UserID}})
		if err != nil {
			b.Fatal(err)
		}
		for i, id := range ids {
			cl, err := app.Inspect.Checklist(ctx, insp, p.ID, id)
			if err != nil {
				b.Fatal(err)
			}
			in := inspect.SubmitInput{PlanID: p.ID, SiteID: id, ClientID: fmt.Sprintf("bench-%d-%d", r, i)}
			for _, c := range cl.Criteria {
				o := inspect.Pass
				switch x := rng.Float64(); {
				case x < 0.02:
					o = inspect.Fail
				case x < 0.07:
					o = inspect.NotApplicable
				}
				res := inspect.ResultInput{NodeID: c.ID, Outcome: o}
				if o == inspect.Fail {
					res.Photo = photo.Hash
				}
				in.Results = append(in.Results, res)
			}
			if _, err := app.Inspect.Submit(ctx, insp, in); err != nil {
				b.Fatal(err)
			}
		}
		last = p.ID
	}
	return last
}
