package dashboard_test

import (
	"context"
	"io"
	"log/slog"
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

// TestBoardMatchesLedger checks that the board's counts select exactly the
// cases the ledger lists, for every demo role and for the filters the
// board uses, with and without the wide-scope plan.
func TestBoardMatchesLedger(t *testing.T) {
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
			openF := f
			openF.States = dashboard.OpenStates()
			var open int
			if err := app.Problems.Each(ctx, a, openF, func(*problem.Case) error { open++; return nil }); err != nil {
				t.Fatal(err)
			}
			for _, wide := range []bool{false, true} {
				got, err := app.Problems.OpenCount(ctx, problem.BoardQuery{Actor: a, Filter: f, Wide: wide, Loc: time.UTC, To: time.Now()})
				if err != nil {
					t.Fatal(err)
				}
				if got != open {
					t.Errorf("%s %+v wide=%v: board counts %d open cases, ledger lists %d", name, f, wide, got, open)
				}
			}
			if name == "office" && len(f.Region) < 6 && f.UnitID == 0 && len(want) < 100 {
				t.Errorf("office sees only %d cases", len(want))
			}
		}
	}
}
