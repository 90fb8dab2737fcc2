package holder_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/holder"
	"github.com/wenming-civic/wenming/internal/merchant"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/selection"
	"github.com/wenming-civic/wenming/internal/synth"
)

// benchHolders is how many holders the report-card benchmark appoints.
const benchHolders = 2000

// benchTitle marks the benchmark's holders, removed when it ends: the
// synthetic city is cached and shared.
const benchTitle = "压测责任人"

// BenchmarkReportCards computes the month's report cards of 2,000
// holders on the synthetic city (WENMING_BENCH_PROBLEMS cases, default
// 50,000; cached by synth.OpenCached; PostgreSQL when
// WENMING_TEST_POSTGRES is set): 800 area leaders of one community, 200
// of a street, 600 of two grids, 400 street chiefs of a drawn 600 m road
// with 30 m on each side; the merchant flags from the merchant domain.
// Beside it the raw baseline: one bare read of the rows the cards count: the month's cases and the
// ones overdue at its end.
//
//	go test -run '^$' -bench ReportCards -benchtime 3x ./internal/holder/
func BenchmarkReportCards(b *testing.B) {
	ctx := context.Background()
	o, err := synth.BenchOptions(os.Getenv, 50_000)
	if err != nil {
		b.Fatal(err)
	}
	d, rep, err := synth.OpenCached(ctx, os.Getenv(dbtest.EnvPostgres), o)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	end := rep.Options.End
	clock := func() time.Time { return end }
	s := &holder.Store{DB: d, Problems: &problem.Store{DB: d, Now: clock}, Picks: &selection.Store{DB: d, Now: clock}, Now: clock,
		Flags: benchFlags{&merchant.Store{DB: d}}}
	cleanup := func() {
		if _, err := d.Exec(ctx, "DELETE FROM holder_holding WHERE holder_id IN (SELECT id FROM holder WHERE title = ?)", benchTitle); err != nil {
			b.Fatal(err)
		}
		if _, err := d.Exec(ctx, "DELETE FROM holder WHERE title = ?", benchTitle); err != nil {
			b.Fatal(err)
		}
	}
	cleanup()
	defer cleanup()
	appoint(b, d, end)
	hs, err := s.List(ctx, access.System())
	if err != nil {
		b.Fatal(err)
	}
	var mine []holder.Holder
	for _, h := range hs {
		if h.Title == benchTitle {
			mine = append(mine, h)
		}
	}
	if len(mine) != benchHolders {
		b.Fatalf("%d holders appointed", len(mine))
	}
	shanghai := time.FixedZone("CST", 8*3600)
	// The month shown by default (overdue now, through the open cases'
	// index) and the month before it (overdue at its end, from the half
	// year before).
	for _, m := range []struct {
		name  string
		month string
	}{{"this-month", end.Add(-time.Hour).In(shanghai).Format("2006-01")}, {"last-month", end.AddDate(0, -1, -1).In(shanghai).Format("2006-01")}} {
		b.Run(m.name, func(b *testing.B) { benchCards(b, d, s, mine, m.month, end, rep.Problems) })
	}
}

func benchCards(b *testing.B, d *db.DB, s *holder.Store, mine []holder.Holder, month string, end time.Time, cityCases int) {
	ctx := context.Background()
	from, to, _ := holder.MonthRange(month)
	current := !to.Before(end)
	// The raw baseline, timed apart: the bare read of the rows the cards
	// count, every case reported in the month or overdue at its end
	// (within the half year before, for a past month), scanned and
	// thrown away.
	raw := func() (int, error) {
		args := []any{db.Millis(from), db.Millis(to)}
		late := "p.state IN ('filed', 'dispatched', 'in_progress') AND p.deadline < ?"
		if current {
			args = append(args, db.Millis(end))
		} else {
			late = `p.reported_at >= ? AND p.reported_at < ? AND p.deadline < ? AND p.state NOT IN ('rejected', 'duplicate', 'parked')
				AND (p.rectified_at IS NULL OR p.rectified_at > ?) AND (p.closed_at IS NULL OR p.closed_at > ?)`
			args = append(args, db.Millis(to.AddDate(0, -6, 0)), db.Millis(to), db.Millis(to), db.Millis(to), db.Millis(to))
		}
		rows, err := d.Query(ctx, `SELECT p.region_code, p.site_id, p.lng, p.lat, p.state, p.reported_at, p.deadline, p.closed_at, p.rectified_at
			FROM problem p WHERE (p.reported_at >= ? AND p.reported_at < ?) OR (`+late+")", args...)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var code sql.NullString
			var site sql.NullInt64
			var lng, lat sql.NullFloat64
			var state string
			var reported int64
			var deadline, closed, rectified sql.NullInt64
			if err := rows.Scan(&code, &site, &lng, &lat, &state, &reported, &deadline, &closed, &rectified); err != nil {
				return 0, err
			}
			n++
		}
		return n, rows.Err()
	}
	// The median of three runs; one on a big city.
	rawTimes := make([]time.Duration, 3)
	rawFound := 0
	var err error
	for i := range rawTimes {
		t0 := time.Now()
		if rawFound, err = raw(); err != nil {
			b.Fatal(err)
		}
		rawTimes[i] = time.Since(t0)
	}
	sort.Slice(rawTimes, func(i, j int) bool { return rawTimes[i] < rawTimes[j] })
	rawMS := float64(rawTimes[len(rawTimes)/2].Microseconds()) / 1000

	var times []time.Duration
	found := 0
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		cards, err := s.Cards(ctx, access.System(), month)
		if err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t0))
		found = 0
		for _, c := range cards {
			if c.Holder.Title == benchTitle {
				found += c.Found
			}
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	ms := float64(times[len(times)/2].Microseconds()) / 1000
	b.ReportMetric(ms, "p50-ms")
	b.ReportMetric(ms*1000/benchHolders, "µs/holder")
	b.ReportMetric(rawMS, "raw-ms")
	b.ReportMetric(ms/rawMS, "x-raw")
	b.ReportMetric(float64(found), "cases")
	b.ReportMetric(float64(rawFound), "raw-rows")
	b.ReportMetric(float64(cityCases), "city-cases")
}

// benchFlags gives the cards the merchant flags, as the server does.
type benchFlags struct{ merchants *merchant.Store }

func (f benchFlags) FlagsIn(ctx context.Context, regionCode, month string) ([]holder.FlagRow, error) {
	flags, err := f.merchants.FlagsIn(ctx, regionCode, month)
	out := make([]holder.FlagRow, len(flags))
	for i, x := range flags {
		out[i] = holder.FlagRow{MerchantID: x.MerchantID, MerchantName: x.MerchantName, RegionCode: x.RegionCode, Flag: x.Kind}
	}
	return out, err
}

// appoint writes the benchmark's holders in one transaction.
func appoint(b *testing.B, d *db.DB, end time.Time) {
	b.Helper()
	ctx := context.Background()
	users, err := db.Int64s(ctx, d, "SELECT id FROM app_user ORDER BY id LIMIT 500")
	if err != nil || len(users) == 0 {
		b.Fatalf("users: %v", err)
	}
	codes := func(n int) []string {
		out, err := db.Strings(ctx, d, "SELECT code FROM region WHERE length(code) = ? AND code >= ? AND code < ? ORDER BY code", n,
			synth.District, synth.District+"~")
		if err != nil || len(out) == 0 {
			b.Fatalf("regions of length %d: %d %v", n, len(out), err)
		}
		return out
	}
	communities, streets, grids := codes(12), codes(9), codes(15)
	var box [4]float64
	if err := d.QueryRow(ctx, "SELECT MIN(lng), MAX(lng), MIN(lat), MAX(lat) FROM problem WHERE lng IS NOT NULL AND lng <> 0").Scan(&box[0], &box[1], &box[2], &box[3]); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 13))
	day := end.Format("2006-01-02")
	err = d.InTx(ctx, func(tx *db.Tx) error {
		for i := 0; i < benchHolders; i++ {
			kind := holder.AreaLeader
			var holdings [][]any // kind, region, line, buffer, box
			switch {
			case i < 800:
				holdings = append(holdings, []any{"region", communities[i%len(communities)], "", 0.0, 0.0, 0.0, 0.0, 0.0})
			case i < 1000:
				holdings = append(holdings, []any{"region", streets[i%len(streets)], "", 0.0, 0.0, 0.0, 0.0, 0.0})
			case i < 1600:
				for k := 0; k < 2; k++ {
					holdings = append(holdings, []any{"region", grids[rng.IntN(len(grids))], "", 0.0, 0.0, 0.0, 0.0, 0.0})
				}
			default:
				kind = holder.StreetChief
				lng := box[0] + rng.Float64()*(box[1]-box[0])
				lat := box[2] + rng.Float64()*(box[3]-box[2])
				lng2 := lng + 0.0065 // about 600 m east
				line := "[[" + strconv.FormatFloat(lng, 'f', 6, 64) + "," + strconv.FormatFloat(lat, 'f', 6, 64) + "],[" +
					strconv.FormatFloat(lng2, 'f', 6, 64) + "," + strconv.FormatFloat(lat, 'f', 6, 64) + "]]"
				pad := 30.0 / 90000
				holdings = append(holdings, []any{"line", "", line, 30.0, lng - pad, lat - pad, lng2 + pad, lat + pad})
			}
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO holder (user_id, kind, title, region_code, term_from, term_to, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, users[i%len(users)], kind, benchTitle, synth.District, "2000-01-01", day,
				db.Millis(end)).Scan(&id); err != nil {
				return fmt.Errorf("bench holder: %w", err)
			}
			for _, h := range holdings {
				if _, err := tx.Exec(ctx, `INSERT INTO holder_holding (holder_id, kind, name, region_code, site_id, line, buffer_m, min_lng, min_lat, max_lng, max_lat)
					VALUES (?, ?, '', ?, 0, ?, ?, ?, ?, ?, ?)`, append([]any{id}, h...)...); err != nil {
					return fmt.Errorf("bench holding: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
