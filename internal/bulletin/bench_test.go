package bulletin_test

import (
	"context"
	"os"
	"runtime"
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
	c := &bulletinCity{d: d, end: end, cases: rep.Problems,
		store: &bulletin.Store{DB: d, Problems: &problem.Store{DB: d}, Now: func() time.Time { return end }, Hours: synth.CalendarClock{Calendar: cal}}}
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
// the bulletin of the last full week for the whole district and for its
// busiest street, and reports the cases counted and the peak heap.
func BenchmarkWeeklyBulletin(b *testing.B) {
	c, err := benchBulletinCity()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s city of %d cases, busiest street %s", c.d.Dialect(), c.cases, c.street)
	lastWeek := c.end.In(calendar.Shanghai()).AddDate(0, 0, -7).Format("2006-01-02")
	period, err := bulletin.ParsePeriod(bulletin.PeriodWeek, lastWeek, "")
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct{ name, region string }{{"city", c.office.Region}, {"street", c.street}} {
		b.Run(tc.name, func(b *testing.B) {
			var filed int
			var peak uint64
			for b.Loop() {
				p := peakHeap(func() {
					bl, err := c.store.Preview(context.Background(), c.office, bulletin.Request{Region: tc.region, Period: period})
					if err != nil {
						b.Fatal(err)
					}
					filed = bl.Content.Totals.Filed
				})
				peak = max(peak, p)
			}
			b.ReportMetric(float64(filed), "cases")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}
