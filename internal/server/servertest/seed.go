package servertest

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/site"
)

// PlanLink matches where creating an inspection plan redirects.
var PlanLink = regexp.MustCompile(`^/inspections/(\d+)$`)

// MakeInspector adds a second inspector, called name, to the office.
func MakeInspector(t testing.TB, app *App, name string) {
	t.Helper()
	ctx := context.Background()
	units, _, _ := app.Org.ListUnits(ctx, access.System(), org.UnitFilter{Query: "410411-office"})
	if _, _, err := app.Org.CreateUser(ctx, access.System(), org.UserInput{Username: name, DisplayName: "外来督导", UnitID: units[0].ID,
		Roles: []access.Role{access.RoleInspector}, Password: name + "-pass-9"}); err != nil {
		t.Fatal(err)
	}
}

// NewPlan has the office plan an inspection of the whole district.
func NewPlan(t testing.TB, app *App, office *Browser, covert bool) string {
	t.Helper()
	if _, err := site.DemoSites(context.Background(), app.Sites); err != nil {
		t.Fatal(err)
	}
	office.Get("/inspections")
	form := url.Values{"name": {"11 月模拟测评"}, "region": {"410411"}, "starts_on": {"2026-11-20"}, "ends_on": {"2026-11-30"},
		"inspectors": {UserIDByName(t, app, "inspector")}, "mode": {"sample"}, "n_square": {"2"}, "n_main_road": {"2"}, "seed": {"7"}}
	if covert {
		form.Set("covert", "1")
	}
	res := office.Post("/inspections", form)
	m := PlanLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create plan: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	return m[1]
}

// NewSharedPlan has the office plan an inspection of sampled sites for the
// demo inspector (孙督导) and a second one (外来督导), dealt by assign.
func NewSharedPlan(t testing.TB, app *App, office *Browser, assign string) int64 {
	t.Helper()
	if _, err := site.DemoSites(context.Background(), app.Sites); err != nil {
		t.Fatal(err)
	}
	office.Get("/inspections")
	form := url.Values{"name": {"分片包干测评"}, "region": {"410411"}, "starts_on": {"2026-11-20"}, "ends_on": {"2026-11-30"},
		"inspectors": {UserIDByName(t, app, "inspector"), UserIDByName(t, app, "inspector2")}, "mode": {"sample"},
		"n_square": {"3"}, "n_main_road": {"3"}, "seed": {"7"}, "assign": {assign}}
	res := office.Post("/inspections", form)
	m := PlanLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create plan: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	return MustAtoi(t, m[1])
}

// PlanResults returns a plan's results as the system sees them.
func PlanResults(t testing.TB, app *App, plan int64) inspect.Results {
	t.Helper()
	res, err := app.Inspect.Results(context.Background(), access.System(), plan)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// AssignedCount counts the plan's sites that have an inspector.
func AssignedCount(res inspect.Results) int {
	n := 0
	for _, sc := range res.Sites {
		if sc.AssigneeID != 0 {
			n++
		}
	}
	return n
}

// AddForeignDistrict imports 平顶山市卫东区 (410403), outside the demo
// office's jurisdiction, with an office unit in it, and returns the
// unit's id.
func AddForeignDistrict(t testing.TB, app *App) string {
	t.Helper()
	ctx := context.Background()
	csv := "code,name,cityCode,provinceCode\n410403,卫东区,4104,41\n"
	src := region.Source{Name: "weidong.csv", Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(csv)), nil }}
	if _, err := app.Regions.Import(ctx, []region.Source{src}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Regions.Get(ctx, "410403"); err != nil {
		t.Fatalf("foreign district not imported: %v", err)
	}
	u, err := app.Org.CreateUnit(ctx, access.System(), org.UnitInput{Code: "410403-office", Name: "卫东区文明办", Kind: org.KindOffice, RegionCode: "410403"})
	if err != nil {
		t.Fatal(err)
	}
	return Itoa(u.ID)
}
