package web_test

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"testing"

	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// TestBulletinWeighsAdoptedWorkReports: the office sets points per
// adopted work report and per highlight; a unit's adopted reports of the
// period add exactly those points to its composite score, and a returned
// report adds nothing.
func TestBulletinWeighsAdoptedWorkReports(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	handler, office := servertest.Actor(t, app, "handler"), servertest.Actor(t, app, "office")
	servertest.DispatchedCase(t, app) // the bulletin has a case to count
	today := app.Now().In(calendar.Shanghai()).Format("2006-01-02")
	var ids []int64
	for _, title := range []string{"马庄街道开展背街小巷集中整治", "马庄街道志愿者清理楼道堆物", "马庄街道召开创城推进会"} {
		r, err := app.Workplans.SubmitWork(ctx, handler, workplan.WorkReportInput{Title: title, Body: "今日组织力量集中整治。", HappenedOn: today})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	for i, d := range []workplan.WorkDecision{workplan.Adopt, workplan.Highlight, workplan.Return} {
		if _, err := app.Workplans.ReviewWork(ctx, office, ids[i], d, "退回：内容过简"); err != nil {
			t.Fatal(err)
		}
	}
	period, err := bulletin.ParsePeriod(bulletin.PeriodWeek, today, "")
	if err != nil {
		t.Fatal(err)
	}
	score := func() (float64, bulletin.UnitRow) {
		t.Helper()
		b, err := app.Bulletins.Preview(ctx, office, bulletin.Request{Region: office.Region, Period: period})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range b.Content.Groups {
			for _, u := range g.Units {
				if u.UnitID == handler.UnitID {
					return u.Score, u
				}
			}
		}
		t.Fatalf("unit %d not in the bulletin", handler.UnitID)
		return 0, bulletin.UnitRow{}
	}
	before, _ := score()
	admin := app.SignedIn(t, "office")
	admin.Get("/bulletins/config")
	form := url.Values{"on_time": {"40"}, "closure": {"30"}, "rework": {"10"}, "return": {"10"}, "extension": {"10"},
		"per_failed": {"2"}, "per_falsified": {"5"}, "per_unjustified": {"1"}, "per_adopted": {"2"}, "per_highlight": {"1.5"},
		"double_factor": {"2"}, "min_sample": {"5"}, "list_size": {"3"}}
	if res := admin.Post("/bulletins/config", form); res.Status != http.StatusSeeOther {
		t.Fatalf("save config: %d\n%s", res.Status, res.Body)
	}
	after, row := score()
	// Two adopted (one of them a highlight): 2 × 2 + 1 × 1.5.
	if math.Abs(after-before-5.5) > 1e-9 || row.Weighted.WorkAdopted != 2 || row.Weighted.WorkHighlights != 1 {
		t.Errorf("score %.2f → %.2f, work %v adopted %v highlights; want +5.5 from 2 and 1", before, after,
			row.Weighted.WorkAdopted, row.Weighted.WorkHighlights)
	}
	page := admin.Get("/bulletins/config")
	servertest.MustContain(t, page.Body, "每条信息报送被采用加分", `name="per_adopted" value="2"`)
	form.Set("per_adopted", "-1")
	res := admin.Post("/bulletins/config", form)
	if res.Status == http.StatusSeeOther {
		t.Error("a negative bonus was accepted")
	}
}
