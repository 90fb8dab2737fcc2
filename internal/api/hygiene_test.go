package api_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// TestTrailingJSONIsRefused: a body with anything after its first JSON
// value is a bad request with a JSON error, and creates nothing; the same
// body without the tail is accepted, so the tail is what was refused.
func TestTrailingJSONIsRefused(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	admin := app.SignedIn(t, "admin")
	office := app.SignedIn(t, "office")
	officeToken := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "office"), "12345 热线")
	inspToken := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "inspector"), "督导 App")

	problemBody := `{"source":"hotline","category_id":` + servertest.CategoryID(t, app, "SR02") +
		`,"description":"12345 来电：小区门口堆放装修垃圾","lng":113.33,"lat":33.70}`
	plan := servertest.NewPlan(t, app, office, false)
	ids, err := app.Inspect.PlanSiteIDs(t.Context(), access.System(), servertest.MustAtoi(t, plan))
	if err != nil || len(ids) == 0 {
		t.Fatal(err)
	}
	siteID := servertest.Itoa(ids[0])
	status, body := servertest.APICall(t, app, "GET", "/api/v1/inspection-plans/"+plan+"/sites/"+siteID+"/checklist", inspToken, "")
	crit := criterionIDs(body)
	if status != http.StatusOK || len(crit) == 0 {
		t.Fatalf("checklist: %d %s", status, body)
	}
	var results []string
	for _, c := range crit {
		results = append(results, `{"criterion_id":`+c+`,"outcome":"pass"}`)
	}
	inspectionBody := `{"plan_id":` + plan + `,"site_id":` + siteID + `,"client_id":"api-client-trailing","lng":113.33,"lat":33.70,"results":[` +
		strings.Join(results, ",") + `]}`

	var rows []servertest.Scenario
	for _, tail := range []string{`{}garbage`, `{}`, ` garbage`, `[]`, `"x"`} {
		rows = append(rows,
			servertest.Scenario{Name: "problem+" + strconv.Quote(tail), Method: "POST", URL: "/api/v1/problems", Token: officeToken,
				Body: problemBody + tail, Status: http.StatusBadRequest, JSONError: true, NotContains: []string{`"state"`}},
			servertest.Scenario{Name: "inspection+" + strconv.Quote(tail), Method: "POST", URL: "/api/v1/inspections", Token: inspToken,
				Body: inspectionBody + tail, Status: http.StatusBadRequest, JSONError: true, NotContains: []string{`"score_rate"`}},
		)
	}
	app.Run(t, rows)
	if n := servertest.ProblemCount(t, app); n != 0 {
		t.Errorf("trailing data created %d cases", n)
	}
	if res := servertest.PlanResults(t, app, servertest.MustAtoi(t, plan)); doneCount(res.Sites) != 0 {
		t.Errorf("trailing data recorded %d inspections", doneCount(res.Sites))
	}

	// Without the tail both bodies are accepted.
	app.Run(t, []servertest.Scenario{
		{Name: "problem alone", Method: "POST", URL: "/api/v1/problems", Token: officeToken, Body: problemBody,
			Status: http.StatusCreated, Contains: []string{`"state":"reported"`}},
		{Name: "inspection alone", Method: "POST", URL: "/api/v1/inspections", Token: inspToken, Body: inspectionBody,
			Status: http.StatusCreated, Contains: []string{`"score_rate":1`}},
	})
	if n := servertest.ProblemCount(t, app); n != 1 {
		t.Errorf("cases after one valid report: %d", n)
	}
}

func criterionIDs(body []byte) []string {
	var ids []string
	for _, m := range criterionID.FindAllStringSubmatch(string(body), -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// TestIllegalMoveMessageIsTranslated: verifying a case that is only
// dispatched is a conflict whose message names the state and the action
// in words, not as catalogue keys.
func TestIllegalMoveMessageIsTranslated(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	admin := app.SignedIn(t, "admin")
	token := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "inspector"), "督导 App")
	c := servertest.DispatchedCase(t, app)
	status, body := servertest.APICall(t, app, "POST", "/api/v1/problems/"+servertest.Itoa(c.ID)+"/actions", token,
		`{"action":"verify_pass","note":"现场已整洁"}`)
	if status != http.StatusConflict || servertest.ErrorCode(t, body) != "problem.illegal_move" {
		t.Fatalf("verify a dispatched case: %d %s", status, body)
	}
	var e servertest.APIError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatal(err)
	}
	servertest.MustContain(t, e.Error.Message, "已派遣待签收", "核查通过（结案）")
	keys, err := servertest.LoadKeys()
	if err != nil {
		t.Fatal(err)
	}
	if found := keys.Find(e.Error.Message); len(found) > 0 {
		t.Errorf("message %q shows catalogue keys %q", e.Error.Message, found)
	}
}
