package api_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func TestInspectionAPI(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office, admin := app.Browser(t), app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	admin.SignIn("admin", servertest.DemoPassword("admin"))
	plan := servertest.NewPlan(t, app, office, false)
	token := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "inspector"), "督导 App")
	ids, err := app.Inspect.PlanSiteIDs(context.Background(), access.System(), servertest.MustAtoi(t, plan))
	if err != nil || len(ids) == 0 {
		t.Fatal(err)
	}
	siteID := servertest.Itoa(ids[0])
	status, body := servertest.APICall(t, app, "GET", "/api/v1/inspection-plans/"+plan+"/sites/"+siteID+"/checklist", token, "")
	crit := regexp.MustCompile(`"id":(\d+)`).FindAllStringSubmatch(string(body), -1)
	if status != 200 || len(crit) == 0 {
		t.Fatalf("checklist: %d %s", status, body)
	}
	var results []string
	for _, c := range crit {
		results = append(results, `{"criterion_id":`+c[1]+`,"outcome":"pass"}`)
	}
	payload := `{"plan_id":` + plan + `,"site_id":` + siteID + `,"client_id":"api-client-000001","lng":113.33,"lat":33.70,"results":[` + strings.Join(results, ",") + `]}`
	status, body = servertest.APICall(t, app, "POST", "/api/v1/inspections", token, payload)
	if status != http.StatusCreated || !strings.Contains(string(body), `"score_rate":1`) {
		t.Fatalf("submit: %d %s", status, body)
	}
	status, body = servertest.APICall(t, app, "POST", "/api/v1/inspections", token, payload)
	if status != http.StatusOK || !strings.Contains(string(body), `"repeat":true`) {
		t.Fatalf("resubmit: %d %s", status, body)
	}
	// A site outside the plan, and a second inspection of a done site.
	bad := strings.Replace(strings.Replace(payload, `"site_id":`+siteID, `"site_id":999999`, 1), "api-client-000001", "api-client-000002", 1)
	if status, body := servertest.APICall(t, app, "POST", "/api/v1/inspections", token, bad); status != http.StatusBadRequest && status != http.StatusNotFound {
		t.Fatalf("site outside the plan: %d %s", status, body)
	}
	twice := strings.Replace(payload, "api-client-000001", "api-client-000003", 1)
	if status, body := servertest.APICall(t, app, "POST", "/api/v1/inspections", token, twice); status != http.StatusConflict || servertest.ErrorCode(t, body) != "inspect.already_inspected" {
		t.Fatalf("second inspection: %d %s", status, body)
	}
	status, body = servertest.APICall(t, app, "GET", "/api/v1/inspection-plans/"+plan+"/results", token, "")
	if status != 200 || !strings.Contains(string(body), `"done":1`) {
		t.Fatalf("results: %d %s", status, body)
	}
}

// TestPlanAssignThroughTheAPI deals a plan's sites with a bearer token:
// an inspector's token is refused, the office's deals evenly and then
// moves one site, and the results show assignees and progress.
func TestPlanAssignThroughTheAPI(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	servertest.MakeInspector(t, app, "inspector2")
	office, admin := app.Browser(t), app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	admin.SignIn("admin", servertest.DemoPassword("admin"))
	plan := servertest.Itoa(servertest.NewSharedPlan(t, app, office, ""))
	inspToken := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "inspector"), "督导 App")
	officeToken := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "office"), "文明办对接")

	if status, body := servertest.APICall(t, app, "POST", "/api/v1/inspection-plans/"+plan+"/assign", inspToken, `{"mode":"even"}`); status != http.StatusForbidden {
		t.Fatalf("inspector dealt the sites: %d %s", status, body)
	}
	if status, body := servertest.APICall(t, app, "POST", "/api/v1/inspection-plans/"+plan+"/assign", officeToken, `{"mode":"sideways"}`); status != http.StatusBadRequest {
		t.Fatalf("unknown mode: %d %s", status, body)
	}
	status, body := servertest.APICall(t, app, "POST", "/api/v1/inspection-plans/"+plan+"/assign", officeToken, `{"mode":"even"}`)
	res := servertest.PlanResults(t, app, servertest.MustAtoi(t, plan))
	if status != http.StatusOK || servertest.AssignedCount(res) != len(res.Sites) || len(res.Sites) < 2 {
		t.Fatalf("even: %d %s; %d of %d assigned", status, body, servertest.AssignedCount(res), len(res.Sites))
	}
	first := res.Sites[0]
	other := servertest.UserIDByName(t, app, "inspector2")
	if servertest.Itoa(first.AssigneeID) == other {
		other = servertest.UserIDByName(t, app, "inspector")
	}
	status, body = servertest.APICall(t, app, "POST", "/api/v1/inspection-plans/"+plan+"/assign", officeToken,
		`{"site_id":`+servertest.Itoa(first.SiteID)+`,"inspector_id":`+other+`}`)
	if status != http.StatusOK {
		t.Fatalf("one site: %d %s", status, body)
	}
	status, body = servertest.APICall(t, app, "GET", "/api/v1/inspection-plans/"+plan+"/results", officeToken, "")
	want := `{"id":` + servertest.Itoa(first.SiteID) + `,"name":`
	if status != http.StatusOK || !regexp.MustCompile(regexp.QuoteMeta(want)+`[^}]*"assignee_id":`+other+`}`).Match(body) ||
		!regexp.MustCompile(`"progress":\[\{"inspector_id":\d+,"assigned":\d+`).Match(body) {
		t.Fatalf("results: %d %s", status, body)
	}
}
