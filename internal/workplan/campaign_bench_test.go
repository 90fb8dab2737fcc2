package workplan_test

import (
	"context"
	"database/sql"
	"os"
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
	var found int
	timed(b, func() error {
		v, err := s.CampaignPage(ctx, office, c.ID)
		if err == nil {
			found = v.Total.Found
		}
		return err
	})
	b.ReportMetric(float64(found), "cases")
}
