package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/site"
)

// progressRow reads one inspector's row of the plan page's progress table:
// name, assigned, done, to do.
var progressRow = regexp.MustCompile(`<tr data-inspector="(\d+)">\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>`)

// newSharedPlan has the office plan an inspection of sampled sites for the
// demo inspector (孙督导) and a second one (外来督导), dealt by assign.
func newSharedPlan(t *testing.T, app *testApp, office *browser, assign string) int64 {
	t.Helper()
	if _, err := site.DemoSites(context.Background(), app.Sites); err != nil {
		t.Fatal(err)
	}
	office.get("/inspections")
	form := url.Values{"name": {"分片包干测评"}, "region": {"410411"}, "starts_on": {"2026-11-20"}, "ends_on": {"2026-11-30"},
		"inspectors": {userIDByName(t, app, "inspector"), userIDByName(t, app, "inspector2")}, "mode": {"sample"},
		"n_square": {"3"}, "n_main_road": {"3"}, "seed": {"7"}, "assign": {assign}}
	res := office.post("/inspections", form)
	m := planLink.FindStringSubmatch(res.Location)
	if res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create plan: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	return mustAtoi(t, m[1])
}

func planResults(t *testing.T, app *testApp, plan int64) inspect.Results {
	t.Helper()
	res, err := app.Inspect.Results(context.Background(), access.System(), plan)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func assignedCount(res inspect.Results) int {
	n := 0
	for _, sc := range res.Sites {
		if sc.AssigneeID != 0 {
			n++
		}
	}
	return n
}

func TestPlanAssignByStreet(t *testing.T) {
	app := newTestApp(t)
	makeInspector(t, app, "inspector2")
	office, insp, insp2 := app.browser(t), app.browser(t), app.browser(t)
	office.signIn("office", demoPassword("office"))
	insp.signIn("inspector", demoPassword("inspector"))
	insp2.signIn("inspector2", "inspector2-pass-9")
	plan := newSharedPlan(t, app, office, "")
	planPath := "/inspections/" + strconvI(plan)
	if n := assignedCount(planResults(t, app, plan)); n != 0 {
		t.Fatalf("a plan made without dealing has %d assigned sites", n)
	}
	first := planResults(t, app, plan).Sites[0].SiteID

	// Neither an inspector (with a valid token of their own) nor a forged
	// token may deal the sites.
	page := insp.get(planPath)
	mustNotContain(t, page.Body, "按街道分配", `action="`+planPath+`/sites/`)
	refused := []struct {
		name string
		b    *browser
		path string
		form url.Values
		says string
	}{
		{"inspector deals", insp, planPath + "/assign", url.Values{"mode": {"street"}}, "只有本辖区创文办可以分配点位"},
		{"inspector assigns a site", insp, planPath + "/sites/" + strconvI(first) + "/assign",
			url.Values{"inspector": {userIDByName(t, app, "inspector")}}, "只有本辖区创文办可以分配点位"},
		{"forged token", office, planPath + "/assign", url.Values{"mode": {"street"}, "csrf": {"forged-token"}}, ""},
		{"forged token on a site", office, planPath + "/sites/" + strconvI(first) + "/assign",
			url.Values{"inspector": {userIDByName(t, app, "inspector")}, "csrf": {"forged-token"}}, ""},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.b.post(tt.path, tt.form)
			if res.Status != http.StatusForbidden {
				t.Fatalf("status %d", res.Status)
			}
			if tt.says != "" {
				mustContain(t, res.Body, tt.says)
			}
			if n := assignedCount(planResults(t, app, plan)); n != 0 {
				t.Fatalf("%d sites assigned after a refusal", n)
			}
		})
	}

	// The office deals by street.
	page = office.get(planPath)
	mustContain(t, page.Body, "按街道分配", "平均分配")
	res := office.post(planPath+"/assign", url.Values{"mode": {"street"}})
	if res.Status != http.StatusSeeOther || res.Location != planPath {
		t.Fatalf("deal by street: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	results := planResults(t, app, plan)
	if n := assignedCount(results); n != len(results.Sites) {
		t.Fatalf("%d of %d sites assigned", n, len(results.Sites))
	}
	if p := results.Progress; len(p) != 2 || p[0].Assigned == 0 || p[1].Assigned == 0 {
		t.Fatalf("both inspectors should get sites: %+v", p)
	}
	streets := map[string]int64{}
	for _, sc := range results.Sites {
		if who, ok := streets[sc.Street]; ok && who != sc.AssigneeID {
			t.Errorf("street %s is split between %d and %d", sc.Street, who, sc.AssigneeID)
		}
		streets[sc.Street] = sc.AssigneeID
	}

	// The page shows the flash, each site's assignee and each inspector's
	// assigned / done / to do.
	page = office.get(planPath)
	mustContain(t, page.Body, "点位已分配。", "督导员进度", "负责督导员")
	rows := progressRow.FindAllStringSubmatch(page.Body, -1)
	if len(rows) != 2 {
		t.Fatalf("progress rows: %v", rows)
	}
	for i, p := range results.Progress {
		want := []string{strconvI(p.InspectorID), "", strconv.Itoa(p.Assigned), strconv.Itoa(p.Done), strconv.Itoa(p.ToDo)}
		got := rows[i][1:]
		if got[0] != want[0] || got[2] != want[2] || got[3] != want[3] || got[4] != want[4] || got[1] == "" {
			t.Errorf("progress row %v, want %v", got, want)
		}
	}
	// Whoever may read the plan sees the assignees' names.
	names := map[int64]string{mustAtoi(t, userIDByName(t, app, "inspector")): "孙督导", mustAtoi(t, userIDByName(t, app, "inspector2")): "外来督导"}
	leader := app.browser(t)
	leader.signIn("leader", demoPassword("leader"))
	leaderPage := leader.get(planPath)
	if leaderPage.Status != http.StatusOK {
		t.Fatalf("leader: %d", leaderPage.Status)
	}
	mustNotContain(t, leaderPage.Body, "按街道分配")
	for _, sc := range results.Sites {
		m := regexp.MustCompile(`(?s)id="site-` + strconvI(sc.SiteID) + `">.*?data-label="负责督导员">([^<]*)<`).FindStringSubmatch(leaderPage.Body)
		if m == nil || m[1] != names[sc.AssigneeID] {
			t.Errorf("site %d: assignee shown as %v, want %s", sc.SiteID, m, names[sc.AssigneeID])
		}
	}

	// Each inspector's own view starts with their sites.
	for _, tc := range []struct {
		b  *browser
		id int64
	}{{insp, mustAtoi(t, userIDByName(t, app, "inspector"))}, {insp2, mustAtoi(t, userIDByName(t, app, "inspector2"))}} {
		page := tc.b.get(planPath)
		mustContain(t, page.Body, "我的点位")
		links := checkLink.FindAllStringSubmatch(page.Body, -1)
		for _, sc := range results.Sites {
			has := false
			for _, l := range links {
				has = has || l[2] == strconvI(sc.SiteID)
			}
			if has != (sc.AssigneeID == tc.id) {
				t.Errorf("inspector %d: check link for site %d (assigned to %d): %v", tc.id, sc.SiteID, sc.AssigneeID, has)
			}
		}
	}

	// Submitting a site dealt to the other inspector is refused, naming
	// the assignee.
	var theirs int64
	for _, sc := range results.Sites {
		if names[sc.AssigneeID] == "孙督导" {
			theirs = sc.SiteID
		}
	}
	if theirs == 0 {
		t.Fatal("孙督导 got no site")
	}
	check := planPath + "/sites/" + strconvI(theirs) + "/check"
	insp2.get(check)
	res = insp2.postMultipart(check, map[string]string{"client_id": "assign-web-000001"}, nil)
	if res.Status != http.StatusConflict {
		t.Fatalf("submit another's site: %d", res.Status)
	}
	mustContain(t, res.Body, "该点位已分配给督导员 孙督导")

	// The office opens that site to anyone, one by one.
	office.get(planPath)
	res = office.post(planPath+"/sites/"+strconvI(theirs)+"/assign", url.Values{"inspector": {"0"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("open the site: %d\n%s", res.Status, res.Body)
	}
	for _, sc := range planResults(t, app, plan).Sites {
		if sc.SiteID == theirs && sc.AssigneeID != 0 {
			t.Fatalf("still assigned to %d", sc.AssigneeID)
		}
	}
	page = insp2.get(planPath)
	mustContain(t, page.Body, `href="`+check+`"`)
}

func TestPlanCreatedAndDealtEvenly(t *testing.T) {
	app := newTestApp(t)
	makeInspector(t, app, "inspector2")
	office := app.browser(t)
	office.signIn("office", demoPassword("office"))
	page := office.get("/inspections")
	mustContain(t, page.Body, `name="assign"`, "不分配", "按街道分配", "平均分配")
	plan := newSharedPlan(t, app, office, "even")
	results := planResults(t, app, plan)
	if n := assignedCount(results); n != len(results.Sites) {
		t.Fatalf("%d of %d sites assigned", n, len(results.Sites))
	}
	if a, b := results.Progress[0].Assigned, results.Progress[1].Assigned; a-b > 1 || b-a > 1 {
		t.Fatalf("uneven: %+v", results.Progress)
	}
	// An unknown mode is refused on the form.
	office.get("/inspections")
	form := url.Values{"name": {"乱分配"}, "region": {"410411"}, "starts_on": {"2026-11-20"}, "ends_on": {"2026-11-30"},
		"inspectors": {userIDByName(t, app, "inspector")}, "mode": {"all"}, "assign": {"lottery"}}
	if res := office.post("/inspections", form); res.Status != http.StatusBadRequest {
		t.Fatalf("unknown mode: %d", res.Status)
	} else {
		mustContain(t, res.Body, "点位分配方式无效")
	}
}

// TestPlanAssignThroughTheAPI deals a plan's sites with a bearer token:
// an inspector's token is refused, the office's deals evenly and then
// moves one site, and the results show assignees and progress.
func TestPlanAssignThroughTheAPI(t *testing.T) {
	app := newTestApp(t)
	makeInspector(t, app, "inspector2")
	office, admin := app.browser(t), app.browser(t)
	office.signIn("office", demoPassword("office"))
	admin.signIn("admin", demoPassword("admin"))
	plan := strconvI(newSharedPlan(t, app, office, ""))
	inspToken := createToken(t, admin, userIDByName(t, app, "inspector"), "督导 App")
	officeToken := createToken(t, admin, userIDByName(t, app, "office"), "文明办对接")

	if status, body := apiCall(t, app, "POST", "/api/v1/inspection-plans/"+plan+"/assign", inspToken, `{"mode":"even"}`); status != http.StatusForbidden {
		t.Fatalf("inspector dealt the sites: %d %s", status, body)
	}
	if status, body := apiCall(t, app, "POST", "/api/v1/inspection-plans/"+plan+"/assign", officeToken, `{"mode":"sideways"}`); status != http.StatusBadRequest {
		t.Fatalf("unknown mode: %d %s", status, body)
	}
	status, body := apiCall(t, app, "POST", "/api/v1/inspection-plans/"+plan+"/assign", officeToken, `{"mode":"even"}`)
	res := planResults(t, app, mustAtoi(t, plan))
	if status != http.StatusOK || assignedCount(res) != len(res.Sites) || len(res.Sites) < 2 {
		t.Fatalf("even: %d %s; %d of %d assigned", status, body, assignedCount(res), len(res.Sites))
	}
	first := res.Sites[0]
	other := userIDByName(t, app, "inspector2")
	if strconvI(first.AssigneeID) == other {
		other = userIDByName(t, app, "inspector")
	}
	status, body = apiCall(t, app, "POST", "/api/v1/inspection-plans/"+plan+"/assign", officeToken,
		`{"site_id":`+strconvI(first.SiteID)+`,"inspector_id":`+other+`}`)
	if status != http.StatusOK {
		t.Fatalf("one site: %d %s", status, body)
	}
	status, body = apiCall(t, app, "GET", "/api/v1/inspection-plans/"+plan+"/results", officeToken, "")
	want := `{"id":` + strconvI(first.SiteID) + `,"name":`
	if status != http.StatusOK || !regexp.MustCompile(regexp.QuoteMeta(want)+`[^}]*"assignee_id":`+other+`}`).Match(body) ||
		!regexp.MustCompile(`"progress":\[\{"inspector_id":\d+,"assigned":\d+`).Match(body) {
		t.Fatalf("results: %d %s", status, body)
	}
}
