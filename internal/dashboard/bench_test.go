package dashboard_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/dashboard"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/synth"
)

// The benchmarks compute whole boards on a synthetic city of
// WENMING_BENCH_PROBLEMS cases (default 100,000), cached between runs by
// synth.OpenCached; WENMING_TEST_POSTGRES selects PostgreSQL.

type benchFixture struct {
	d       *db.DB
	store   *dashboard.Store
	office  access.Actor
	handler access.Actor
	cases   int
}

var benchCity = sync.OnceValues(func() (*benchFixture, error) {
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
	problems := &problem.Store{DB: d, Now: func() time.Time { return end }}
	f := &benchFixture{d: d, cases: rep.Problems, store: &dashboard.Store{Problems: problems,
		Inspections: &inspect.Store{DB: d, Problems: problems, Now: func() time.Time { return end }}, Hours: synth.CalendarClock{Calendar: cal}}}
	actor := func(q string, args ...any) (access.Actor, error) {
		var id int64
		if err := d.QueryRow(ctx, q, args...).Scan(&id); err != nil {
			return access.Actor{}, err
		}
		a, _, err := org.New(d).Actor(ctx, id)
		return a, err
	}
	if f.office, err = actor("SELECT id FROM app_user WHERE username = ?", synth.UserOffice); err != nil {
		return nil, err
	}
	// A street office's handler.
	f.handler, err = actor(`SELECT a.id FROM app_user a JOIN user_role r ON r.user_id = a.id JOIN unit u ON u.id = a.unit_id
		WHERE r.role = 'handler' AND u.kind = 'territorial' AND LENGTH(u.region_code) = 9 ORDER BY a.id LIMIT 1`)
	return f, err
})

// BenchmarkBoard computes the district office's board and a street's, over
// 7, 30 and 90 days, as GET /dashboard/data.json does (the JSON encoding
// aside).
func BenchmarkBoard(b *testing.B) {
	f, err := benchCity()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s city of %d cases", f.d.Dialect(), f.cases)
	for _, who := range []struct {
		name string
		a    access.Actor
	}{{"office", f.office}, {"street", f.handler}} {
		for _, days := range dashboard.Periods {
			b.Run(fmt.Sprintf("%s/%dd", who.name, days), func(b *testing.B) {
				var board dashboard.Board
				for b.Loop() {
					if board, err = f.store.Board(context.Background(), who.a, days); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(board.KPI.Filed), "cases")
			})
		}
	}
}

// BenchmarkBoardFromCases computes the boards without the ledger's tally,
// every figure from the cases (as before migration 0012), to show what the
// tally saves.
func BenchmarkBoardFromCases(b *testing.B) {
	f, err := benchCity()
	if err != nil {
		b.Fatal(err)
	}
	cases := *f.store
	cases.NoTally = true
	for _, who := range []struct {
		name string
		a    access.Actor
	}{{"office", f.office}, {"street", f.handler}} {
		b.Run(who.name+"/30d", func(b *testing.B) {
			for b.Loop() {
				if _, err := cases.Board(context.Background(), who.a, 30); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
