package routing_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/routing"
	"github.com/wenming-civic/wenming/internal/server"
)

// TestHasEnabledRules follows a rule from created to disabled.
func TestHasEnabledRules(t *testing.T) {
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
	has := func(want bool) {
		t.Helper()
		got, err := routing.HasEnabledRules(ctx, app.DB)
		if err != nil || got != want {
			t.Fatalf("HasEnabledRules = %v (%v), want %v", got, err, want)
		}
	}
	has(false)
	office, _, err := app.Org.Actor(ctx, userID(t, app, "office"))
	if err != nil {
		t.Fatal(err)
	}
	street, err := org.UnitIDByCode(ctx, app.DB, "410411001")
	if err != nil {
		t.Fatal(err)
	}
	in := routing.RuleInput{Position: 10, RegionCode: "410411001", UnitID: street, Enabled: false}
	id, err := app.Routing.CreateRule(ctx, office, in)
	if err != nil {
		t.Fatal(err)
	}
	has(false) // a disabled rule routes nothing
	in.Enabled = true
	if err := app.Routing.UpdateRule(ctx, office, id, in); err != nil {
		t.Fatal(err)
	}
	has(true)
	if err := app.Routing.DeleteRule(ctx, office, id); err != nil {
		t.Fatal(err)
	}
	has(false)
}
