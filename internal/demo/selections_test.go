package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/selection"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func TestLoadSelections(t *testing.T) {
	app := servertest.New(t)
	ctx := context.Background()
	deps := demo.CaseDeps{DB: app.DB, Problems: app.Problems, Media: app.Media, Categories: app.Categories, Org: app.Org, Regions: app.Regions}
	now := time.Now()
	if _, err := demo.LoadCases(ctx, deps, now, 120, 120); err != nil {
		t.Fatal(err)
	}
	if _, _, err := demo.LoadInspections(ctx, demo.InspectDeps{CaseDeps: deps, Sites: app.Sites, Inspect: app.Inspect}, now); err != nil {
		t.Fatal(err)
	}
	sd := demo.SelectionDeps{Selections: app.Selections, Holders: app.Holders, Org: app.Org, Regions: app.Regions, Sites: app.Sites}
	rep, err := demo.LoadSelections(ctx, sd, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rounds != 2 || rep.Awarded != 9 || rep.Holders < 8 {
		t.Fatalf("loaded %+v", rep)
	}
	office := servertest.Actor(t, app, "office")
	rounds, err := app.Selections.Rounds(ctx, office)
	if err != nil || len(rounds) != 2 {
		t.Fatalf("rounds %+v %v", rounds, err)
	}
	states := map[string]int{}
	for _, r := range rounds {
		states[r.State] = r.Approved
	}
	if states[selection.RoundPublicity] != 9 || states[selection.RoundAwarded] != 9 {
		t.Errorf("round states %v", states)
	}
	if roll, err := app.Selections.HonourRoll(ctx, demo.District); err != nil || len(roll) != 9 {
		t.Errorf("honour roll %d %v", len(roll), err)
	}
	cards, err := app.Holders.Cards(ctx, office, app.Holders.ThisMonth())
	if err != nil || len(cards) != rep.Holders {
		t.Fatalf("cards %d %v", len(cards), err)
	}
	again, err := demo.LoadSelections(ctx, sd, now)
	if err != nil || again.Rounds != 0 {
		t.Errorf("second load %+v %v", again, err)
	}
}
