package merchant_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/merchant"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/synth"
)

// Linking cases to 50,000 merchants' frontages, and the monthly flag
// proposal for the whole city.
//
// BenchmarkFrontageMatch is in memory: the frontage index (an R-tree over
// the frontages' boxes, then the exact test) per case point, beside the raw
// point lookup the ledger makes for every case (the grid index, 20,000
// synthetic grids) and the bare box search:
//
//	go test -run '^$' -bench FrontageMatch ./internal/merchant/
//
// BenchmarkCity runs on the synthetic city of WENMING_BENCH_PROBLEMS cases
// (default 20,000; the figure is 1,000,000), cached by
// synth.OpenCached, with 50,000 merchants placed near cases of the city
// (written once into the cached city); WENMING_TEST_POSTGRES selects
// PostgreSQL:
//
//	WENMING_BENCH_PROBLEMS=1000000 go test -run '^$' -bench City -benchtime 3x ./internal/merchant/
//
// link/case is Backfill (read the filed cases in batches, match, insert the
// links) per case, beside reading the same cases alone (x-raw); proposal
// is ProposeAll for the whole city and its busiest month, beside reading
// the merchants' rows bare and the raw GROUP BY of that month's links.

const benchMerchants = 50_000

// benchCenter is 湛河区.
var benchCenter = geo.Point{Lng: 113.32, Lat: 33.70}

func metres(p geo.Point, e, n float64) geo.Point {
	return geo.Point{Lng: p.Lng + e/(111195*math.Cos(p.Lat*math.Pi/180)), Lat: p.Lat + n/111195}
}

// benchEntries are n merchants on a 0.3° square: a third with a radius, a
// third a 20 m line, a third a 10 m square.
func benchEntries(n int) []merchant.Entry {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]merchant.Entry, n)
	for i := range out {
		p := geo.Point{Lng: benchCenter.Lng - 0.15 + rng.Float64()*0.3, Lat: benchCenter.Lat - 0.15 + rng.Float64()*0.3}
		var f merchant.Frontage
		switch i % 3 {
		case 0:
			f, _ = merchant.ParseFrontage(merchant.FrontRadius, "", 10)
		case 1:
			a, b := metres(p, -10, 0), metres(p, 10, 0)
			f, _ = merchant.ParseFrontage(merchant.FrontLine, fmt.Sprintf(`{"type":"LineString","coordinates":[[%f,%f],[%f,%f]]}`, a.Lng, a.Lat, b.Lng, b.Lat), 5)
		default:
			c := []geo.Point{metres(p, -5, -5), metres(p, 5, -5), metres(p, 5, 5), metres(p, -5, 5), metres(p, -5, -5)}
			f, _ = merchant.ParseFrontage(merchant.FrontPolygon, fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}`,
				c[0].Lng, c[0].Lat, c[1].Lng, c[1].Lat, c[2].Lng, c[2].Lat, c[3].Lng, c[3].Lat, c[4].Lng, c[4].Lat), 0)
		}
		out[i] = merchant.Entry{ID: int64(i + 1), Place: p, Frontage: f}
	}
	return out
}

func BenchmarkFrontageMatch(b *testing.B) {
	entries := benchEntries(benchMerchants)
	ix := merchant.NewIndex(entries)
	grids := geo.NewIndex(geo.SyntheticGrids(1, 20_000, benchCenter, 0.3))
	rng := rand.New(rand.NewPCG(3, 4))
	// Half the case points near a merchant (within 8 m), half anywhere.
	pts := make([]geo.Point, 10_000)
	for i := range pts {
		if i%2 == 0 {
			e := entries[rng.IntN(len(entries))]
			pts[i] = metres(e.Place, rng.Float64()*16-8, rng.Float64()*16-8)
		} else {
			pts[i] = geo.Point{Lng: benchCenter.Lng - 0.15 + rng.Float64()*0.3, Lat: benchCenter.Lat - 0.15 + rng.Float64()*0.3}
		}
	}
	perCase := func(b *testing.B, fn func(p geo.Point) int) time.Duration {
		var hits int
		i := 0
		began := time.Now()
		for b.Loop() {
			hits += fn(pts[i%len(pts)])
			i++
		}
		took := time.Since(began) / time.Duration(max(i, 1))
		b.ReportMetric(float64(hits)/float64(max(i, 1)), "hits/case")
		return took
	}
	var raw time.Duration
	b.Run("raw-grid-locate", func(b *testing.B) {
		raw = perCase(b, func(p geo.Point) int {
			if _, ok := grids.Locate(p); ok {
				return 1
			}
			return 0
		})
		b.ReportMetric(float64(raw.Nanoseconds())/1000, "µs/case")
	})
	var buf []int32
	b.Run("raw-box-search", func(b *testing.B) {
		t := perCase(b, func(p geo.Point) int { buf = ix.Candidates(p, buf[:0]); return len(buf) })
		b.ReportMetric(float64(t.Nanoseconds())/1000, "µs/case")
	})
	var ids []int64
	b.Run("frontage-match", func(b *testing.B) {
		t := perCase(b, func(p geo.Point) int { ids = ix.Match(p, ids[:0]); return len(ids) })
		b.ReportMetric(float64(t.Nanoseconds())/1000, "µs/case")
		if raw > 0 {
			b.ReportMetric(float64(t)/float64(raw), "x-raw")
		}
	})
	b.Run("build-index", func(b *testing.B) {
		for b.Loop() {
			merchant.NewIndex(entries)
		}
	})
}

type benchCity struct {
	d       *db.DB
	store   *merchant.Store
	month   string
	cases   int
	dialect string
}

var cityOnce = sync.OnceValues(func() (*benchCity, error) {
	ctx := context.Background()
	o, err := synth.BenchOptions(os.Getenv, 20_000)
	if err != nil {
		return nil, err
	}
	d, rep, err := synth.OpenCached(ctx, os.Getenv(dbtest.EnvPostgres), o)
	if err != nil {
		return nil, err
	}
	end := rep.Options.End
	problems := &problem.Store{DB: d, Now: func() time.Time { return end }}
	grids, err := geo.LoadIndex(ctx, d)
	if err != nil {
		return nil, err
	}
	s := &merchant.Store{DB: d, Problems: problems, Now: func() time.Time { return end }}
	c := &benchCity{d: d, store: s, cases: rep.Problems, dialect: d.Dialect().String()}
	have, err := db.Count(ctx, d, "SELECT COUNT(*) FROM merchant")
	if err != nil {
		return nil, err
	}
	if have < benchMerchants {
		// Merchants 3 m from cases of the city (so that cases link), a
		// third each with a radius, a line and a square; written once.
		placed, err := problems.FiledPlaced(ctx, time.Time{}, 0, benchMerchants*4)
		if err != nil {
			return nil, err
		}
		rng := rand.New(rand.NewPCG(5, 6))
		rng.Shuffle(len(placed), func(i, j int) { placed[i], placed[j] = placed[j], placed[i] })
		batch := db.NewBatch("merchant", "", "name", "credit_code", "lng", "lat", "region_code", "street_code", "community_code",
			"frontage_kind", "frontage", "frontage_meters", "duties", "created_at", "updated_at")
		var args []any
		now := db.Millis(end)
		n := 0
		for i := 0; n < benchMerchants-have && i < len(placed)*4; i++ {
			c := placed[i%len(placed)]
			p := metres(geo.Point{Lng: c.Lng, Lat: c.Lat}, 3, float64(i/len(placed))*7)
			code, ok := grids.Locate(p)
			if !ok || len(code) < 12 {
				continue
			}
			kind, front, m := merchant.FrontRadius, "", 10.0
			switch n % 3 {
			case 1:
				a, b := metres(p, -10, 0), metres(p, 10, 0)
				kind, front, m = merchant.FrontLine, fmt.Sprintf(`{"type":"LineString","coordinates":[[%f,%f],[%f,%f]]}`, a.Lng, a.Lat, b.Lng, b.Lat), 5
			case 2:
				q := []geo.Point{metres(p, -5, -5), metres(p, 5, -5), metres(p, 5, 5), metres(p, -5, 5), metres(p, -5, -5)}
				kind, front, m = merchant.FrontPolygon, fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}`,
					q[0].Lng, q[0].Lat, q[1].Lng, q[1].Lat, q[2].Lng, q[2].Lat, q[3].Lng, q[3].Lat, q[4].Lng, q[4].Lat), 0
			}
			args = append(args, fmt.Sprintf("压测商户%05d", have+n+1), "", p.Lng, p.Lat, code, code[:9], code[:12], kind, front, m,
				"hygiene,order,greening", now, now)
			n++
		}
		if err := batch.Insert(ctx, d, args); err != nil {
			return nil, err
		}
	}
	if _, err := s.Backfill(ctx); err != nil {
		return nil, err
	}
	err = d.QueryRow(ctx, "SELECT month FROM merchant_case GROUP BY month ORDER BY COUNT(*) DESC, month LIMIT 1").Scan(&c.month)
	return c, err
})

func median(xs []time.Duration) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func BenchmarkCity(b *testing.B) {
	c, err := cityOnce()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Logf("%s: %d cases, %d merchants, busiest month %s", c.dialect, c.cases, benchMerchants, c.month)
	rawRead := func() (int, time.Duration) {
		began := time.Now()
		from, after, n := time.Time{}, int64(0), 0
		for {
			cs, err := c.store.Problems.FiledPlaced(ctx, from, after, 2000)
			if err != nil {
				b.Fatal(err)
			}
			n += len(cs)
			if len(cs) < 2000 {
				return n, time.Since(began)
			}
			from, after = cs[len(cs)-1].FiledAt, cs[len(cs)-1].ID
		}
	}
	b.Run("link/case", func(b *testing.B) {
		var took, base []time.Duration
		var cases, linked int
		for b.Loop() {
			n, t := rawRead()
			base = append(base, t/time.Duration(max(n, 1)))
			began := time.Now()
			rep, err := c.store.Backfill(ctx)
			if err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(began)/time.Duration(max(rep.Cases, 1)))
			cases, linked = rep.Cases, rep.Linked
		}
		subject, baseline := median(took), median(base)
		b.Logf("link: %s a case, reading alone %s a case, ratio %.2f (%d cases, %d new links)", subject, baseline, float64(subject)/float64(baseline), cases, linked)
		b.ReportMetric(float64(subject.Nanoseconds())/1000, "µs/case")
		b.ReportMetric(float64(subject)/float64(baseline), "x-raw")
	})
	b.Run("proposal/city", func(b *testing.B) {
		var took, base []time.Duration
		groups := 0
		for b.Loop() {
			// Raw: the same merchants' rows read bare, and the month's
			// links counted by merchant.
			began := time.Now()
			if _, err := db.Strings(ctx, c.d, "SELECT name FROM merchant WHERE active = TRUE ORDER BY id"); err != nil {
				b.Fatal(err)
			}
			if _, err := db.Int64s(ctx, c.d, "SELECT COUNT(*) FROM merchant_case WHERE month = ? GROUP BY merchant_id", c.month); err != nil {
				b.Fatal(err)
			}
			base = append(base, time.Since(began))
			began = time.Now()
			gs, err := c.store.ProposeAll(ctx, "", c.month)
			if err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(began))
			groups = len(gs)
		}
		links, err := db.Count(ctx, c.d, "SELECT COUNT(*) FROM merchant_case WHERE month = ?", c.month)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(links), "links")
		subject, baseline := median(took), median(base)
		b.Logf("proposal: median %s for %d groups, raw read of the merchants and GROUP BY of the links %s, ratio %.1f", subject, groups, baseline, float64(subject)/float64(baseline))
		b.ReportMetric(float64(subject.Microseconds())/1000, "ms/city")
		b.ReportMetric(float64(subject)/float64(baseline), "x-raw")
		b.ReportMetric(float64(groups), "groups")
	})
}
