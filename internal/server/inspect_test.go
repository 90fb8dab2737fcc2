package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/site"
)

var (
	criterionField = regexp.MustCompile(`name="o_(\d+)" value="pass"`)
	checkLink      = regexp.MustCompile(`href="(/inspections/\d+/sites/(\d+)/check)"`)
	planLink       = regexp.MustCompile(`^/inspections/(\d+)$`)
)

// newPlan has the office plan an inspection of the whole district.
func newPlan(t *testing.T, app *testApp, office *browser, covert bool) string {
	t.Helper()
	if _, err := site.DemoSites(context.Background(), app.Sites); err != nil {
		t.Fatal(err)
	}
	office.get("/inspections")
	form := url.Values{"name": {"11 月模拟测评"}, "region": {"410411"}, "starts_on": {"2026-11-20"}, "ends_on": {"2026-11-30"},
		"inspectors": {userIDByName(t, app, "inspector")}, "mode": {"sample"}, "n_square": {"2"}, "n_main_road": {"2"}, "seed": {"7"}}
	if covert {
		form.Set("covert", "1")
	}
	res := office.post("/inspections", form)
	m := planLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create plan: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	return m[1]
}

// inspectFirstSite fills the checklist of the plan's first site with one
// failure (with a photo) and passes for the rest.
func inspectFirstSite(t *testing.T, insp *browser, plan, clientID string) (checkPath string, res response, criteria int) {
	t.Helper()
	page := insp.get("/inspections/" + plan)
	m := checkLink.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no site to check:\n%s", page.Body)
	}
	checkPath = m[1]
	page = insp.get(checkPath)
	ids := criterionField.FindAllStringSubmatch(page.Body, -1)
	if len(ids) < 2 {
		t.Fatalf("checklist has %d criteria", len(ids))
	}
	fields := map[string]string{"client_id": clientID, "lng": "113.33", "lat": "33.70"}
	for i, id := range ids {
		fields["o_"+id[1]] = "pass"
		if i == 0 {
			fields["o_"+id[1]] = "fail"
			fields["note_"+id[1]] = "公益广告破损"
		}
	}
	files := map[string][][]byte{"photo_" + ids[0][1]: {jpegBytes(11)}}
	return checkPath, insp.postMultipart(checkPath, fields, files), len(ids)
}

func TestInspectionRound(t *testing.T) {
	app := newTestApp(t)
	office, insp := app.browser(t), app.browser(t)
	office.signIn("office", demoPassword("office"))
	insp.signIn("inspector", demoPassword("inspector"))
	plan := newPlan(t, app, office, false)
	res := office.get("/inspections/" + plan)
	mustContain(t, res.Body, "11 月模拟测评")
	if done, total := progress(t, res.Body); done != 0 || total < 2 {
		t.Fatalf("new plan progress %d / %d", done, total)
	}

	// A failure without its photo is refused.
	page := insp.get("/inspections/" + plan)
	path := checkLink.FindStringSubmatch(page.Body)[1]
	insp.get(path)
	if r := insp.postMultipart(path, map[string]string{"client_id": "client-nophoto-1"}, nil); r.Status != http.StatusBadRequest {
		t.Fatalf("empty checklist: %d", r.Status)
	}

	checkPath, res, n := inspectFirstSite(t, insp, plan, "client-0000000001")
	if res.Status != http.StatusOK {
		t.Fatalf("submit: %d\n%s", res.Status, res.Body)
	}
	mustContain(t, res.Body, "检查结果已提交", "不合格 1 项")
	// Sent again (a phone that lost the answer): recorded once.
	_, again, _ := inspectFirstSite(t, insp, plan, "client-0000000001")
	mustContain(t, again.Body, "此前已提交过")
	res = office.get("/inspections/" + plan)
	mustContain(t, res.Body, "失分最多")
	if done, _ := progress(t, res.Body); done != 1 {
		t.Fatalf("progress after one site: %d", done)
	}

	// The plan's scores follow from the one inspection: passed weight over
	// applicable weight, averaged by type, street and overall.
	var passed, applicable float64
	if err := app.DB.QueryRow(context.Background(), "SELECT passed, applicable FROM inspection WHERE client_id = ?", "client-0000000001").
		Scan(&passed, &applicable); err != nil {
		t.Fatal(err)
	}
	officeActor, _, _ := app.Org.Actor(context.Background(), mustAtoi(t, userIDByName(t, app, "office")))
	results, err := app.Inspect.Results(context.Background(), officeActor, mustAtoi(t, plan))
	if err != nil {
		t.Fatal(err)
	}
	if results.Overall.Rated != 1 || results.Overall.Mean != passed/applicable || passed >= applicable {
		t.Fatalf("overall %+v, inspection %v / %v", results.Overall, passed, applicable)
	}
	// The failure is a case in the ledger, dispatched, linked to the site.
	cases, _, err := app.Problems.List(context.Background(), access.System(), problem.Filter{Source: problem.SourceInspection})
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases from the inspection: %v %v", cases, err)
	}
	if c := cases[0]; c.State != problem.Dispatched || c.SiteID == 0 || !strings.Contains(c.Description, "公益广告破损") {
		t.Fatalf("filed case: %+v", c)
	}
	// The site's page shows the round and the case found there.
	page = office.get("/sites/" + strconvI(cases[0].SiteID))
	mustContain(t, page.Body, "历次检查得分", "11 月模拟测评", cases[0].Code)
	// Someone not in the plan cannot submit.
	outsider := app.browser(t)
	makeInspector(t, app, "inspector2")
	outsider.signIn("inspector2", "inspector2-pass-9")
	if r := outsider.get(checkPath); r.Status != http.StatusNotFound {
		t.Fatalf("outsider opened the checklist: %d", r.Status)
	}
	_ = n
}

var progressKPI = regexp.MustCompile(`(\d+) / (\d+)</span><span>进度`)

// progress reads "done / sites" from a plan page.
func progress(t *testing.T, body string) (int, int) {
	t.Helper()
	m := progressKPI.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no progress on the plan page")
	}
	return int(mustAtoi(t, m[1])), int(mustAtoi(t, m[2]))
}

func makeInspector(t *testing.T, app *testApp, name string) {
	t.Helper()
	ctx := context.Background()
	units, _, _ := app.Org.ListUnits(ctx, access.System(), org.UnitFilter{Query: "410411-office"})
	if _, _, err := app.Org.CreateUser(ctx, access.System(), org.UserInput{Username: name, DisplayName: "外来督导", UnitID: units[0].ID,
		Roles: []access.Role{access.RoleInspector}, Password: name + "-pass-9"}); err != nil {
		t.Fatal(err)
	}
}

func TestCovertResultsStayHidden(t *testing.T) {
	app := newTestApp(t)
	office, insp := app.browser(t), app.browser(t)
	office.signIn("office", demoPassword("office"))
	insp.signIn("inspector", demoPassword("inspector"))
	plan := newPlan(t, app, office, true)
	if _, res, _ := inspectFirstSite(t, insp, plan, "client-covert-0001"); res.Status != http.StatusOK {
		t.Fatalf("submit: %d", res.Status)
	}
	cases, _, _ := app.Problems.List(context.Background(), access.System(), problem.Filter{Source: problem.SourceInspection})
	if len(cases) != 1 || cases[0].State != problem.Reported || cases[0].UnitID != 0 {
		t.Fatalf("covert case before publication: %+v", cases)
	}
	// No unit's handler can see it, nor the plan.
	h := app.browser(t)
	h.signIn("handler", demoPassword("handler"))
	if r := h.get("/problems/" + strconvI(cases[0].ID)); r.Status != http.StatusNotFound {
		t.Fatalf("handler saw a covert finding: %d", r.Status)
	}
	if r := h.get("/inspections/" + plan); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
		t.Fatalf("handler saw the covert plan: %d", r.Status)
	}
	// Published, the finding is dispatched.
	office.get("/inspections/" + plan)
	if r := office.post("/inspections/"+plan+"/publish", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.Status)
	}
	c, err := app.Problems.Get(context.Background(), access.System(), cases[0].ID)
	if err != nil || c.State != problem.Dispatched {
		t.Fatalf("after publication: %+v %v", c, err)
	}
	// A follow-up plan revisits the failed site.
	res := office.post("/inspections/"+plan+"/followup", nil)
	if m := planLink.FindStringSubmatch(res.Location); res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("follow-up: %d %s", res.Status, res.Body)
	} else if done, total := progress(t, office.get("/inspections/"+m[1]).Body); done != 0 || total != 1 {
		t.Fatalf("follow-up plan should hold the one failed site: %d / %d", done, total)
	}
}

func TestInspectionAPI(t *testing.T) {
	app := newTestApp(t)
	office, admin := app.browser(t), app.browser(t)
	office.signIn("office", demoPassword("office"))
	admin.signIn("admin", demoPassword("admin"))
	plan := newPlan(t, app, office, false)
	token := createToken(t, admin, userIDByName(t, app, "inspector"), "督导 App")
	ids, err := app.Inspect.PlanSiteIDs(context.Background(), access.System(), mustAtoi(t, plan))
	if err != nil || len(ids) == 0 {
		t.Fatal(err)
	}
	siteID := strconvI(ids[0])
	status, body := apiCall(t, app, "GET", "/api/v1/inspection-plans/"+plan+"/sites/"+siteID+"/checklist", token, "")
	crit := regexp.MustCompile(`"id":(\d+)`).FindAllStringSubmatch(string(body), -1)
	if status != 200 || len(crit) == 0 {
		t.Fatalf("checklist: %d %s", status, body)
	}
	var results []string
	for _, c := range crit {
		results = append(results, `{"criterion_id":`+c[1]+`,"outcome":"pass"}`)
	}
	payload := `{"plan_id":` + plan + `,"site_id":` + siteID + `,"client_id":"api-client-000001","lng":113.33,"lat":33.70,"results":[` + strings.Join(results, ",") + `]}`
	status, body = apiCall(t, app, "POST", "/api/v1/inspections", token, payload)
	if status != http.StatusCreated || !strings.Contains(string(body), `"score_rate":1`) {
		t.Fatalf("submit: %d %s", status, body)
	}
	status, body = apiCall(t, app, "POST", "/api/v1/inspections", token, payload)
	if status != http.StatusOK || !strings.Contains(string(body), `"repeat":true`) {
		t.Fatalf("resubmit: %d %s", status, body)
	}
	// A site outside the plan, and a second inspection of a done site.
	bad := strings.Replace(strings.Replace(payload, `"site_id":`+siteID, `"site_id":999999`, 1), "api-client-000001", "api-client-000002", 1)
	if status, body := apiCall(t, app, "POST", "/api/v1/inspections", token, bad); status != http.StatusBadRequest && status != http.StatusNotFound {
		t.Fatalf("site outside the plan: %d %s", status, body)
	}
	twice := strings.Replace(payload, "api-client-000001", "api-client-000003", 1)
	if status, body := apiCall(t, app, "POST", "/api/v1/inspections", token, twice); status != http.StatusConflict || errorCode(t, body) != "inspect.already_inspected" {
		t.Fatalf("second inspection: %d %s", status, body)
	}
	status, body = apiCall(t, app, "GET", "/api/v1/inspection-plans/"+plan+"/results", token, "")
	if status != 200 || !strings.Contains(string(body), `"done":1`) {
		t.Fatalf("results: %d %s", status, body)
	}
}

func TestPlanExport(t *testing.T) {
	app := newTestApp(t)
	office, insp := app.browser(t), app.browser(t)
	office.signIn("office", demoPassword("office"))
	insp.signIn("inspector", demoPassword("inspector"))
	plan := newPlan(t, app, office, false)
	inspectFirstSite(t, insp, plan, "client-export-0001")
	req, _ := http.NewRequest("GET", app.URL+"/inspections/"+plan+"/export.xlsx", nil)
	res := office.do(req)
	if res.Status != 200 || !strings.HasPrefix(res.Body, "PK") {
		t.Fatalf("export: %d", res.Status)
	}
	x, err := excelize.OpenReader(strings.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.GetSheetList(); len(got) != 3 || got[0] != "点位得分" {
		t.Fatalf("sheets %v", got)
	}
	rows, _ := x.GetRows("点位得分")
	if len(rows) < 3 || rows[0][0] != "点位" || rows[0][len(rows[0])-1] != "负责督导员" || rows[1][len(rows[0])-1] != "未分配" {
		t.Fatalf("rows %v", rows)
	}
}

func TestFailureFixedOnTheSpotAndPublicReportFromQR(t *testing.T) {
	app := newTestApp(t)
	office, insp := app.browser(t), app.browser(t)
	office.signIn("office", demoPassword("office"))
	insp.signIn("inspector", demoPassword("inspector"))
	plan := newPlan(t, app, office, false)
	page := insp.get("/inspections/" + plan)
	m := checkLink.FindStringSubmatch(page.Body)
	page = insp.get(m[1])
	ids := criterionField.FindAllStringSubmatch(page.Body, -1)
	fields := map[string]string{"client_id": "client-fixed-00001"}
	for i, id := range ids {
		fields["o_"+id[1]] = "pass"
		if i == 0 {
			fields["o_"+id[1]] = "fail"
		}
	}
	res := insp.postMultipart(m[1], fields, map[string][][]byte{"photo_" + ids[0][1]: {jpegBytes(21)}, "fixed_" + ids[0][1]: {jpegBytes(22)}})
	if res.Status != http.StatusOK {
		t.Fatalf("submit: %d\n%s", res.Status, res.Body)
	}
	cases, _, _ := app.Problems.List(context.Background(), access.System(), problem.Filter{Source: problem.SourceInspection})
	if len(cases) != 1 || cases[0].State != problem.Rectified {
		t.Fatalf("a failure put right on the spot should wait for verification: %+v", cases)
	}

	// A citizen who scans the site's code reports about that site.
	st, err := app.Sites.Get(context.Background(), access.System(), mustAtoi(t, m[2]))
	if err != nil {
		t.Fatal(err)
	}
	citizen := app.browser(t)
	res = citizen.get("/s/" + st.QRToken)
	if (res.Status != http.StatusSeeOther && res.Status != http.StatusFound) || !strings.HasPrefix(res.Location, "/public/report?site=") {
		t.Fatalf("scan by a citizen: %d %s", res.Status, res.Location)
	}
	res = citizen.get(res.Location)
	mustContain(t, res.Body, st.Name, `name="site"`)
	res = citizen.postMultipart("/public/report", map[string]string{"description": "广场垃圾桶满了", "site": st.QRToken,
		"region_code": st.RegionCode}, nil)
	if res.Status != http.StatusCreated {
		t.Fatalf("public report about a site: %d", res.Status)
	}
	all, _, _ := app.Problems.List(context.Background(), access.System(), problem.Filter{SiteID: st.ID})
	if len(all) != 2 {
		t.Fatalf("the site should hold the inspection's case and the citizen's: %d", len(all))
	}
}
