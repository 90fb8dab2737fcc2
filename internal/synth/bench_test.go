package synth_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/ledgerxlsx"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/routing"
	"github.com/wenming-civic/wenming/internal/synth"
)

// The benchmarks run on one synthetic city per test binary, of
// WENMING_BENCH_PROBLEMS cases (default 100,000, so that go test -bench
// stays practical; the report in BENCHMARKS.md uses 1,000,000), cached
// between runs by synth.OpenCached. WENMING_TEST_POSTGRES selects
// PostgreSQL, as for the tests.
func benchOptions() (synth.Options, error) {
	o, err := synth.BenchOptions(os.Getenv, 100_000)
	if err != nil {
		return o, err
	}
	// Progress of a long generation goes to stderr, every few seconds.
	var last time.Time
	o.Progress = func(stage string, done, total int) {
		if time.Since(last) > 5*time.Second || done == total {
			fmt.Fprintf(os.Stderr, "synth: %s %d/%d\n", stage, done, total)
			last = time.Now()
		}
	}
	return o, nil
}

// fixture is the generated city and what the benchmarks read it with.
type fixture struct {
	d      *db.DB
	rep    synth.Report
	office access.Actor
	store  *problem.Store
	hours  hours
}

// city is shared by every benchmark of the process: generating (or even
// opening) a million-case city per benchmark would dwarf what is measured.
var city = sync.OnceValues(func() (*fixture, error) {
	ctx := context.Background()
	o, err := benchOptions()
	if err != nil {
		return nil, err
	}
	d, rep, err := synth.OpenCached(ctx, os.Getenv(dbtest.EnvPostgres), o)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "synth: %s city of %d cases, %d events (generated in %s)\n", d.Dialect(), rep.Problems, rep.Events, rep.Took)
	// An interrupted run may have left the ad hoc indexes behind.
	for name := range benchIndexes() {
		if _, err := d.Exec(ctx, "DROP INDEX IF EXISTS "+name); err != nil {
			return nil, err
		}
	}
	f := &fixture{d: d, rep: rep}
	end := rep.Options.End
	f.store = &problem.Store{DB: d, Now: func() time.Time { return end }}
	var id int64
	if err := d.QueryRow(ctx, "SELECT id FROM app_user WHERE username = ?", synth.UserOffice).Scan(&id); err != nil {
		return nil, err
	}
	if f.office, err = actorByID(ctx, d, id); err != nil {
		return nil, err
	}
	cal, err := calendarOf(ctx, d)
	if err != nil {
		return nil, err
	}
	f.hours = hours{cal}
	return f, nil
})

func benchCity(b *testing.B) *fixture {
	b.Helper()
	f, err := city()
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// sample is a case's category, grid and position.
type sample struct {
	category int64
	region   string
	at       geo.Point
}

// samples reads n cases drawn at random (with a fixed seed).
func samples(b *testing.B, f *fixture, n int) []sample {
	b.Helper()
	ctx := context.Background()
	var maxID int64
	if err := f.d.QueryRow(ctx, "SELECT MAX(id) FROM problem").Scan(&maxID); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var out []sample
	for len(out) < n {
		ids := make([]any, 500)
		for i := range ids {
			ids[i] = 1 + rng.Int64N(maxID)
		}
		rows, err := f.d.Query(ctx, "SELECT category_id, region_code, lng, lat FROM problem WHERE id IN ("+db.Placeholders(len(ids))+")", ids...)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var s sample
			if err := rows.Scan(&s.category, &s.region, &s.at.Lng, &s.at.Lat); err != nil {
				b.Fatal(err)
			}
			out = append(out, s)
		}
		rows.Close()
	}
	return out[:n]
}

// owners reads a category's owner rule from the store for each decision,
// as the server's adapter does.
type owners struct{ store *category.Store }

func (o owners) OwnerRule(ctx context.Context, id int64) (string, error) {
	sub, err := o.store.Get(ctx, id)
	return string(sub.Owner), err
}

// BenchmarkRouteDecide is the routing lookup of one case (rules, the
// category's owner rule, the smallest unit holding its grid).
func BenchmarkRouteDecide(b *testing.B) {
	f := benchCity(b)
	cases := samples(b, f, 4096)
	router := &routing.Store{DB: f.d, Owners: owners{category.New(f.d)}, Now: time.Now}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		c := cases[i%len(cases)]
		if _, err := router.Decide(ctx, c.category, c.region); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadIndex builds the point-location index of every grid from
// the database, as each server does at start and every five minutes.
func BenchmarkLoadIndex(b *testing.B) {
	f := benchCity(b)
	ctx := context.Background()
	for b.Loop() {
		ix, err := geo.LoadIndex(ctx, f.d)
		if err != nil || ix.Len() < f.rep.Grids {
			b.Fatalf("%v: %d areas", err, ix.Len())
		}
	}
}

// BenchmarkLocate finds the grid of a case's position.
func BenchmarkLocate(b *testing.B) {
	f := benchCity(b)
	cases := samples(b, f, 4096)
	ix, err := geo.LoadIndex(context.Background(), f.d)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		c := cases[i%len(cases)]
		if code, ok := ix.Locate(c.at); !ok || code != c.region {
			b.Fatalf("%v located in %q, want %s", c.at, code, c.region)
		}
	}
}

// BenchmarkKPIs computes the ledger's figures (with the mean handling time
// in working hours) for the district and for one street, over the month
// so far (the ledger page's default) and over the whole year; "counts"
// leaves the handling time out.
func BenchmarkKPIs(b *testing.B) { benchKPIs(b, false) }

// BenchmarkKPIsIndexed is BenchmarkKPIs with benchIndexes in place.
func BenchmarkKPIsIndexed(b *testing.B) { benchKPIs(b, true) }

func benchKPIs(b *testing.B, indexed bool) {
	f := benchCity(b)
	end := f.rep.Options.End
	local := end.In(shanghai())
	month := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, shanghai())
	type kpiCase struct {
		name   string
		region string
		from   time.Time
		hours  problem.HoursCounter
	}
	cases := []kpiCase{
		{"district/month", "", month, f.hours},
		{"district/month/counts", "", month, nil},
		{"district/year", "", f.rep.Start, f.hours},
		{"street/month", "410411001", month, f.hours},
		{"street/year", "410411001", f.rep.Start, f.hours},
	}
	run := func(b *testing.B, tc kpiCase) {
		ctx := context.Background()
		var k problem.KPI
		for b.Loop() {
			var err error
			if k, err = f.store.KPIs(ctx, f.office, problem.Filter{Region: tc.region}, tc.from, end, tc.hours); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(k.Filed), "cases")
	}
	all := func() {
		for _, tc := range cases {
			b.Run(tc.name, func(b *testing.B) { run(b, tc) })
		}
	}
	if indexed {
		withIndexes(b, f.d, all)
	} else {
		all()
	}
}

// benchIndexes are indexes the ledger's queries lack (see BENCHMARKS.md),
// made ad hoc to measure what they would change.
func benchIndexes() map[string]string {
	return map[string]string{
		// The KPIs count each case's verifications: with this index the
		// events need not be read.
		"bench_event_action": "problem_event (problem_id, action)",
	}
}

// withIndexes runs fn with benchIndexes in place and drops them after, so
// that the cached city stays as the migrations make it.
func withIndexes(b *testing.B, d *db.DB, fn func()) {
	ctx := context.Background()
	t := time.Now()
	for name, on := range benchIndexes() {
		if _, err := d.Exec(ctx, "CREATE INDEX IF NOT EXISTS "+name+" ON "+on); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := d.Exec(ctx, "ANALYZE problem_event"); err != nil {
		b.Fatal(err)
	}
	b.Logf("benchmark indexes made in %s", time.Since(t).Round(time.Millisecond))
	defer dropIndexes(b, d)
	fn()
}

func dropIndexes(tb testing.TB, d *db.DB) {
	for name := range benchIndexes() {
		if _, err := d.Exec(context.Background(), "DROP INDEX IF EXISTS "+name); err != nil {
			tb.Error(err)
		}
	}
}

// BenchmarkExportXLSX writes the newest 100,000 cases (fewer in a smaller
// city) as the office's Excel ledger, the way GET /problems/export.xlsx
// does: street and community names looked up per code, into memory.
// peak-heap-MB is the largest heap seen while exporting (sampled every
// 10 ms); for the process's peak RSS run it alone under /usr/bin/time -v.
func BenchmarkExportXLSX(b *testing.B) {
	f := benchCity(b)
	ctx := context.Background()
	want := min(100_000, f.rep.Problems)
	var from int64
	if err := f.d.QueryRow(ctx, "SELECT reported_at FROM problem ORDER BY reported_at DESC LIMIT 1 OFFSET ?", want-1).Scan(&from); err != nil {
		b.Fatal(err)
	}
	catalog, err := i18n.Load("zh-CN")
	if err != nil {
		b.Fatal(err)
	}
	regions := &region.Store{DB: f.d}
	filter := problem.Filter{From: db.FromMillis(from)}
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	defer close(stop)
	var size int64
	var rows int
	b.ResetTimer()
	for b.Loop() {
		names := ledgerxlsx.Names(func(code string) string {
			r, err := regions.Get(ctx, code)
			if err != nil {
				return ""
			}
			return r.Name
		})
		src := func(fn func(*problem.Case) error) error { return f.store.Each(ctx, f.office, filter, fn) }
		w := &counter{}
		if rows, err = ledgerxlsx.Export(ctx, f.office, w, src, catalog.T, f.rep.Options.End, ledgerxlsx.Options{Regions: names}); err != nil {
			b.Fatal(err)
		}
		size = w.n
	}
	b.StopTimer()
	if rows < want {
		b.Fatalf("exported %d rows, want %d", rows, want)
	}
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(size)/(1<<20), "file-MB")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}

// BenchmarkGenerate measures the generator itself on a fresh database:
// WENMING_BENCH_GENERATE cases (default 20,000) in 20,000 grids.
func BenchmarkGenerate(b *testing.B) {
	o := synth.DefaultOptions()
	o.Problems = 20_000
	if v := os.Getenv("WENMING_BENCH_GENERATE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		o.Problems = n
	}
	var rep synth.Report
	for b.Loop() {
		b.StopTimer()
		d := dbtest.Open(b)
		b.StartTimer()
		var err error
		if rep, err = synth.Generate(context.Background(), d, o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rep.Problems)/time.Duration(rep.Stages[synth.StageProblems]).Seconds(), "cases/s")
	b.ReportMetric(float64(rep.Problems+rep.Events)/time.Duration(rep.Stages[synth.StageProblems]).Seconds(), "rows/s")
	for _, st := range []string{synth.StageGrids, synth.StagePlan, synth.StageProblems, synth.StageAnalyze} {
		b.ReportMetric(time.Duration(rep.Stages[st]).Seconds(), st+"-s")
	}
}

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*counter)(nil)

func actorByID(ctx context.Context, d *db.DB, id int64) (access.Actor, error) {
	a, _, err := org.New(d).Actor(ctx, id)
	return a, err
}

func calendarOf(ctx context.Context, d *db.DB) (*calendar.Calendar, error) {
	return calendar.New(d).Load(ctx)
}

func shanghai() *time.Location { return calendar.Shanghai() }
