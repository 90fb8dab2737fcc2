package workplan_test

import (
	"context"
	"database/sql"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/synth"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// campaignCity is the synthetic city with a campaign over about a fifth
// of its cases, for the campaign page and the monthly summary.
type campaignCity struct {
	d        *db.DB
	s        *workplan.Store
	office   access.Actor
	campaign *workplan.Campaign
	cats     []int64
	end      time.Time
}

// benchCampaign names the benchmarks' campaign.
const benchCampaign = "压测专项整治"

func newCampaignCity(b *testing.B) campaignCity {
	ctx := context.Background()
	o, err := synth.BenchOptions(os.Getenv, 100_000)
	if err != nil {
		b.Fatal(err)
	}
	d, rep, err := synth.OpenCached(ctx, os.Getenv(dbtest.EnvPostgres), o)
	if err != nil {
		b.Fatal(err)
	}
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
	// The cached city keeps the campaign of an earlier run: one campaign,
	// however often the benchmarks run on it.
	all, err := s.Campaigns(ctx, office)
	if err != nil {
		b.Fatal(err)
	}
	var c *workplan.Campaign
	for _, x := range all {
		if x.Name == benchCampaign {
			c = x
		}
	}
	if c == nil {
		from := end.AddDate(-2, 0, 0).Format("2006-01-02")
		if c, err = s.CreateCampaign(ctx, office, workplan.CampaignInput{Name: benchCampaign, RegionCode: demo.District, StartsOn: from,
			EndsOn: end.Format("2006-01-02"), LeadUnitID: office.UnitID, CategoryIDs: cats}); err != nil {
			b.Fatal(err)
		}
	}
	b.Cleanup(func() { d.Close() })
	return campaignCity{d: d, s: s, office: office, campaign: c, cats: cats, end: end}
}

// BenchmarkCampaignPage counts a campaign over about a fifth of the
// synthetic city's cases (WENMING_BENCH_PROBLEMS, default 100,000; cached
// by synth.OpenCached), the page and bulletin's work:
//
//	go test -run '^$' -bench CampaignPage -benchtime 5x ./internal/workplan/
func BenchmarkCampaignPage(b *testing.B) {
	ctx := context.Background()
	cc := newCampaignCity(b)
	d, s, office, c, cats, end := cc.d, cc.s, cc.office, cc.campaign, cc.cats, cc.end
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
	reportVsRaw(b, page, base)
	b.ReportMetric(float64(found), "cases")
}

// BenchmarkMonthlySummary rebuilds the district's monthly summary (月报总结)
// of the city's last whole month: the ledger's figures, the inspections,
// the tasks and the running campaign's page. The raw baseline is the
// month's cases counted by state, measured in the same run, interleaved:
//
//	go test -run '^$' -bench MonthlySummary -benchtime 5x ./internal/workplan/
func BenchmarkMonthlySummary(b *testing.B) {
	ctx := context.Background()
	cc := newCampaignCity(b)
	local := cc.end.In(calendar.Shanghai())
	month := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, calendar.Shanghai()).AddDate(0, -1, 0)
	x, err := cc.s.DraftSummary(ctx, cc.office, demo.District, month.Format("2006-01"))
	if err != nil {
		b.Fatal(err)
	}
	raw := func() error {
		rows, err := cc.d.Query(ctx, "SELECT state, COUNT(*) FROM problem WHERE reported_at >= ? AND reported_at < ? GROUP BY state",
			db.Millis(month), db.Millis(month.AddDate(0, 1, 0)))
		_, err = db.Collect(rows, err, func(r *sql.Rows) (int, error) {
			var st string
			var n int
			return n, r.Scan(&st, &n)
		})
		return err
	}
	var build, base []time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if _, err := cc.s.RebuildSummary(ctx, cc.office, x.ID); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := raw(); err != nil {
			b.Fatal(err)
		}
		build, base = append(build, t1.Sub(t0)), append(base, time.Since(t1))
	}
	reportVsRaw(b, build, base)
}

// reportVsRaw reports a measure's p50 and p99 beside its raw baseline's
// p50 and the ratio of the two.
func reportVsRaw(b *testing.B, subject, raw []time.Duration) {
	b.Helper()
	slices.Sort(subject)
	slices.Sort(raw)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	p50, rawP50 := ms(subject[len(subject)/2]), ms(raw[len(raw)/2])
	b.ReportMetric(p50, "p50-ms")
	b.ReportMetric(ms(subject[min(len(subject)-1, len(subject)*99/100)]), "p99-ms")
	b.ReportMetric(rawP50, "raw-p50-ms")
	b.ReportMetric(p50/rawP50, "x-raw")
}
