package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

var (
	criterionField = regexp.MustCompile(`name="o_(\d+)" value="pass"`)
	checkLink      = regexp.MustCompile(`href="(/inspections/\d+/sites/(\d+)/check)"`)
)

// inspectFirstSite fills the checklist of the plan's first site with one
// failure (with a photo) and passes for the rest.
func inspectFirstSite(t *testing.T, insp *servertest.Browser, plan, clientID string) (checkPath string, res servertest.Response, criteria int) {
	t.Helper()
	page := insp.Get("/inspections/" + plan)
	m := checkLink.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no site to check:\n%s", page.Body)
	}
	checkPath = m[1]
	page = insp.Get(checkPath)
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
	files := map[string][][]byte{"photo_" + ids[0][1]: {servertest.JPEGBytes(11)}}
	return checkPath, insp.PostMultipart(checkPath, fields, files), len(ids)
}

func TestInspectionRound(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office, insp := app.Browser(t), app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	insp.SignIn("inspector", servertest.DemoPassword("inspector"))
	plan := servertest.NewPlan(t, app, office, false)
	res := office.Get("/inspections/" + plan)
	servertest.MustContain(t, res.Body, "11 月模拟测评")
	if done, total := progress(t, res.Body); done != 0 || total < 2 {
		t.Fatalf("new plan progress %d / %d", done, total)
	}

	// A failure without its photo is refused.
	page := insp.Get("/inspections/" + plan)
	path := checkLink.FindStringSubmatch(page.Body)[1]
	insp.Get(path)
	if r := insp.PostMultipart(path, map[string]string{"client_id": "client-nophoto-1"}, nil); r.Status != http.StatusBadRequest {
		t.Fatalf("empty checklist: %d", r.Status)
	}

	checkPath, res, n := inspectFirstSite(t, insp, plan, "client-0000000001")
	if res.Status != http.StatusOK {
		t.Fatalf("submit: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, res.Body, "检查结果已提交", "不合格 1 项")
	// Sent again (a phone that lost the answer): recorded once.
	_, again, _ := inspectFirstSite(t, insp, plan, "client-0000000001")
	servertest.MustContain(t, again.Body, "此前已提交过")
	res = office.Get("/inspections/" + plan)
	servertest.MustContain(t, res.Body, "失分最多")
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
	officeActor, _, _ := app.Org.Actor(context.Background(), servertest.MustAtoi(t, servertest.UserIDByName(t, app, "office")))
	results, err := app.Inspect.Results(context.Background(), officeActor, servertest.MustAtoi(t, plan))
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
	page = office.Get("/sites/" + servertest.Itoa(cases[0].SiteID))
	servertest.MustContain(t, page.Body, "历次检查得分", "11 月模拟测评", cases[0].Code)
	// Someone not in the plan cannot submit.
	outsider := app.Browser(t)
	servertest.MakeInspector(t, app, "inspector2")
	outsider.SignIn("inspector2", "inspector2-pass-9")
	if r := outsider.Get(checkPath); r.Status != http.StatusNotFound {
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
	return int(servertest.MustAtoi(t, m[1])), int(servertest.MustAtoi(t, m[2]))
}

func TestCovertResultsStayHidden(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office, insp := app.Browser(t), app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	insp.SignIn("inspector", servertest.DemoPassword("inspector"))
	plan := servertest.NewPlan(t, app, office, true)
	if _, res, _ := inspectFirstSite(t, insp, plan, "client-covert-0001"); res.Status != http.StatusOK {
		t.Fatalf("submit: %d", res.Status)
	}
	cases, _, _ := app.Problems.List(context.Background(), access.System(), problem.Filter{Source: problem.SourceInspection})
	if len(cases) != 1 || cases[0].State != problem.Reported || cases[0].UnitID != 0 {
		t.Fatalf("covert case before publication: %+v", cases)
	}
	// No unit's handler can see it, nor the plan.
	h := app.Browser(t)
	h.SignIn("handler", servertest.DemoPassword("handler"))
	if r := h.Get("/problems/" + servertest.Itoa(cases[0].ID)); r.Status != http.StatusNotFound {
		t.Fatalf("handler saw a covert finding: %d", r.Status)
	}
	if r := h.Get("/inspections/" + plan); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
		t.Fatalf("handler saw the covert plan: %d", r.Status)
	}
	// Published, the finding is dispatched.
	office.Get("/inspections/" + plan)
	if r := office.Post("/inspections/"+plan+"/publish", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.Status)
	}
	c, err := app.Problems.Get(context.Background(), access.System(), cases[0].ID)
	if err != nil || c.State != problem.Dispatched {
		t.Fatalf("after publication: %+v %v", c, err)
	}
	// A follow-up plan revisits the failed site.
	res := office.Post("/inspections/"+plan+"/followup", nil)
	if m := servertest.PlanLink.FindStringSubmatch(res.Location); res.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("follow-up: %d %s", res.Status, res.Body)
	} else if done, total := progress(t, office.Get("/inspections/"+m[1]).Body); done != 0 || total != 1 {
		t.Fatalf("follow-up plan should hold the one failed site: %d / %d", done, total)
	}
}

// TestCovertHoldRefusesHandMoves: a case found in a covert round cannot be
// filed or dispatched by hand, by anyone, before the round is published;
// its page offers no moves and says why.
func TestCovertHoldRefusesHandMoves(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office, insp, admin := app.Browser(t), app.Browser(t), app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	insp.SignIn("inspector", servertest.DemoPassword("inspector"))
	admin.SignIn("admin", servertest.DemoPassword("admin"))
	plan := servertest.NewPlan(t, app, office, true)
	if _, res, _ := inspectFirstSite(t, insp, plan, "client-covert-hold1"); res.Status != http.StatusOK {
		t.Fatalf("submit: %d", res.Status)
	}
	cases, _, _ := app.Problems.List(context.Background(), access.System(), problem.Filter{Source: problem.SourceInspection})
	if len(cases) != 1 || !cases[0].Held {
		t.Fatalf("covert case before publication: %+v", cases)
	}
	path := "/problems/" + servertest.Itoa(cases[0].ID)
	page := office.Get(path)
	servertest.MustContain(t, page.Body, "暗访测评结果发布前暂不处理")
	servertest.MustNotContain(t, page.Body, `name="action" value="file"`)
	for _, b := range []*servertest.Browser{office, admin} {
		b.Get(path)
		for _, act := range []string{"file", "reject", "merge"} {
			r := b.PostMultipart(path+"/act", map[string]string{"action": act}, nil)
			if r.Status != http.StatusConflict {
				t.Fatalf("%s by hand on a held case: %d", act, r.Status)
			}
			servertest.MustContain(t, r.Body, "尚未发布的暗访测评")
		}
	}
	if _, err := app.Problems.Move(context.Background(), access.System(), cases[0].ID, problem.MoveInput{Action: problem.ActFile}); err == nil {
		t.Fatal("the system filed a held case before publication")
	}
	if c, _ := app.Problems.Get(context.Background(), access.System(), cases[0].ID); c.State != problem.Reported {
		t.Fatalf("held case moved to %s", c.State)
	}
	office.Get("/inspections/" + plan)
	if r := office.Post("/inspections/"+plan+"/publish", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.Status)
	}
	c, err := app.Problems.Get(context.Background(), access.System(), cases[0].ID)
	if err != nil || c.State != problem.Dispatched || c.Held {
		t.Fatalf("after publication: %+v %v", c, err)
	}
}

func TestPlanExport(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office, insp := app.Browser(t), app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	insp.SignIn("inspector", servertest.DemoPassword("inspector"))
	plan := servertest.NewPlan(t, app, office, false)
	inspectFirstSite(t, insp, plan, "client-export-0001")
	req, _ := http.NewRequest("GET", app.URL+"/inspections/"+plan+"/export.xlsx", nil)
	res := office.Do(req)
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
	t.Parallel()
	app := servertest.New(t)
	office, insp := app.Browser(t), app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	insp.SignIn("inspector", servertest.DemoPassword("inspector"))
	plan := servertest.NewPlan(t, app, office, false)
	page := insp.Get("/inspections/" + plan)
	m := checkLink.FindStringSubmatch(page.Body)
	page = insp.Get(m[1])
	ids := criterionField.FindAllStringSubmatch(page.Body, -1)
	fields := map[string]string{"client_id": "client-fixed-00001"}
	for i, id := range ids {
		fields["o_"+id[1]] = "pass"
		if i == 0 {
			fields["o_"+id[1]] = "fail"
		}
	}
	res := insp.PostMultipart(m[1], fields, map[string][][]byte{"photo_" + ids[0][1]: {servertest.JPEGBytes(21)}, "fixed_" + ids[0][1]: {servertest.JPEGBytes(22)}})
	if res.Status != http.StatusOK {
		t.Fatalf("submit: %d\n%s", res.Status, res.Body)
	}
	cases, _, _ := app.Problems.List(context.Background(), access.System(), problem.Filter{Source: problem.SourceInspection})
	if len(cases) != 1 || cases[0].State != problem.Rectified {
		t.Fatalf("a failure put right on the spot should wait for verification: %+v", cases)
	}

	// A citizen who scans the site's code reports about that site.
	st, err := app.Sites.Get(context.Background(), access.System(), servertest.MustAtoi(t, m[2]))
	if err != nil {
		t.Fatal(err)
	}
	citizen := app.Browser(t)
	res = citizen.Get("/s/" + st.QRToken)
	if (res.Status != http.StatusSeeOther && res.Status != http.StatusFound) || !strings.HasPrefix(res.Location, "/public/report?site=") {
		t.Fatalf("scan by a citizen: %d %s", res.Status, res.Location)
	}
	res = citizen.Get(res.Location)
	servertest.MustContain(t, res.Body, st.Name, `name="site"`)
	res = citizen.PostMultipart("/public/report", map[string]string{"description": "广场垃圾桶满了", "site": st.QRToken,
		"region_code": st.RegionCode}, nil)
	if res.Status != http.StatusCreated {
		t.Fatalf("public report about a site: %d", res.Status)
	}
	all, _, _ := app.Problems.List(context.Background(), access.System(), problem.Filter{SiteID: st.ID})
	if len(all) != 2 {
		t.Fatalf("the site should hold the inspection's case and the citizen's: %d", len(all))
	}
}
