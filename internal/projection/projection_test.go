package projection_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/projection"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// figures is the dossier round as a test gives it: figures for the
// DossierSource interface, not a database.
type figures struct {
	round projection.DossierRound
	asked []string // the areas asked for
}

func (f *figures) Dossier(_ context.Context, _ int64, region string) (projection.DossierRound, error) {
	f.asked = append(f.asked, region)
	if f.round.RoundID == 0 {
		return projection.DossierRound{}, projection.ErrNoDossier
	}
	return f.round, nil
}

// dossierFigures: 1.1.1.2 needs 10 items, 7 approved (unit 1: 5 of 6, unit
// 2: 2 of 4); 3.1.1.1 needs 20, 15 approved, all from unit 1.
func dossierFigures(w servertest.ProjectionWorld, u1, u2 int64) *figures {
	return &figures{round: projection.DossierRound{RoundID: 9, RoundName: "2026 年度材料申报", Criteria: []projection.DossierCriterion{
		{CriterionID: w.Criteria["1.1.1.2"], Required: 10, Approved: 7, MissingURL: "/dossier/rounds/9/missing?criterion=1.1.1.2",
			Units: []projection.DossierUnit{{UnitID: u1, Required: 6, Approved: 5}, {UnitID: u2, Required: 4, Approved: 2}}},
		{CriterionID: w.Criteria["3.1.1.1"], Required: 20, Approved: 15, MissingURL: "/dossier/rounds/9/missing?criterion=3.1.1.1",
			Units: []projection.DossierUnit{{UnitID: u1, Required: 20, Approved: 15}}},
	}}}
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %.6f, want %.6f", what, got, want)
	}
}

func criterion(t *testing.T, p projection.Projection, code string) *projection.CriterionScore {
	t.Helper()
	for _, c := range p.Criteria {
		if c.Code == code {
			return c
		}
	}
	t.Fatalf("no criterion %s", code)
	return nil
}

func method(p projection.Projection, m framework.Method) projection.MethodScore {
	for _, x := range p.Methods {
		if x.Method == m {
			return x
		}
	}
	return projection.MethodScore{}
}

// TestWorkedExample checks the projected score of the district and of a
// street against figures counted by hand (see servertest.SeedProjection).
func TestWorkedExample(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	app := servertest.New(t)
	w := servertest.SeedProjection(t, app)
	u1 := servertest.MustAtoi(t, servertest.UnitID(t, app, "410411-cz"))
	u2 := servertest.MustAtoi(t, servertest.UnitID(t, app, "410411-gd"))
	streetA := servertest.MustAtoi(t, servertest.UnitID(t, app, servertest.ProjStreetA))
	commA := servertest.MustAtoi(t, servertest.UnitID(t, app, servertest.ProjCommA))
	src := dossierFigures(w, u1, u2)
	store := &projection.Store{DB: app.DB, Framework: app.Framework, Dossier: src}
	office := servertest.Actor(t, app, "office")

	p, err := store.Project(ctx, office, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Area != "410411" || p.VersionID != w.Version || len(src.asked) != 1 || src.asked[0] != "410411" {
		t.Fatalf("area %q version %d (want %d), dossier asked for %v", p.Area, p.VersionID, w.Version, src.asked)
	}
	// Full scores by method: field 4 + 2 + 2 = 8, survey 3 + 1 = 4,
	// dossier 2 + 6 = 8. Worth = weight × score / full score.
	// Field (40): 1.1.1.1 worth 20; the latest public inspection of each
	// site: sites 1–3 from round 2, site 4 from round 1; the covert round
	// is not counted. Passes 2 (sites 2, 4) of 4 → 20 × 2/4.
	// 1.1.1.2 worth 10: pass at 1, fail at 2 and 3, 不适用 at 4 → 10 × 1/3.
	// 1.1.1.3 worth 10: no toilet inspected → 无数据.
	// Survey (20): 1.2.1.1 worth 15: A1–A5, X 5/5, Y 2/4 (不清楚 is not
	// valid), B 5/5 → 12/14. 1.2.1.2 worth 5: B1–B3 and C8 (score/100):
	// X 3 + 0.8, Y 2 + 1, B 3 + 1 of 4 + 4 + 4 → 10.8/12.
	// Dossier (40): 1.1.1.2 worth 10 × 7/10; 3.1.1.1 worth 30 × 15/20.
	field := 20*2.0/4 + 10*1.0/3
	surveyPts := 15*12.0/14 + 5*10.8/12
	dossier := 10*7.0/10 + 30*15.0/20
	near(t, "field achieved", method(p, framework.MethodField).Achieved, field)
	near(t, "field lost", method(p, framework.MethodField).Lost, 20*2.0/4+10*2.0/3)
	near(t, "field unknown", method(p, framework.MethodField).Unknown, 10)
	near(t, "survey achieved", method(p, framework.MethodSurvey).Achieved, surveyPts)
	near(t, "dossier achieved", method(p, framework.MethodDossier).Achieved, dossier)
	near(t, "total", p.Achieved, field+surveyPts+dossier)
	near(t, "lost", p.Lost, 100-10-(field+surveyPts+dossier))
	near(t, "unknown", p.Unknown, 10)
	near(t, "high", p.High(), field+surveyPts+dossier+10)
	if len(p.FieldPlans) != 2 || p.FieldPlans[0].ID != w.Plans[1] || p.FieldPlans[0].Counted != 3 || p.FieldPlans[1].Counted != 1 || p.Inspections != 4 {
		t.Errorf("field rounds %+v (%d inspections), want round 2 (3) then round 1 (1)", p.FieldPlans, p.Inspections)
	}
	if p.SurveyRound == nil || p.SurveyRound.ID != w.Round || p.DossierRound == nil || p.DossierRound.ID != 9 {
		t.Errorf("rounds %+v %+v", p.SurveyRound, p.DossierRound)
	}

	// The 无数据 criterion neither achieves nor loses.
	toilet := criterion(t, p, "1.1.1.3")
	if toilet.Parts[0].Known || toilet.Achieved != 0 || toilet.Lost != 0 {
		t.Errorf("1.1.1.3 %+v", toilet)
	}
	near(t, "1.1.1.3 unknown", toilet.Unknown, 10)

	// A criterion with two methods loses under both: field 10 × 2/3 and
	// dossier 10 × 3/10, with links to the failed inspections and the
	// missing items.
	two := criterion(t, p, "1.1.1.2")
	near(t, "1.1.1.2 lost", two.Lost, 10*2.0/3+3)
	if len(two.Parts) != 2 || len(two.Parts[0].Links) != 2 || two.Parts[1].Links[0].URL != "/dossier/rounds/9/missing?criterion=1.1.1.2" {
		t.Errorf("1.1.1.2 parts %+v", two.Parts)
	}
	if got := two.Parts[0].Links[0]; got.URL != "/inspections/"+servertest.Itoa(w.Plans[1])+"#site-"+servertest.Itoa(w.Sites[1]) ||
		!strings.HasPrefix(got.Case, "/problems/") || got.Label != "预估测试广场2" {
		t.Errorf("failed inspection link %+v", got)
	}

	// The top list, most lost first: 1.1.1.1 (10), 1.1.1.2 (6.67 + 3),
	// 3.1.1.1 (7.5), then the survey criteria (2.14, 0.5).
	top := p.TopLost(projection.TopCriteria)
	var codes []string
	for _, c := range top {
		codes = append(codes, c.Code)
	}
	if len(codes) != 5 || codes[0] != "1.1.1.1" || codes[1] != "1.1.1.2" || codes[2] != "3.1.1.1" || codes[3] != "1.2.1.1" {
		t.Errorf("top lost %v", codes)
	}

	// Units: every field failure is at a square of street A (its
	// territorial unit): 1.1.1.1 costs 20/4 per failure, 1.1.1.2 10/3.
	// The survey's loss is community A's (B has no shortfall). The
	// dossier's by missing items: 1.1.1.2 loses 3, unit 1 missing 1 and
	// unit 2 missing 2; 3.1.1.1 loses 7.5, all unit 1.
	lost := map[int64]float64{}
	for _, u := range p.Units {
		lost[u.UnitID] = u.Lost
	}
	near(t, "street A", lost[streetA], 2*5+2*10.0/3)
	near(t, "community A", lost[commA], 15*2.0/14+5*1.2/12)
	near(t, "unit 1", lost[u1], 1+7.5)
	near(t, "unit 2", lost[u2], 2)
	if len(p.Units) != 4 || p.Units[0].UnitID != streetA || p.Units[1].UnitID != u1 {
		t.Errorf("units %+v", p.Units)
	}
	var sum float64
	for _, u := range p.Units {
		sum += u.Lost
	}
	near(t, "units' lost = lost", sum, p.Lost)

	// Street A: sites 1–3 only. 1.1.1.1 passes at site 2 of 3.
	st, err := store.Project(ctx, office, servertest.ProjStreetA)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "street field achieved", method(st, framework.MethodField).Achieved, 20*1.0/3+10*1.0/3)
	near(t, "street survey achieved", method(st, framework.MethodSurvey).Achieved, surveyPts)
	if src.asked[len(src.asked)-1] != servertest.ProjStreetA || st.Inspections != 3 {
		t.Errorf("street: dossier asked for %v, %d inspections", src.asked, st.Inspections)
	}

	// Street B has one site and no survey: its 1.1.1.2 was 不适用 → 无数据.
	stB, err := store.Project(ctx, office, servertest.ProjStreetB)
	if err != nil {
		t.Fatal(err)
	}
	if c := criterion(t, stB, "1.1.1.2"); c.Parts[0].Known || stB.SurveyRound != nil {
		t.Errorf("street B: 1.1.1.2 %+v, survey %+v", c.Parts[0], stB.SurveyRound)
	}
	near(t, "street B survey unknown", method(stB, framework.MethodSurvey).Unknown, 20)

	// Without a dossier source, the dossier criteria are 无数据.
	bare := &projection.Store{DB: app.DB, Framework: app.Framework}
	nb, err := bare.Project(ctx, office, "")
	if err != nil {
		t.Fatal(err)
	}
	near(t, "no dossier: achieved", nb.Achieved, field+surveyPts)
	near(t, "no dossier: unknown", nb.Unknown, 10+40)
}

// TestWeights: the office changes the weights and the total follows; bad
// weights are refused with their reason and nothing is stored.
func TestWeights(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	app := servertest.New(t)
	w := servertest.SeedProjection(t, app)
	store := &projection.Store{DB: app.DB, Framework: app.Framework,
		Dossier: dossierFigures(w, servertest.MustAtoi(t, servertest.UnitID(t, app, "410411-cz")), servertest.MustAtoi(t, servertest.UnitID(t, app, "410411-gd")))}
	office, leader := servertest.Actor(t, app, "office"), servertest.Actor(t, app, "leader")
	if got, _ := store.Weights(ctx); got != projection.DefaultWeights() || got.Dossier != 40 || got.Field != 40 || got.Survey != 20 {
		t.Fatalf("default weights %+v", got)
	}
	for _, tc := range []struct {
		name string
		who  access.Actor
		in   projection.WeightsInput
		code string
	}{
		{"sum not 100", office, projection.WeightsInput{Field: "50", Survey: "20", Dossier: "40"}, "projection.weights_sum"},
		{"negative", office, projection.WeightsInput{Field: "-10", Survey: "70", Dossier: "40"}, "projection.weight_range.field"},
		{"not a number", office, projection.WeightsInput{Field: "40", Survey: "二十", Dossier: "40"}, "projection.weight_not_number.survey"},
		{"too fine", office, projection.WeightsInput{Field: "40.05", Survey: "19.95", Dossier: "40"}, "projection.weight_range.field"},
		{"leader", leader, projection.WeightsInput{Field: "50", Survey: "10", Dossier: "40"}, "projection.configure_forbidden"},
	} {
		_, err := store.SetWeights(ctx, tc.who, tc.in)
		var e *apperr.Error
		if !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if got, _ := store.Weights(ctx); got != projection.DefaultWeights() {
		t.Fatalf("refused weights stored: %+v", got)
	}
	if _, err := store.SetWeights(ctx, office, projection.WeightsInput{Field: "50", Survey: "10", Dossier: "40%"}); err != nil {
		t.Fatal(err)
	}
	p, err := store.Project(ctx, office, "")
	if err != nil {
		t.Fatal(err)
	}
	// Field worth 50 × 4/8 = 25 and 50 × 2/8 = 12.5; survey 10 × 3/4 and 10 × 1/4.
	want := 25*2.0/4 + 12.5*1.0/3 + 7.5*12.0/14 + 2.5*10.8/12 + 10*7.0/10 + 30*15.0/20
	near(t, "total at 50/10/40", p.Achieved, want)
	near(t, "unknown at 50/10/40", p.Unknown, 12.5)
}
