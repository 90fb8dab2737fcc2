package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// progressRow reads one inspector's row of the plan page's progress table:
// name, assigned, done, to do.
var progressRow = regexp.MustCompile(`<tr data-inspector="(\d+)">\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>`)

func TestPlanAssignByStreet(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	servertest.MakeInspector(t, app, "inspector2")
	office, insp, insp2 := app.Browser(t), app.Browser(t), app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	insp.SignIn("inspector", servertest.DemoPassword("inspector"))
	insp2.SignIn("inspector2", "inspector2-pass-9")
	plan := servertest.NewSharedPlan(t, app, office, "")
	planPath := "/inspections/" + servertest.Itoa(plan)
	if n := servertest.AssignedCount(servertest.PlanResults(t, app, plan)); n != 0 {
		t.Fatalf("a plan made without dealing has %d assigned sites", n)
	}
	first := servertest.PlanResults(t, app, plan).Sites[0].SiteID

	// Neither an inspector (with a valid token of their own) nor a forged
	// token may deal the sites.
	page := insp.Get(planPath)
	servertest.MustNotContain(t, page.Body, "按街道分配", `action="`+planPath+`/sites/`)
	refused := []struct {
		name string
		b    *servertest.Browser
		path string
		form url.Values
		says string
	}{
		{"inspector deals", insp, planPath + "/assign", url.Values{"mode": {"street"}}, "只有本辖区创文办可以分配点位"},
		{"inspector assigns a site", insp, planPath + "/sites/" + servertest.Itoa(first) + "/assign",
			url.Values{"inspector": {servertest.UserIDByName(t, app, "inspector")}}, "只有本辖区创文办可以分配点位"},
		{"forged token", office, planPath + "/assign", url.Values{"mode": {"street"}, "csrf": {"forged-token"}}, ""},
		{"forged token on a site", office, planPath + "/sites/" + servertest.Itoa(first) + "/assign",
			url.Values{"inspector": {servertest.UserIDByName(t, app, "inspector")}, "csrf": {"forged-token"}}, ""},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.b.Post(tt.path, tt.form)
			if res.Status != http.StatusForbidden {
				t.Fatalf("status %d", res.Status)
			}
			if tt.says != "" {
				servertest.MustContain(t, res.Body, tt.says)
			}
			if n := servertest.AssignedCount(servertest.PlanResults(t, app, plan)); n != 0 {
				t.Fatalf("%d sites assigned after a refusal", n)
			}
		})
	}

	// The office deals by street.
	page = office.Get(planPath)
	servertest.MustContain(t, page.Body, "按街道分配", "平均分配")
	res := office.Post(planPath+"/assign", url.Values{"mode": {"street"}})
	if res.Status != http.StatusSeeOther || res.Location != planPath {
		t.Fatalf("deal by street: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	results := servertest.PlanResults(t, app, plan)
	if n := servertest.AssignedCount(results); n != len(results.Sites) {
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
	page = office.Get(planPath)
	servertest.MustContain(t, page.Body, "点位已分配。", "督导员进度", "负责督导员")
	rows := progressRow.FindAllStringSubmatch(page.Body, -1)
	if len(rows) != 2 {
		t.Fatalf("progress rows: %v", rows)
	}
	for i, p := range results.Progress {
		want := []string{servertest.Itoa(p.InspectorID), "", strconv.Itoa(p.Assigned), strconv.Itoa(p.Done), strconv.Itoa(p.ToDo)}
		got := rows[i][1:]
		if got[0] != want[0] || got[2] != want[2] || got[3] != want[3] || got[4] != want[4] || got[1] == "" {
			t.Errorf("progress row %v, want %v", got, want)
		}
	}
	// Whoever may read the plan sees the assignees' names.
	names := map[int64]string{servertest.MustAtoi(t, servertest.UserIDByName(t, app, "inspector")): "孙督导", servertest.MustAtoi(t, servertest.UserIDByName(t, app, "inspector2")): "外来督导"}
	leader := app.Browser(t)
	leader.SignIn("leader", servertest.DemoPassword("leader"))
	leaderPage := leader.Get(planPath)
	if leaderPage.Status != http.StatusOK {
		t.Fatalf("leader: %d", leaderPage.Status)
	}
	servertest.MustNotContain(t, leaderPage.Body, "按街道分配")
	for _, sc := range results.Sites {
		m := regexp.MustCompile(`(?s)id="site-` + servertest.Itoa(sc.SiteID) + `">.*?data-label="负责督导员">([^<]*)<`).FindStringSubmatch(leaderPage.Body)
		if m == nil || m[1] != names[sc.AssigneeID] {
			t.Errorf("site %d: assignee shown as %v, want %s", sc.SiteID, m, names[sc.AssigneeID])
		}
	}

	// Each inspector's own view starts with their sites.
	for _, tc := range []struct {
		b  *servertest.Browser
		id int64
	}{{insp, servertest.MustAtoi(t, servertest.UserIDByName(t, app, "inspector"))}, {insp2, servertest.MustAtoi(t, servertest.UserIDByName(t, app, "inspector2"))}} {
		page := tc.b.Get(planPath)
		servertest.MustContain(t, page.Body, "我的点位")
		links := checkLink.FindAllStringSubmatch(page.Body, -1)
		for _, sc := range results.Sites {
			has := false
			for _, l := range links {
				has = has || l[2] == servertest.Itoa(sc.SiteID)
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
	check := planPath + "/sites/" + servertest.Itoa(theirs) + "/check"
	insp2.Get(check)
	res = insp2.PostMultipart(check, map[string]string{"client_id": "assign-web-000001"}, nil)
	if res.Status != http.StatusConflict {
		t.Fatalf("submit another's site: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "该点位已分配给督导员 孙督导")

	// The office opens that site to anyone, one by one.
	office.Get(planPath)
	res = office.Post(planPath+"/sites/"+servertest.Itoa(theirs)+"/assign", url.Values{"inspector": {"0"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("open the site: %d\n%s", res.Status, res.Body)
	}
	for _, sc := range servertest.PlanResults(t, app, plan).Sites {
		if sc.SiteID == theirs && sc.AssigneeID != 0 {
			t.Fatalf("still assigned to %d", sc.AssigneeID)
		}
	}
	page = insp2.Get(planPath)
	servertest.MustContain(t, page.Body, `href="`+check+`"`)
}

func TestPlanCreatedAndDealtEvenly(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	servertest.MakeInspector(t, app, "inspector2")
	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	page := office.Get("/inspections")
	servertest.MustContain(t, page.Body, `name="assign"`, "不分配", "按街道分配", "平均分配")
	plan := servertest.NewSharedPlan(t, app, office, "even")
	results := servertest.PlanResults(t, app, plan)
	if n := servertest.AssignedCount(results); n != len(results.Sites) {
		t.Fatalf("%d of %d sites assigned", n, len(results.Sites))
	}
	if a, b := results.Progress[0].Assigned, results.Progress[1].Assigned; a-b > 1 || b-a > 1 {
		t.Fatalf("uneven: %+v", results.Progress)
	}
	// An unknown mode is refused on the form.
	office.Get("/inspections")
	form := url.Values{"name": {"乱分配"}, "region": {"410411"}, "starts_on": {"2026-11-20"}, "ends_on": {"2026-11-30"},
		"inspectors": {servertest.UserIDByName(t, app, "inspector")}, "mode": {"all"}, "assign": {"lottery"}}
	if res := office.Post("/inspections", form); res.Status != http.StatusBadRequest {
		t.Fatalf("unknown mode: %d", res.Status)
	} else {
		servertest.MustContain(t, res.Body, "点位分配方式无效")
	}
}
