package dashboard_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/dashboard"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server"
)

// TestWhereMatchesLedger checks that the board's scope rule selects
// exactly the cases the ledger lists, for every demo role and for the
// filters the board uses (see the note on where).
func TestWhereMatchesLedger(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	app, err := server.New(ctx, cfg, d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	if _, err := demo.Load(ctx, app.Regions, app.Org); err != nil {
		t.Fatal(err)
	}
	deps := demo.CaseDeps{DB: d, Problems: app.Problems, Media: app.Media, Categories: app.Categories, Org: app.Org, Regions: app.Regions}
	if _, err := demo.LoadCases(ctx, deps, time.Now(), 120, 60); err != nil {
		t.Fatal(err)
	}
	actor := func(name string) access.Actor {
		var id int64
		if err := d.QueryRow(ctx, "SELECT id FROM app_user WHERE username = ?", name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		a, _, err := app.Org.Actor(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	street := actor("handler").UnitID
	filters := []problem.Filter{{}, {UnitID: street}, {Region: "410411001"}, {Region: "410411001", UnitID: street}, {Region: "4104"}}
	for _, name := range []string{"admin", "office", "leader", "handler", "shequ", "inspector", "volunteer", "citizen"} {
		a := actor(name)
		for _, f := range filters {
			var want []int64
			if err := app.Problems.Each(ctx, a, f, func(c *problem.Case) error { want = append(want, c.ID); return nil }); err != nil {
				t.Fatal(err)
			}
			w, args := dashboard.Where(a, f, time.Now())
			rows, err := d.Query(ctx, "SELECT p.id FROM problem p WHERE "+w, args...)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				got = append(got, id)
			}
			rows.Close()
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s %+v: board sees %d cases, ledger %d", name, f, len(got), len(want))
			}
			if name == "office" && len(f.Region) < 6 && f.UnitID == 0 && len(want) < 100 {
				t.Errorf("office sees only %d cases", len(want))
			}
		}
	}
}
