package workplan_test

import (
	"context"
	"database/sql"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/synth"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// BenchmarkCampaignPage counts a campaign over about a fifth of the
// synthetic city's cases (WENMING_BENCH_PROBLEMS, default 100,000; cached
// by synth.OpenCached), the page and bulletin's work:
//
//	go test -run '^$' -bench CampaignPage -benchtime 5x ./internal/workplan/
func BenchmarkCampaignPage(b *testing.B) {
	ctx := context.Background()
	o, err := synth.BenchOptions(os.Getenv, 100_000)
	if err != nil {
		b.Fatal(err)
	}
	d, rep, err := synth.OpenCached(ctx, os.Getenv(dbtest.EnvPostgres), o)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	end := rep.Options.End
	var uid int64
	if err := d.QueryRow(ctx, "SELECT id FROM app_user WHERE username = ?", synth.UserOffice).Scan(&uid); err != nil {
		b.Fatal(err)
	}
	office, _, err := org.New(d).Actor(ctx, uid)
	if err != nil {
		b.Fatal(err)
	}
	s := &workplan.Store{DB: d, Problems: &problem.Store{DB: d, Now: func() time.Time { return end }}, Now: func() time.Time { return end }}
	// The categories that together hold about a fifth of the cases.
	type catCount struct {
		id int64
		n  int
	}
	rows, err := d.Query(ctx, "SELECT category_id, COUNT(*) FROM problem WHERE category_id IS NOT NULL GROUP BY category_id ORDER BY COUNT(*) DESC")
	counts, err := db.Collect(rows, err, func(r *sql.Rows) (catCount, error) {
		var c catCount
		return c, r.Scan(&c.id, &c.n)
	})
	if err != nil {
		b.Fatal(err)
	}
	var cats []int64
	share := 0
	for _, c := range counts {
		if share >= rep.Problems/5 {
			break
		}
		cats, share = append(cats, c.id), share+c.n
	}
	from := end.AddDate(-2, 0, 0).Format("2006-01-02")
	c, err := s.CreateCampaign(ctx, office, workplan.CampaignInput{Name: "压测专项整治", RegionCode: demo.District, StartsOn: from,
		EndsOn: end.Format("2006-01-02"), LeadUnitID: office.UnitID, CategoryIDs: cats})
	if err != nil {
		b.Fatal(err)
	}
	// The raw baseline, measured in the same run, interleaved: the
	// database's own GROUP BY of the same cases, without scope or names.
	ph := strings.TrimSuffix(strings.Repeat("?, ", len(cats)), ", ")
	rawArgs := []any{db.Millis(end.AddDate(-2, 0, 0)), db.Millis(end.AddDate(0, 0, 1))}
	for _, id := range cats {
		rawArgs = append(rawArgs, id)
	}
	raw := func() error {
		rows, err := d.Query(ctx, "SELECT unit_id, category_id, COUNT(*), SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END) FROM problem"+
			" WHERE reported_at >= ? AND reported_at < ? AND category_id IN ("+ph+") GROUP BY unit_id, category_id", rawArgs...)
		_, err = db.Collect(rows, err, func(r *sql.Rows) (int, error) {
			var u, c sql.NullInt64
			var n, closed int
			return n, r.Scan(&u, &c, &n, &closed)
		})
		return err
	}
	var found int
	var page, base []time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		v, err := s.CampaignPage(ctx, office, c.ID)
		if err != nil {
			b.Fatal(err)
		}
		found = v.Total.Found
		t1 := time.Now()
		if err := raw(); err != nil {
			b.Fatal(err)
		}
		page, base = append(page, t1.Sub(t0)), append(base, time.Since(t1))
	}
	p50 := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2].Microseconds()) / 1000
	}
	pageP50, rawP50 := p50(page), p50(base)
	b.ReportMetric(pageP50, "p50-ms")
	b.ReportMetric(float64(page[min(len(page)-1, len(page)*99/100)].Microseconds())/1000, "p99-ms")
	b.ReportMetric(rawP50, "raw-p50-ms")
	b.ReportMetric(pageP50/rawP50, "x-raw")
	b.ReportMetric(float64(found), "cases")
}
