package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/projection"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// dossierFigures are the dossier round as the test gives it to the
// DossierSource interface: 1.1.1.2 needs 10 items (7 approved), 3.1.1.1
// needs 20 (15 approved).
type dossierFigures struct{ round projection.DossierRound }

func (f dossierFigures) Dossier(context.Context, int64, string) (projection.DossierRound, error) {
	return f.round, nil
}

func projectionApp(t *testing.T) (*servertest.App, servertest.ProjectionWorld) {
	t.Helper()
	app := servertest.New(t)
	w := servertest.SeedProjection(t, app)
	u1 := servertest.MustAtoi(t, servertest.UnitID(t, app, "410411-cz"))
	u2 := servertest.MustAtoi(t, servertest.UnitID(t, app, "410411-gd"))
	app.Projection.Dossier = dossierFigures{projection.DossierRound{RoundID: 3, RoundName: "年度材料申报", Criteria: []projection.DossierCriterion{
		{CriterionID: w.Criteria["1.1.1.2"], Required: 10, Approved: 7, MissingURL: "/dossier/rounds/3/items?criterion=1.1.1.2&state=missing",
			Units: []projection.DossierUnit{{UnitID: u1, Required: 6, Approved: 5}, {UnitID: u2, Required: 4, Approved: 2}}},
		{CriterionID: w.Criteria["3.1.1.1"], Required: 20, Approved: 15, MissingURL: "/dossier/rounds/3/items?criterion=3.1.1.1",
			Units: []projection.DossierUnit{{UnitID: u1, Required: 20, Approved: 15}}},
	}}}
	return app, w
}

func pts(x float64) string { return fmt.Sprintf("%.2f", x) }

// The district's and street A's totals, counted by hand as in the
// projection package's worked example, at the default weights 40/20/40.
var (
	districtTotal = 20*2.0/4 + 10*1.0/3 + 15*12.0/14 + 5*10.8/12 + 10*7.0/10 + 30*15.0/20
	streetTotal   = 20*1.0/3 + 10*1.0/3 + 15*12.0/14 + 5*10.8/12 + 10*7.0/10 + 30*15.0/20
)

// TestProjectionScope: the office and leaders see their district and any
// area inside it, a street's handler only the street, nobody else the page.
func TestProjectionScope(t *testing.T) {
	t.Parallel()
	app, w := projectionApp(t)
	tests := []struct {
		who, path string
		status    int
		wants     []string
	}{
		{"office", "/projection", 200, []string{`data-total="` + pts(districtTotal) + `"`, "湛河区", "预估测试体系", `data-criterion="1.1.1.1"`,
			"/inspections/" + servertest.Itoa(w.Plans[1]) + "#site-" + servertest.Itoa(w.Sites[0]), "/dossier/rounds/3/items?criterion=3.1.1.1",
			"/surveys/rounds/" + servertest.Itoa(w.Round) + "/results?area=410411", "无数据的测评标准（1 条）", `id="weights-form"`, `">整改问题</a>`}},
		{"leader", "/projection", 200, []string{`data-total="` + pts(districtTotal) + `"`, `data-criterion="3.1.1.1"`}},
		{"office", "/projection?area=" + servertest.ProjStreetA, 200, []string{`data-total="` + pts(streetTotal) + `"`}},
		{"handler", "/projection", 200, []string{`data-total="` + pts(streetTotal) + `"`}},
		{"handler", "/projection?area=" + servertest.ProjStreetA, 200, []string{`data-total="` + pts(streetTotal) + `"`}},
		{"handler", "/projection?area=410411", 403, []string{"只能查看本辖区的测评预估"}},
		{"handler", "/projection?area=" + servertest.ProjStreetB, 403, nil},
		{"office", "/projection?area=410403", 403, nil},
		{"office", "/projection?area=41x", 400, []string{"区域代码无效"}},
		{"shequ", "/projection", 403, []string{"没有权限查看测评预估"}},
		{"inspector", "/projection", 403, nil},
		{"volunteer", "/projection", 403, nil},
		{"citizen", "/projection", 403, nil},
		{"shequ", "/projection/export.xlsx", 403, nil},
	}
	browsers := map[string]*servertest.Browser{}
	for _, tc := range tests {
		b := browsers[tc.who]
		if b == nil {
			b = app.SignedIn(t, tc.who)
			browsers[tc.who] = b
		}
		res := b.Get(tc.path)
		if res.Status != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.who, tc.path, res.Status, tc.status)
			continue
		}
		servertest.MustContain(t, res.Body, tc.wants...)
	}
	// The weights form is the office's; leaders and streets see the figures only.
	servertest.MustNotContain(t, browsers["leader"].Get("/projection").Body, `id="weights-form"`)
	servertest.MustNotContain(t, browsers["handler"].Get("/projection").Body, `id="weights-form"`, `href="/projection"`)
	servertest.MustContain(t, browsers["leader"].Get("/").Body, `href="/projection"`)
	servertest.MustContain(t, browsers["office"].Get("/dashboard").Body, `id="projection-link"`)
	servertest.MustNotContain(t, browsers["inspector"].Get("/dashboard").Body, `id="projection-link"`)
}

// TestProjectionUnitsAndExport: a unit's row leads to the criteria it
// loses points on, and the workbook holds every criterion's figures.
func TestProjectionUnitsAndExport(t *testing.T) {
	t.Parallel()
	app, _ := projectionApp(t)
	office := app.SignedIn(t, "office")
	page := office.Get("/projection")
	u2 := servertest.UnitID(t, app, "410411-gd")
	street := servertest.UnitID(t, app, servertest.ProjStreetA)
	servertest.MustContain(t, page.Body, `data-unit="`+street+`"`, `data-unit="`+u2+`"`, "/projection?area=410411&amp;unit="+u2)
	// Unit 2 misses 2 of 1.1.1.2's items: 2 of its 3 lost dossier points.
	res := office.Get("/projection?area=410411&unit=" + u2)
	servertest.MustContain(t, res.Body, `data-criterion="1.1.1.2"`, "<strong>2.00</strong>")
	servertest.MustNotContain(t, res.Body, `data-criterion="1.1.1.1"`, `data-criterion="3.1.1.1"`)

	x := office.Get("/projection/export.xlsx")
	if x.Status != http.StatusOK || !strings.Contains(x.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("export: %d %s", x.Status, x.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("测评标准")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+6 || rows[1][0] != "1.1.1.1" {
		t.Fatalf("criteria sheet %v", rows)
	}
	head, err := f.GetRows("测评方法")
	if err != nil || len(head) < 2 || head[1][1] != strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", districtTotal), "0"), ".") {
		t.Fatalf("methods sheet %v %v", head, err)
	}
}

// TestProjectionWeights: the office's weights change the total; bad
// weights are refused with their reason and change nothing.
func TestProjectionWeights(t *testing.T) {
	t.Parallel()
	app, _ := projectionApp(t)
	office, leader := app.SignedIn(t, "office"), app.SignedIn(t, "leader")
	office.Get("/projection")
	for _, tc := range []struct {
		name                   string
		field, survey, dossier string
		want                   string
	}{
		{"sum", "50", "20", "40", "三种测评方法的权重之和须为 100，现为 110"},
		{"negative", "-10", "70", "40", "实地考察的权重须在 0 到 100 之间"},
		{"empty", "40", "", "40", "问卷调查的权重须为数字"},
		{"script", "40", "20", "<script>alert(1)</script>", "材料审核的权重须为数字"},
	} {
		res := office.Post("/projection/weights", url.Values{"field": {tc.field}, "survey": {tc.survey}, "dossier": {tc.dossier}, "area": {"410411"}})
		if res.Status < 400 || res.Status >= 500 {
			t.Errorf("%s: %d", tc.name, res.Status)
		}
		servertest.MustContain(t, res.Body, tc.want, `data-total="`+pts(districtTotal)+`"`)
		servertest.MustNotContain(t, res.Body, "<script>alert(1)</script>")
	}
	leader.Get("/projection")
	if res := leader.Post("/projection/weights", url.Values{"field": {"50"}, "survey": {"10"}, "dossier": {"40"}}); res.Status != http.StatusForbidden {
		t.Errorf("leader sets weights: %d", res.Status)
	}
	res := office.Post("/projection/weights", url.Values{"field": {"50"}, "survey": {"10"}, "dossier": {"40"}, "area": {"410411"}})
	if res.Status != http.StatusSeeOther || res.Location != "/projection?area=410411" {
		t.Fatalf("save weights: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	want := 25*2.0/4 + 12.5*1.0/3 + 7.5*12.0/14 + 2.5*10.8/12 + 10*7.0/10 + 30*15.0/20
	page := office.Get(res.Location)
	servertest.MustContain(t, page.Body, `data-total="`+pts(want)+`"`, "测评方法权重已保存", `name="field" value="50"`)
	servertest.MustContain(t, leader.Get("/projection").Body, `data-total="`+pts(want)+`"`)
}
