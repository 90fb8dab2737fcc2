package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/robot"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// pickWorld is the demo district with a plan, a task and a draft dossier
// round, for the forms that pick units.
type pickWorld struct {
	app    *servertest.App
	office *servertest.Browser
	plan   string // the plan's id
	task   string // its one task's id (lead 城管局, cooperating 交警大队)
	round  string // the dossier round's id
	id     func(code string) string
}

func newPickWorld(t *testing.T) pickWorld {
	t.Helper()
	app := servertest.New(t)
	ctx := context.Background()
	office := servertest.Actor(t, app, "office")
	w := pickWorld{app: app, id: func(code string) string { return servertest.UnitID(t, app, code) }}
	unit := func(code string) int64 { return servertest.MustAtoi(t, w.id(code)) }
	plan, terrs, err := app.Workplans.CreatePlan(ctx, office, workplan.PlanInput{Name: "2026 年创文工作方案", Rhythm: "monthly",
		StartsOn: "2026-01-05", EndsOn: "2026-12-31"}, []workplan.TaskInput{{Title: "主次干道整治", LeadUnitID: unit("410411-cg"),
		CoopUnitIDs: []int64{unit("410411-jj")}, Due: "2026-12-30"}})
	if err != nil || len(terrs) > 0 {
		t.Fatalf("plan: %v %+v", err, terrs)
	}
	tasks, err := app.Workplans.Tasks(ctx, office, workplan.TaskFilter{PlanID: plan.ID})
	if err != nil || len(tasks) != 1 {
		t.Fatalf("tasks: %v %d", err, len(tasks))
	}
	w.plan, w.task = servertest.Itoa(plan.ID), servertest.Itoa(tasks[0].ID)
	w.round = servertest.Itoa(servertest.DossierRound(t, app, "2027年测评材料申报", "2027-03-15", true))
	w.office = app.SignedIn(t, "office")
	return w
}

// Units of the demo district no test form here chooses: no page may
// name them.
var unchosenUnits = []string{"湛河区教育局", "电力社区居民委员会", "湛河区文化广电和旅游局"}

// TestFormsPickUnitsInsteadOfListingThem: every form that chooses units
// offers a search box fed by /units/pick (several units: chips and a
// names box), not a list of every unit of the city; a unit not chosen is
// nowhere in the page, the ones chosen are.
func TestFormsPickUnitsInsteadOfListingThem(t *testing.T) {
	t.Parallel()
	w := newPickWorld(t)
	for _, tc := range []struct {
		name, path string
		pickers    []string // the fields of single pickers
		multi      []string // the fields of pickers of several units
		shows      []string // the units the form has chosen already
	}{
		{"campaign", "/campaigns", []string{"lead"}, []string{"coop"}, nil},
		{"new task", "/workplans/plans/" + w.plan, []string{"lead"}, []string{"coop"}, nil},
		{"task edit", "/workplans/tasks/" + w.task, []string{"lead"}, []string{"coop"},
			[]string{`name="lead" value="` + w.id("410411-cg") + `"`, `name="coop" value="` + w.id("410411-jj") + `" checked`}},
		{"dossier requirement", "/dossiers/rounds/" + w.round, []string{"lead"}, []string{"coop"}, nil},
		{"bulletin group", "/bulletins", nil, []string{"units"}, nil},
		{"bulletin group chosen", "/bulletins?mode=units&units=" + w.id("410411-sl"), nil, []string{"units"},
			[]string{"湛河区水利局", `name="units" value="` + w.id("410411-sl") + `" checked`}},
		{"routing rule", "/settings/routing/new", []string{"unit_id"}, nil, nil},
		{"robot", "/robots", []string{"unit_id"}, nil, nil},
		{"user", "/users/new", []string{"unit_id"}, nil, []string{`value="湛河区文明办（区创文办）"`}},
		{"unit", "/units/new", []string{"parent_id"}, nil, []string{`value="湛河区文明办（区创文办）"`}},
		{"site", "/sites/new", []string{"territorial_unit_id", "department_unit_id", "sponsor_unit_id"}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := w.office.Get(tc.path)
			if res.Status != http.StatusOK {
				t.Fatalf("%s: %d", tc.path, res.Status)
			}
			for _, f := range tc.pickers {
				servertest.MustContain(t, res.Body, `data-unitpick`, `name="`+f+`_name"`)
			}
			for _, f := range tc.multi {
				servertest.MustContain(t, res.Body, `data-unitpicks data-field="`+f+`"`, `name="`+f+`_names"`)
			}
			servertest.MustContain(t, res.Body, tc.shows...)
			servertest.MustNotContain(t, res.Body, unchosenUnits...)
			if n := strings.Count(res.Body, "<option"); n > 120 {
				t.Errorf("%d options: the units must not be among them", n)
			}
		})
	}
}

// pickForm is one form that chooses units, for TestFormsTakeChosenUnits.
type pickForm struct {
	name   string
	page   string                                           // the form's page, for its CSRF token
	post   string                                           // where it is sent ("GET " first: a query)
	fields func(i int) url.Values                           // the other fields, new for each send
	field  string                                           // the picker's field
	multi  bool                                             // a picker of several units
	saved  func(r servertest.Response, v url.Values) string // the page that names the units saved
}

// TestFormsTakeChosenUnits sends each form that chooses units four ways:
// ids as the script posts them, names typed without the script (found
// on the server), a name that finds no unit (refused in words that name
// it, the form showing what was typed) and a unit outside the office's
// district (refused).
func TestFormsTakeChosenUnits(t *testing.T) {
	t.Parallel()
	w := newPickWorld(t)
	w.app.Robots.Guard = robot.Guard{AllowPrivate: true} // the robot form's endpoint is never called
	office := w.office
	cg := w.id("410411-cg")
	follow := func(r servertest.Response, _ url.Values) string { return office.Get(r.Location).Body }
	body := func(r servertest.Response, _ url.Values) string { return r.Body }
	criterion := func() string {
		m := regexp.MustCompile(`name="criterion" required><option value="([^"]+)"`).FindStringSubmatch(office.Get("/dossiers/rounds/" + w.round).Body)
		if m == nil {
			t.Fatal("no criterion in the requirement form")
		}
		return m[1]
	}()
	taskVersion := func() string {
		m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(office.Get("/workplans/tasks/" + w.task).Body)
		if m == nil {
			t.Fatal("no version in the task's edit form")
		}
		return m[1]
	}
	n := strconv.Itoa
	forms := []pickForm{
		{"campaign", "/campaigns", "/campaigns", func(i int) url.Values {
			return url.Values{"name": {"背街小巷专项整治" + n(i)}, "starts_on": {"2026-04-01"}, "ends_on": {"2026-06-30"},
				"site_type": {"market"}, "lead": {cg}}
		}, "coop", true, follow},
		{"new task", "/workplans/plans/" + w.plan, "/workplans/plans/" + w.plan + "/tasks", func(i int) url.Values {
			return url.Values{"title": {"农贸市场提档升级" + n(i)}, "lead": {cg}, "due": {"2026-12-30"}}
		}, "coop", true, func(_ servertest.Response, v url.Values) string {
			page := office.Get("/workplans/plans/" + w.plan).Body
			m := regexp.MustCompile(`href="/workplans/tasks/(\d+)">` + v.Get("title") + `<`).FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("task %s not on the plan", v.Get("title"))
			}
			return office.Get("/workplans/tasks/" + m[1]).Body
		}},
		{"task edit", "/workplans/tasks/" + w.task, "/workplans/tasks/" + w.task + "/edit", func(i int) url.Values {
			return url.Values{"version": {taskVersion()}, "title": {"主次干道整治" + n(i)}, "lead": {cg}, "due": {"2026-12-30"}}
		}, "coop", true, follow},
		{"dossier requirement", "/dossiers/rounds/" + w.round, "/dossiers/rounds/" + w.round + "/requirements", func(i int) url.Values {
			return url.Values{"criterion": {criterion}, "title": {"实践站活动台账" + n(i)}, "types": {"account"}, "lead": {cg},
				"frequency": {"once"}}
		}, "coop", true, follow},
		{"bulletin group", "/bulletins", "GET /bulletins/preview", func(int) url.Values {
			return url.Values{"mode": {"units"}, "kind": {"week"}, "from": {"2026-03-02"}}
		}, "units", true, body},
		{"routing rule", "/settings/routing/new", "/settings/routing", func(i int) url.Values {
			return url.Values{"position": {n(10 + i)}, "region_code": {"410411001"}, "note": {"按线派遣" + n(i)}, "enabled": {"1"}}
		}, "unit_id", false, func(servertest.Response, url.Values) string { return office.Get("/settings/routing").Body }},
		{"robot", "/robots", "/robots", func(i int) url.Values {
			return url.Values{"name": {"单位群" + n(i)}, "platform": {"wecom"}, "scope": {"unit"},
				"endpoint": {"http://127.0.0.1:9/cgi-bin/webhook/send?key=5b0d8d0e-0000-4c4c-9999-robotkeytest"}, "events": {"case.dispatched"}}
		}, "unit_id", false, func(servertest.Response, url.Values) string { return office.Get("/robots").Body }},
		{"user", "/users/new", "/users", func(i int) url.Values {
			return url.Values{"username": {"picker" + n(i)}, "display_name": {"单位联络员"}, "roles": {"handler"}}
		}, "unit_id", false, body},
		{"unit", "/units/new", "/units", func(i int) url.Values {
			return url.Values{"code": {"410411-pick" + n(i)}, "name": {"湛河区测试中心" + n(i)}, "kind": {"other"}, "region_code": {"410411"}}
		}, "parent_id", false, follow},
		{"site", "/sites/new", "/sites", func(i int) url.Values {
			return url.Values{"name": {"湛河北路公厕" + n(i)}, "type_code": {"toilet"}, "region_code": {"410411001"}}
		}, "sponsor_unit_id", false, follow},
	}
	send := func(f pickForm, v url.Values) servertest.Response {
		office.Get(f.page)
		if path, ok := strings.CutPrefix(f.post, "GET "); ok {
			return office.Get(path + "?" + v.Encode())
		}
		return office.Post(f.post, v)
	}
	ok := func(r servertest.Response) bool {
		return r.Status == http.StatusSeeOther || r.Status == http.StatusCreated || r.Status == http.StatusOK
	}
	// Two units the office sees, and one it does not (the city's office).
	first, second := "湛河区水利局", "湛河区民政局"
	firstID, secondID, cityOffice := w.id("410411-sl"), w.id("410411-mz"), w.id("4104-office")
	seq := 0
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			next := func(set func(url.Values)) url.Values {
				seq++
				v := f.fields(seq)
				set(v)
				return v
			}
			want := []string{first}
			byIDs := func(v url.Values) { v[f.field] = []string{firstID} }
			byNames := func(v url.Values) { v.Set(f.field+"_name", first) }
			unknown := "不存在的单位"
			unknownSays := "没有找到名称含“不存在的单位”的唯一单位"
			if f.multi {
				want = []string{first, second}
				byIDs = func(v url.Values) { v[f.field] = []string{firstID, secondID} }
				// Names typed by hand: separated by 、 and a new line, one
				// of them a part of the name that only one unit has.
				byNames = func(v url.Values) { v.Set(f.field+"_names", first+"、\n民政局") }
				unknown = "不存在的单位、湛河区"
				unknownSays = "“不存在的单位”（没有名称或编码含这些文字的单位）"
			}

			v := next(byIDs)
			res := send(f, v)
			if !ok(res) {
				t.Fatalf("by ids: %d\n%s", res.Status, res.Body)
			}
			servertest.MustContain(t, f.saved(res, v), want...)

			v = next(byNames)
			res = send(f, v)
			if !ok(res) {
				t.Fatalf("by names: %d\n%s", res.Status, res.Body)
			}
			servertest.MustContain(t, f.saved(res, v), want...)

			res = send(f, next(func(v url.Values) {
				if f.multi {
					v[f.field] = []string{secondID}
					v.Set(f.field+"_names", unknown)
				} else {
					v.Set(f.field+"_name", unknown)
				}
			}))
			if res.Status != http.StatusBadRequest {
				t.Fatalf("unknown name: %d\n%s", res.Status, res.Body)
			}
			// The form comes back with what was sent: the names as typed,
			// the unit chosen (looked up alone), no other unit.
			servertest.MustContain(t, html.UnescapeString(res.Body), unknownSays, unknown)
			servertest.MustNotContain(t, res.Body, unchosenUnits...)
			if f.multi {
				// An ambiguous name is refused with its name too.
				servertest.MustContain(t, res.Body, "“湛河区”（有多个单位名称含这些文字", second,
					`name="`+f.field+`" value="`+secondID+`" checked`)
			}

			res = send(f, next(func(v url.Values) { v[f.field] = []string{cityOffice} }))
			if res.Status != http.StatusForbidden {
				t.Fatalf("a unit outside the district: %d\n%s", res.Status, res.Body)
			}
			servertest.MustContain(t, res.Body, "找不到该单位，或不在您的管辖范围内")
			// Nor is it found by its name.
			res = send(f, next(func(v url.Values) {
				if f.multi {
					v.Set(f.field+"_names", "平顶山市文明办（市创文办）")
				} else {
					v.Set(f.field+"_name", "平顶山市文明办（市创文办）")
				}
			}))
			if res.Status != http.StatusBadRequest {
				t.Errorf("a unit outside the district by name: %d", res.Status)
			}
		})
	}
}

// TestUnitPickKinds: the site form's pickers offer the kinds a site takes
// there, and a name of another kind is not found.
func TestUnitPickKinds(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office := app.SignedIn(t, "office")
	var got struct{ Units []struct{ Name string } }
	res := office.Get("/units/pick?q=" + url.QueryEscape("湛河区") + "&kind=department")
	if err := json.Unmarshal([]byte(res.Body), &got); err != nil || len(got.Units) == 0 {
		t.Fatalf("pick: %s %v", res.Body, err)
	}
	for _, u := range got.Units {
		if !strings.HasSuffix(u.Name, "局") && !strings.HasSuffix(u.Name, "中心") && !strings.HasSuffix(u.Name, "委员会") {
			t.Errorf("a department picker offers %q", u.Name)
		}
	}
	servertest.MustContain(t, office.Get("/sites/new").Body, `data-kinds="territorial"`, `data-kinds="department"`)
	res = office.Post("/sites", url.Values{"name": {"湛河北路公厕"}, "type_code": {"toilet"}, "region_code": {"410411001"},
		"department_unit_id_name": {"马庄街道办事处"}})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("a street office as the department: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "没有找到名称含“马庄街道办事处”的唯一单位", `value="马庄街道办事处"`, `aria-invalid="true"`)
}
