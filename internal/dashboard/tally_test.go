package dashboard_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/dashboard"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/server"
)

// TestBoardFromTallyEqualsBoardFromCases computes every kind of board
// twice on the demo district with four months of cases, once from the
// ledger's tally and once from the cases themselves, and wants the same
// figures.
func TestBoardFromTallyEqualsBoardFromCases(t *testing.T) {
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	app, err := server.New(ctx, cfg, dbtest.Open(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	if _, err := demo.Load(ctx, app.Regions, app.Org); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 16, 0, 0, 0, calendar.Shanghai())
	deps := demo.CaseDeps{DB: app.DB, Problems: app.Problems, Media: app.Media, Categories: app.Categories, Org: app.Org, Regions: app.Regions}
	if n, err := demo.LoadCases(ctx, deps, now, 250, 120); err != nil || n < 150 {
		t.Fatalf("demo cases: %d, %v", n, err)
	}
	app.Problems.Now = func() time.Time { return now }
	fromTally := &dashboard.Store{Problems: app.Problems, Hours: app.Clock}
	fromCases := &dashboard.Store{Problems: app.Problems, Hours: app.Clock, NoTally: true}

	actor := func(q string, args ...any) access.Actor {
		t.Helper()
		var id int64
		if err := app.DB.QueryRow(ctx, q, args...).Scan(&id); err != nil {
			t.Fatal(err)
		}
		a, _, err := app.Org.Actor(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	byName := "SELECT id FROM app_user WHERE username = ?"
	// The handler of the unit with most cases, so that it is ranked.
	busiest := actor(`SELECT a.id FROM app_user a JOIN user_role r ON r.user_id = a.id AND r.role = 'handler'
		WHERE a.unit_id = (SELECT unit_id FROM problem WHERE unit_id IS NOT NULL GROUP BY unit_id ORDER BY COUNT(*) DESC LIMIT 1)
		ORDER BY a.id LIMIT 1`)
	streetOffice := actor(byName, "office")
	streetOffice.Region = "410411001" // an office of one street
	for _, tc := range []struct {
		name string
		a    access.Actor
	}{
		{"admin", actor(byName, "admin")},
		{"office", actor(byName, "office")},
		{"leader", actor(byName, "leader")},
		{"street office", streetOffice},
		{"handler", actor(byName, "handler")},
		{"busiest unit", busiest},
	} {
		for _, days := range dashboard.Periods {
			want, err := fromCases.Board(ctx, tc.a, days)
			if err != nil {
				t.Fatal(err)
			}
			got, err := fromTally.Board(ctx, tc.a, days)
			if err != nil {
				t.Fatal(err)
			}
			if want.KPI.Filed == 0 && days == 90 && tc.name != "handler" {
				t.Errorf("%s/%dd: no cases to compare", tc.name, days)
			}
			// The mean handling time is summed in another order.
			if d := got.KPI.MeanHandlingHours - want.KPI.MeanHandlingHours; d > 1e-9 || d < -1e-9 {
				t.Errorf("%s/%dd: mean handling %.6f from the tally, %.6f from the cases", tc.name, days,
					got.KPI.MeanHandlingHours, want.KPI.MeanHandlingHours)
			}
			got.KPI.MeanHandlingHours, want.KPI.MeanHandlingHours = 0, 0
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			if string(g) != string(w) {
				t.Errorf("%s/%dd:\ntally %s\ncases %s", tc.name, days, g, w)
			}
		}
	}
}
