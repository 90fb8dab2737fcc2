package web_test

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/dossier"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// TestBulletinCountsOverdueDossierItems: a unit's dossier items still owed
// past their due dates are a separate line of its bulletin figures, and
// weigh in its score only when the office sets points for them.
func TestBulletinCountsOverdueDossierItems(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	ctx := context.Background()
	handler, office := servertest.Actor(t, app, "handler"), servertest.Actor(t, app, "office")
	servertest.DispatchedCase(t, app)
	// Three months of 2025, long past: all three items are overdue.
	servertest.DossierRound(t, app, "2025年材料", "2025-06-01", false, servertest.DossierReq{Input: dossier.RequirementInput{
		CriterionCode: "1.2.1.3", Title: "台账", Types: []dossier.MaterialType{dossier.TypeAccount}, Frequency: dossier.Monthly,
		PeriodFrom: "2025-01", PeriodTo: "2025-03"}, Lead: "410411001"})
	today := app.Now().In(calendar.Shanghai()).Format("2006-01-02")
	period, err := bulletin.ParsePeriod(bulletin.PeriodWeek, today, "")
	if err != nil {
		t.Fatal(err)
	}
	row := func() bulletin.UnitRow {
		t.Helper()
		b, err := app.Bulletins.Preview(ctx, office, bulletin.Request{Region: office.Region, Period: period})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range b.Content.Groups {
			for _, u := range g.Units {
				if u.UnitID == handler.UnitID {
					return u
				}
			}
		}
		t.Fatalf("unit %d not in the bulletin", handler.UnitID)
		return bulletin.UnitRow{}
	}
	before := row()
	if before.Weighted.DossierOverdue != 3 || before.Parts.Dossier != 0 {
		t.Fatalf("dossier line %v, deducted %v; want 3 and 0", before.Weighted.DossierOverdue, before.Parts.Dossier)
	}
	b := app.SignedIn(t, "office")
	b.Get("/bulletins/config")
	form := url.Values{"on_time": {"40"}, "closure": {"30"}, "rework": {"10"}, "return": {"10"}, "extension": {"10"},
		"per_failed": {"2"}, "per_falsified": {"5"}, "per_unjustified": {"1"}, "per_dossier_overdue": {"0.5"},
		"double_factor": {"2"}, "min_sample": {"5"}, "list_size": {"3"}}
	if res := b.Post("/bulletins/config", form); res.Status != http.StatusSeeOther {
		t.Fatalf("save config: %d\n%s", res.Status, res.Body)
	}
	after := row()
	if math.Abs(before.Score-after.Score-1.5) > 1e-9 || after.Parts.Dossier != 1.5 {
		t.Errorf("score %.2f → %.2f (dossier %.2f), want −1.5 for 3 overdue items", before.Score, after.Score, after.Parts.Dossier)
	}
	servertest.MustContain(t, b.Get("/bulletins/config").Body, "每项逾期未交申报材料扣分")
	// The printed bulletin (PDF) carries the line as well.
	prev, err := app.Bulletins.Preview(ctx, office, bulletin.Request{Region: office.Region, Period: period})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load("zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, sec := range prev.Notice(cat.T).Sections {
		text.WriteString(strings.Join(sec.Paragraphs, "\n"))
	}
	servertest.MustContain(t, text.String(), "材料申报逾期未交：马庄街道办事处 3 项")
}
