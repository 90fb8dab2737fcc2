package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/dossier"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// TestLoadDossierEveryState: the demo's round has items in every state,
// real files, and loading it again adds nothing.
func TestLoadDossierEveryState(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	deps := demo.DossierDeps{Dossiers: app.Dossiers, Files: app.Files, Org: app.Org}
	rep, err := demo.LoadDossier(ctx, deps, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requirements != 3 || rep.Items == 0 || rep.Files == 0 {
		t.Fatalf("report %+v", rep)
	}
	items, err := app.Dossiers.Items(ctx, access.System(), dossier.ItemFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[dossier.Status]int{}
	today := app.Dossiers.Today()
	for _, it := range items {
		seen[it.Status(today)]++
	}
	for _, st := range dossier.Statuses() {
		if seen[st] == 0 {
			t.Errorf("no item %s: %v", st, seen)
		}
	}
	again, err := demo.LoadDossier(ctx, deps, time.Now())
	if err != nil || again.Items != 0 {
		t.Errorf("second load %+v %v", again, err)
	}
}
