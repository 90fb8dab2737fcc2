package volunteer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

// Benchmarks at district scale (see BENCHMARKS.md):
//
//	WENMING_BENCH_VOLUNTEERS=30000 WENMING_BENCH_HOURS=2000000 go test -run '^$' -bench Volunteers -benchtime 2000x ./internal/volunteer/
//
// The defaults (3,000 volunteers, 200,000 entries) keep a plain -bench run short.

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

type benchWorld struct {
	app        *servertest.App
	vols       []int64
	users      []int64 // volunteer accounts, each signed up for every check-in activity
	tokens     []string
	checkins   []int64 // activities open for check-in now
	codes      map[int64]string
	communitys []string
}

func newBenchWorld(b *testing.B) *benchWorld {
	b.Helper()
	ctx := context.Background()
	nVol, nHours := envInt("WENMING_BENCH_VOLUNTEERS", 3000), envInt("WENMING_BENCH_HOURS", 200000)
	app := servertest.New(b)
	s := app.Volunteers
	s.CodeEvery = 10 * time.Minute // one code per activity for the whole run
	sys := access.System()
	w := &benchWorld{app: app, codes: map[int64]string{}}
	streets, err := demo.Streets(ctx, app.Regions)
	if err != nil {
		b.Fatal(err)
	}
	for _, st := range streets {
		for _, c := range st.Communities {
			w.communitys = append(w.communitys, c.Code)
		}
	}
	start := time.Now()
	team, err := s.CreateTeam(ctx, sys, volunteer.TeamInput{Name: "压测志愿服务队", Kind: "文明交通", RegionCode: demo.District})
	if err != nil {
		b.Fatal(err)
	}
	// Accounts for the check-ins through the API.
	const nUsers = 200
	unit := servertest.MustAtoi(b, servertest.UnitID(b, app, "410411001001"))
	for i := range nUsers {
		name := fmt.Sprintf("benchvol%d", i)
		u, _, err := app.Org.CreateUser(ctx, sys, org.UserInput{Username: name, DisplayName: name, UnitID: unit,
			Roles: []access.Role{access.RoleVolunteer}, Password: "bench-pass-12345"})
		if err != nil {
			b.Fatal(err)
		}
		tok, _, err := app.Auth.CreateToken(ctx, sys, u.ID, "bench")
		if err != nil {
			b.Fatal(err)
		}
		w.users, w.tokens = append(w.users, u.ID), append(w.tokens, tok)
	}
	seeds := make([]volunteer.SeedVolunteer, nVol)
	birth := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range seeds {
		seeds[i] = volunteer.SeedVolunteer{Input: volunteer.Input{Name: "志愿者" + strconv.Itoa(i),
			IDNumber: demo.DemoID(i, birth.AddDate(0, 0, i%3650), i%2 == 0), RegionCode: w.communitys[i%len(w.communitys)]},
			Teams: []int64{team}}
		if i < nUsers {
			seeds[i].UserID = w.users[i]
		}
	}
	if w.vols, err = s.SeedVolunteers(ctx, sys, seeds); err != nil {
		b.Fatal(err)
	}
	// Activities for the check-ins: all open now, every account on each.
	now := time.Now()
	var acts []volunteer.SeedActivity
	for k := range 60 {
		x := volunteer.SeedActivity{ActivityInput: volunteer.ActivityInput{Title: "压测活动" + strconv.Itoa(k), Kind: "traffic", TeamID: team,
			RegionCode: demo.District, Lng: 113.32, Lat: 33.73, RadiusM: 200, StartsAt: now.Add(-10 * time.Minute), EndsAt: now.Add(3 * time.Hour), Quota: 1000}}
		for _, v := range w.vols[:nUsers] {
			x.Attendees = append(x.Attendees, volunteer.SeedAttendee{VolunteerID: v})
		}
		acts = append(acts, x)
	}
	if err := s.SeedActivities(ctx, sys, acts); err != nil {
		b.Fatal(err)
	}
	ids, err := db.Int64s(ctx, app.DB, "SELECT id FROM volunteer_activity ORDER BY id")
	if err != nil {
		b.Fatal(err)
	}
	w.checkins = ids
	for _, id := range ids {
		c, err := s.CurrentCode(ctx, sys, id, "in")
		if err != nil {
			b.Fatal(err)
		}
		w.codes[id] = c.Token
	}
	// The ledger: nHours entries over two years, twenty to an activity
	// (one day, team, type and community each), as activities credit them.
	rng := rand.New(rand.NewPCG(1, 2))
	var teams []int64
	for i := range 30 {
		id, err := s.CreateTeam(ctx, sys, volunteer.TeamInput{Name: "压测队" + strconv.Itoa(i), Kind: "文明交通", RegionCode: w.communitys[i*3%len(w.communitys)]})
		if err != nil {
			b.Fatal(err)
		}
		teams = append(teams, id)
	}
	batch := db.NewBatch("volunteer_hours", "", "volunteer_id", "minutes", "source", "served_on", "kind", "team_id", "region_code", "recorded_at")
	kinds := []string{"clean", "traffic", "persuade", "elderly", "lecture", "culture"}
	day0 := now.AddDate(-2, 0, 0)
	for done := 0; done < nHours; {
		n := min(20000, nHours-done)
		args := make([]any, 0, n*8)
		for g := 0; g < n; g += 20 {
			day, kind := day0.AddDate(0, 0, rng.IntN(730)).Format("2006-01-02"), kinds[rng.IntN(len(kinds))]
			ti := rng.IntN(len(teams))
			minutes := 60 + rng.IntN(180)
			for range min(20, n-g) {
				args = append(args, w.vols[rng.IntN(len(w.vols))], minutes, "checkin", day, kind, teams[ti], w.communitys[ti*3%len(w.communitys)], now.UnixMilli())
			}
		}
		if err := app.DB.InTx(ctx, func(tx *db.Tx) error { return batch.Insert(ctx, tx, args) }); err != nil {
			b.Fatal(err)
		}
		done += n
	}
	if _, err := s.Recompute(ctx); err != nil {
		b.Fatal(err)
	}
	if err := app.DB.Analyze(ctx, []string{"volunteer", "volunteer_hours", "volunteer_signup", "volunteer_star", "volunteer_tally",
		"volunteer_tally_month"}, nil); err != nil {
		b.Fatal(err)
	}
	if app.DB.Dialect() == db.Postgres && os.Getenv("WENMING_BENCH_VACUUM") != "" {
		// As autovacuum would after a bulk load: index-only scans need the visibility map.
		for _, table := range []string{"volunteer", "volunteer_tally", "volunteer_tally_month"} {
			if _, err := app.DB.Exec(ctx, "VACUUM "+table); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Logf("%s: %d volunteers, %d ledger entries, %d check-in activities, set up in %s", app.DB.Dialect(), nVol, nHours, len(ids),
		time.Since(start).Round(time.Second))
	return w
}

func BenchmarkVolunteers(b *testing.B) {
	w := newBenchWorld(b)
	ctx := context.Background()
	s := w.app.Volunteers
	office := servertest.Actor(b, w.app, "office")

	var next atomic.Int64 // check-ins taken, over the runs of the sub-benchmark
	b.Run("CheckinAPI", func(b *testing.B) {
		pairs := len(w.users) * len(w.checkins)
		first := next.Load()
		start := time.Now()
		b.SetParallelism(2)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				k := int(next.Add(1)) - 1
				if k >= pairs {
					b.Error("more check-ins than sign-ups: lower -benchtime")
					return
				}
				u, a := k%len(w.users), w.checkins[k/len(w.users)]
				body, _ := json.Marshal(map[string]any{"token": w.codes[a], "lng": 113.3201, "lat": 33.7301})
				status, res := servertest.APICall(b, w.app, "POST", "/api/v1/volunteer-checkins", w.tokens[u], string(body))
				if status != http.StatusOK {
					b.Errorf("check-in: %d %s", status, res)
					return
				}
			}
		})
		b.ReportMetric(float64(next.Load()-first)/time.Since(start).Seconds(), "checkins/s")
	})

	b.Run("VolunteerPage", func(b *testing.B) {
		br := w.app.SignedIn(b, "office")
		rng := rand.New(rand.NewPCG(3, 4))
		var lat []time.Duration
		for b.Loop() {
			id := w.vols[rng.IntN(len(w.vols))]
			t0 := time.Now()
			res := br.Get("/volunteers/" + strconv.FormatInt(id, 10))
			lat = append(lat, time.Since(t0))
			if res.Status != http.StatusOK {
				b.Fatalf("page: %d", res.Status)
			}
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	})

	// The slow ones run a few times whatever -benchtime says (which is
	// set for the check-ins), and report their own time per run.
	few := func(b *testing.B, n int, f func() error) {
		start, runs := time.Now(), 0
		for runs < n {
			if err := f(); err != nil {
				b.Fatal(err)
			}
			runs++
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(runs), "ms/run")
	}
	b.Run("RecomputeStars", func(b *testing.B) {
		few(b, 3, func() error { return s.RecomputeStars(ctx) })
	})
	b.Run("RecomputeAll", func(b *testing.B) {
		few(b, 1, func() error { _, err := s.Recompute(ctx); return err })
	})
	b.Run("MonthlyFigures", func(b *testing.B) {
		now := time.Now().In(volunteer.Loc())
		from, to := now.AddDate(-1, 0, 1).Format("2006-01-02"), now.Format("2006-01-02")
		few(b, 20, func() error {
			k, err := s.Figures(ctx, office, demo.District, from, to)
			if err == nil && len(k.ByMonth) < 12 {
				err = fmt.Errorf("figures by month: %+v", k.ByMonth)
			}
			return err
		})
	})
}
