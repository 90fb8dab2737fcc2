package bulletin_test

import (
	"context"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/synth"
)

// The benchmarks build weekly bulletins on the synthetic city of
// WENMING_BENCH_PROBLEMS cases (default 100,000), cached between runs by
// synth.OpenCached; WENMING_TEST_POSTGRES selects PostgreSQL:
//
//	WENMING_BENCH_PROBLEMS=1000000 go test -run '^$' -bench WeeklyBulletin -benchtime 5x ./internal/bulletin/
//
// Each subject prints its median beside the raw 4-week GROUP BY of the same
// run and their ratio (x-raw).

type bulletinCity struct {
	d      *db.DB
	store  *bulletin.Store
	office access.Actor
	street string
	end    time.Time
	cases  int
}

var benchBulletinCity = sync.OnceValues(func() (*bulletinCity, error) {
	ctx := context.Background()
	o, err := synth.BenchOptions(os.Getenv, 100_000)
	if err != nil {
		return nil, err
	}
	d, rep, err := synth.OpenCached(ctx, os.Getenv(dbtest.EnvPostgres), o)
	if err != nil {
		return nil, err
	}
	end := rep.Options.End
	cal, err := calendar.New(d).Load(ctx)
	if err != nil {
		return nil, err
	}
	problems := &problem.Store{DB: d, Now: func() time.Time { return end }, Clock: synth.CalendarClock{Calendar: cal}}
	// A city cached by an older build may hold an older tally.
	if _, err := problems.EnsureTally(ctx); err != nil {
		return nil, err
	}
	c := &bulletinCity{d: d, end: end, cases: rep.Problems,
		store: &bulletin.Store{DB: d, Problems: problems, Now: func() time.Time { return end }, Hours: synth.CalendarClock{Calendar: cal}}}
	var id int64
	if err := d.QueryRow(ctx, "SELECT id FROM app_user WHERE username = ?", synth.UserOffice).Scan(&id); err != nil {
		return nil, err
	}
	if c.office, _, err = org.New(d).Actor(ctx, id); err != nil {
		return nil, err
	}
	// The street with most cases.
	err = d.QueryRow(ctx, `SELECT substr(region_code, 1, 9) FROM problem WHERE LENGTH(region_code) >= 9
		GROUP BY substr(region_code, 1, 9) ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&c.street)
	return c, err
})

// peakHeap samples the live heap while fn runs and returns its highest
// value above the heap before, in bytes.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

// BenchmarkWeeklyBulletin builds (previews: everything but the insert)
// the bulletin of the last full week and of the last full month for the
// whole city and for its busiest street, from the tally and by counting
// the period's cases, each beside the raw baseline the issue names: one
// GROUP BY over the cases filed in the last four weeks (by unit and
// source), timed in the same run; it prints both and their ratio, and
// reports the cases counted and the peak heap.
func BenchmarkWeeklyBulletin(b *testing.B) {
	c, err := benchBulletinCity()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s city of %d cases, busiest street %s", c.d.Dialect(), c.cases, c.street)
	local := c.end.In(calendar.Shanghai())
	week, err := bulletin.ParsePeriod(bulletin.PeriodWeek, local.AddDate(0, 0, -7).Format("2006-01-02"), "")
	if err != nil {
		b.Fatal(err)
	}
	month, err := bulletin.ParsePeriod(bulletin.PeriodMonth, local.AddDate(0, -1, 0).Format("2006-01-02"), "")
	if err != nil {
		b.Fatal(err)
	}
	counting := *c.store
	counting.CountCases = true
	// The tally's sums are kept between two folds (problem.Store.Tally):
	// "tally" sums them every time, as the first bulletin after a fold
	// does; "kept" builds again within one fold's time.
	fresh := *c.store
	fresh.Problems = &problem.Store{DB: c.d, Now: c.store.Problems.Now, Clock: c.store.Problems.Clock, NoTallyCache: true}
	raw := func() time.Duration {
		began := time.Now()
		rows, err := c.d.Query(context.Background(), `SELECT unit_id, source, COUNT(*), SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END),
			SUM(rework_count), SUM(return_count) FROM problem WHERE filed_at >= ? AND filed_at < ? GROUP BY unit_id, source`,
			db.Millis(c.end.AddDate(0, 0, -28)), db.Millis(c.end))
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil || n == 0 {
			b.Fatalf("raw GROUP BY: %d groups, %v", n, err)
		}
		return time.Since(began)
	}
	for _, tc := range []struct {
		name   string
		store  *bulletin.Store
		region string
		period bulletin.Period
	}{
		{"tally/city/week", &fresh, c.office.Region, week},
		{"tally/city/month", &fresh, c.office.Region, month},
		{"tally/street/week", &fresh, c.street, week},
		{"kept/city/week", c.store, c.office.Region, week},
		{"counting/city/week", &counting, c.office.Region, week},
		{"counting/city/month", &counting, c.office.Region, month},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var filed int
			var peak uint64
			var took, base []time.Duration
			for b.Loop() {
				base = append(base, raw()) // interleaved: the same noise for both
				began := time.Now()
				p := peakHeap(func() {
					bl, err := tc.store.Preview(context.Background(), c.office, bulletin.Request{Region: tc.region, Period: tc.period})
					if err != nil {
						b.Fatal(err)
					}
					filed = bl.Content.Totals.Filed
				})
				took = append(took, time.Since(began))
				peak = max(peak, p)
			}
			subject, baseline := median(took), median(base)
			b.Logf("%s: median %s, raw 4-week GROUP BY %s, ratio %.3f", tc.name, subject, baseline, float64(subject)/float64(baseline))
			b.ReportMetric(float64(subject)/float64(baseline), "x-raw")
			b.ReportMetric(float64(filed), "cases")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

func median(xs []time.Duration) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
