package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/workplan"
)

func TestLoadWorkplan(t *testing.T) {
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
	rep, err := demo.LoadWorkplan(ctx, demo.WorkplanDeps{CaseDeps: deps, Workplans: app.Workplans}, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Tasks < 38 || rep.Reports < 80 || rep.Campaigns != 3 || rep.WorkReports < 30 || rep.Summaries != 1 {
		t.Fatalf("loaded %+v", rep)
	}
	office := servertest.Actor(t, app, "office")
	plans, err := app.Workplans.Plans(ctx, office)
	if err != nil || len(plans) != 1 {
		t.Fatalf("plans %v %v", plans, err)
	}
	b, err := app.Workplans.Board(ctx, office, plans[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	tot := b.Total
	if tot.Done < 2 || tot.DoneLate < 1 || tot.Overdue < 2 || tot.Review < 1 || tot.Budget < 10000 || tot.Spent <= 0 {
		t.Errorf("board %+v", tot)
	}
	waiting, err := app.Workplans.Reports(ctx, office, workplan.ReportFilter{State: workplan.Submitted})
	if err != nil || len(waiting) < 3 {
		t.Errorf("reports waiting: %d %v", len(waiting), err)
	}
	camps, err := app.Workplans.Campaigns(ctx, office)
	if err != nil || len(camps) != 3 {
		t.Fatalf("campaigns %d %v", len(camps), err)
	}
	found := 0
	for _, c := range camps {
		v, err := app.Workplans.CampaignPage(ctx, office, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		found += v.Total.Found
	}
	if found == 0 {
		t.Error("the campaigns count no case")
	}
	// Loading again adds nothing.
	if again, err := demo.LoadWorkplan(ctx, demo.WorkplanDeps{CaseDeps: deps, Workplans: app.Workplans}, now); err != nil || again.Tasks != 0 {
		t.Errorf("second load %+v %v", again, err)
	}
}

func TestLoadWorkplanIssuesASummary(t *testing.T) {
	app := servertest.New(t)
	ctx := context.Background()
	deps := demo.CaseDeps{DB: app.DB, Problems: app.Problems, Media: app.Media, Categories: app.Categories, Org: app.Org, Regions: app.Regions}
	if _, err := demo.LoadWorkplan(ctx, demo.WorkplanDeps{CaseDeps: deps, Workplans: app.Workplans}, time.Now()); err != nil {
		t.Fatal(err)
	}
	list, err := app.Workplans.Summaries(ctx, servertest.Actor(t, app, "office"))
	if err != nil || len(list) != 1 || !list[0].Issued || list[0].Seq != 1 {
		t.Fatalf("summaries %v %v", list, err)
	}
	highlights, err := app.Workplans.WorkReports(ctx, servertest.Actor(t, app, "office"), workplan.WorkFilter{Highlight: true})
	if err != nil || len(highlights) < 4 {
		t.Errorf("highlights %d %v", len(highlights), err)
	}
}
