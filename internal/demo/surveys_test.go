package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/survey"
)

// TestDemoSurveysShowRates loads the demo's household survey and checks
// what the office will see: a closed round with visits of every outcome,
// all reviewed, whose 三率一度 exist, and a second round in progress.
func TestDemoSurveysShowRates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	app := servertest.New(t)
	deps := demo.SurveyDeps{Surveys: app.Surveys, Org: app.Org, Regions: app.Regions}
	households, rounds, err := demo.LoadSurveys(ctx, deps, time.Now())
	if err != nil || households < 100 || rounds != 2 {
		t.Fatalf("demo surveys: %d households, %d rounds, %v", households, rounds, err)
	}
	if h, r, err := demo.LoadSurveys(ctx, deps, time.Now()); err != nil || h+r != 0 {
		t.Fatalf("second load: %d %d %v", h, r, err)
	}
	office := servertest.Actor(t, app, "office")
	list, err := app.Surveys.Rounds(ctx, office)
	if err != nil || len(list) != 2 {
		t.Fatalf("rounds %v %v", list, err)
	}
	first, second := list[1], list[0]
	if first.Open() || !second.Open() {
		t.Fatalf("first open %v, second open %v", first.Open(), second.Open())
	}
	res, err := app.Surveys.Results(ctx, office, first.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	o := res.Overall
	if o.Completed == 0 || o.Refused == 0 || o.Submitted != 0 || o.Sampled <= 8*len(first.Communities) {
		t.Fatalf("first round: %+v", o)
	}
	for _, k := range survey.FigureKeys() {
		if !o.Figure(k).OK() {
			t.Errorf("first round has no %s", k)
		}
	}
	if v := o.Satisfaction().Value(); v < 50 || v > 100 {
		t.Errorf("满意度 %v", v)
	}
	sr, err := app.Surveys.Results(ctx, office, second.ID, "")
	if err != nil || sr.Previous == nil || sr.Overall.Submitted == 0 {
		t.Fatalf("second round: %+v %v", sr.Overall, err)
	}
}
