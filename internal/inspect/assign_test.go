package inspect_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/server"
	"github.com/wenming-civic/wenming/internal/site"
)

func TestDealByStreet(t *testing.T) {
	// Streets of the example, by size: A 4 sites, B 2, C 2, D 1.
	const a, b, c, d = "410411001", "410411002", "410411003", "410411004"
	sites := func(spec ...string) []inspect.OpenSite {
		var out []inspect.OpenSite
		for i, region := range spec {
			out = append(out, inspect.OpenSite{ID: int64(i + 1), RegionCode: region})
		}
		return out
	}
	tests := []struct {
		name       string
		sites      []inspect.OpenSite
		inspectors []int64
		want       map[int64]int64 // site → inspector
	}{{
		// By hand: A(4) → 10 (4, 0); B(2) → 20 (4, 2); C(2) → 20 (4, 4);
		// D(1): a tie, the first inspector → 10 (5, 4).
		name:       "largest street first to the least loaded",
		sites:      sites(a, b+"001", c, a+"002", d, a, c+"005", b, a+"001"),
		inspectors: []int64{10, 20},
		want:       map[int64]int64{1: 10, 4: 10, 6: 10, 9: 10, 2: 20, 8: 20, 3: 20, 7: 20, 5: 10},
	}, {
		// A(4) → 10 (4, 0, 0); B(2) → 20 (4, 2, 0); C(2) → 30 (4, 2, 2);
		// D(1): a tie of 20 and 30, the earlier → 20 (4, 3, 2).
		name:       "three inspectors",
		sites:      sites(a, a, a, a, b, b, c, c, d),
		inspectors: []int64{10, 20, 30},
		want:       map[int64]int64{1: 10, 2: 10, 3: 10, 4: 10, 5: 20, 6: 20, 7: 30, 8: 30, 9: 20},
	}, {
		name:       "more inspectors than streets",
		sites:      sites(a, b),
		inspectors: []int64{10, 20, 30},
		want:       map[int64]int64{1: 10, 2: 20},
	}, {
		name:       "no inspectors",
		sites:      sites(a, b),
		inspectors: nil,
		want:       map[int64]int64{},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := inspect.DealByStreet(tt.sites, tt.inspectors)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDealEvenly(t *testing.T) {
	for _, tt := range []struct{ sites, inspectors int }{{10, 3}, {9, 3}, {2, 5}, {1, 1}, {101, 7}} {
		t.Run(fmt.Sprintf("%d sites %d inspectors", tt.sites, tt.inspectors), func(t *testing.T) {
			var sites []inspect.OpenSite
			for i := range tt.sites {
				sites = append(sites, inspect.OpenSite{ID: int64(i + 1), RegionCode: "410411001"})
			}
			var insp []int64
			for i := range tt.inspectors {
				insp = append(insp, int64(100+i))
			}
			got := inspect.DealEvenly(sites, insp)
			count := map[int64]int{}
			for _, st := range sites {
				count[got[st.ID]]++
			}
			lo, hi := tt.sites, 0
			for _, id := range insp {
				lo, hi = min(lo, count[id]), max(hi, count[id])
			}
			if len(got) != tt.sites || hi-lo > 1 {
				t.Fatalf("counts %v", count)
			}
			// Round robin in site order.
			if got[1] != insp[0] || (tt.sites > 1 && tt.inspectors > 1 && got[2] != insp[1]) {
				t.Fatalf("not dealt in turn: %v", got)
			}
		})
	}
}

// assignWorld is the demo district with three inspectors (two in the plan)
// and nine sites over four streets in one plan.
type assignWorld struct {
	app      *server.App
	office   access.Actor
	leader   access.Actor
	handler  access.Actor
	zhang    access.Actor // 张三, in the plan
	li       access.Actor // 李四, in the plan
	wang     access.Actor // 王五, not in the plan
	plan     int64
	streets  []string           // the four streets, in code order
	byStreet map[string][]int64 // site ids per street
}

func newAssignWorld(t *testing.T) *assignWorld {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	app, err := server.New(ctx, cfg, d, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		t.Fatal(err)
	}
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	if _, err := demo.Load(ctx, app.Regions, app.Org); err != nil {
		t.Fatal(err)
	}
	w := &assignWorld{app: app, byStreet: map[string][]int64{}}
	actor := func(username string) access.Actor {
		var id int64
		if err := d.QueryRow(ctx, "SELECT id FROM app_user WHERE username = ?", username).Scan(&id); err != nil {
			t.Fatalf("user %s: %v", username, err)
		}
		a, _, err := app.Org.Actor(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	w.office, w.leader, w.handler = actor("office"), actor("leader"), actor("handler")
	var unitID int64
	if err := d.QueryRow(ctx, "SELECT id FROM unit WHERE code = ?", demo.District+"-office").Scan(&unitID); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ login, name string }{{"zhang.san", "张三"}, {"li.si", "李四"}, {"wang.wu", "王五"}} {
		if _, _, err := app.Org.CreateUser(ctx, access.System(), org.UserInput{Username: u.login, DisplayName: u.name, UnitID: unitID,
			Roles: []access.Role{access.RoleInspector}, Password: "assign-test-2026"}); err != nil {
			t.Fatal(err)
		}
	}
	w.zhang, w.li, w.wang = actor("zhang.san"), actor("li.si"), actor("wang.wu")

	rows, err := d.Query(ctx, "SELECT code FROM region WHERE length(code) = 9 AND substr(code, 1, 6) = ? ORDER BY code LIMIT 4", demo.District)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			t.Fatal(err)
		}
		w.streets = append(w.streets, code)
	}
	rows.Close()
	if len(w.streets) != 4 {
		t.Fatalf("the demo district has %d streets", len(w.streets))
	}
	// Street sizes 4, 2, 2, 1, the sites made in a mixed order.
	var ids []int64
	for i, k := range []int{0, 1, 2, 0, 3, 0, 2, 1, 0} {
		s, err := app.Sites.Create(ctx, access.System(), site.Input{Name: fmt.Sprintf("分配测试点位%d", i+1), TypeCode: "square",
			RegionCode: w.streets[k], Address: fmt.Sprintf("测试路%d号", i+1)})
		if err != nil {
			t.Fatalf("site %d: %v", i+1, err)
		}
		if !strings.HasPrefix(s.RegionCode, w.streets[k]) {
			t.Fatalf("site %d landed in %s", i+1, s.RegionCode)
		}
		w.byStreet[w.streets[k]] = append(w.byStreet[w.streets[k]], s.ID)
		ids = append(ids, s.ID)
	}
	p, err := app.Inspect.CreatePlan(ctx, w.office, inspect.PlanInput{Name: "分片包干测试", RegionCode: demo.District,
		StartsOn: "2026-11-20", EndsOn: "2026-11-30", SiteIDs: ids, Inspectors: []int64{w.li.UserID, w.zhang.UserID}})
	if err != nil {
		t.Fatal(err)
	}
	w.plan = p.ID
	return w
}

// assignees maps each site of the plan to its assignee.
func (w *assignWorld) assignees(t *testing.T) map[int64]inspect.SiteScore {
	t.Helper()
	res, err := w.app.Inspect.Results(context.Background(), w.office, w.plan)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]inspect.SiteScore{}
	for _, sc := range res.Sites {
		out[sc.SiteID] = sc
	}
	return out
}

// submit fills a site's checklist with passes as actor a.
func (w *assignWorld) submit(t *testing.T, a access.Actor, siteID int64, clientID string) error {
	t.Helper()
	ctx := context.Background()
	cl, err := w.app.Inspect.Checklist(ctx, w.office, w.plan, siteID)
	if err != nil {
		t.Fatal(err)
	}
	in := inspect.SubmitInput{PlanID: w.plan, SiteID: siteID, ClientID: clientID}
	for _, c := range cl.Criteria {
		in.Results = append(in.Results, inspect.ResultInput{NodeID: c.ID, Outcome: inspect.Pass})
	}
	_, err = w.app.Inspect.Submit(ctx, a, in)
	return err
}

func TestAssignByStreet(t *testing.T) {
	w := newAssignWorld(t)
	ctx := context.Background()
	n, err := w.app.Inspect.AssignSites(ctx, w.office, w.plan, inspect.AssignStreet)
	if err != nil || n != 9 {
		t.Fatalf("assign: %d %v", n, err)
	}
	first, second := min(w.zhang.UserID, w.li.UserID), max(w.zhang.UserID, w.li.UserID)
	// By hand: the 4-site street to the first inspector (4, 0), the two
	// 2-site streets to the second (4, 4), the 1-site street to the first
	// on the tie (5, 4).
	want := map[string]int64{w.streets[0]: first, w.streets[1]: second, w.streets[2]: second, w.streets[3]: first}
	got := w.assignees(t)
	for k, ids := range w.byStreet {
		for _, id := range ids {
			if got[id].AssigneeID != want[k] {
				t.Errorf("street %s site %d: assigned to %d, want %d", k, id, got[id].AssigneeID, want[k])
			}
		}
	}
	res, err := w.app.Inspect.Results(ctx, w.office, w.plan)
	if err != nil {
		t.Fatal(err)
	}
	wantProgress := []inspect.InspectorProgress{{InspectorID: first, Assigned: 5, ToDo: 5}, {InspectorID: second, Assigned: 4, ToDo: 4}}
	if fmt.Sprint(res.Progress) != fmt.Sprint(wantProgress) || res.Unassigned != 0 {
		t.Fatalf("progress %+v, unassigned %d", res.Progress, res.Unassigned)
	}

	// An inspected site keeps its inspector when the plan is dealt again.
	done := w.byStreet[w.streets[3]][0]
	if err := w.submit(t, actorByID(t, w, first), done, "assign-street-0001"); err != nil {
		t.Fatal(err)
	}
	if n, err := w.app.Inspect.AssignSites(ctx, w.office, w.plan, inspect.AssignEven); err != nil || n != 8 {
		t.Fatalf("deal again: %d %v", n, err)
	}
	if got := w.assignees(t)[done]; got.AssigneeID != first || !got.Done {
		t.Fatalf("the inspected site: %+v", got)
	}
	res, _ = w.app.Inspect.Results(ctx, w.office, w.plan)
	// Even: 8 open sites, 4 each, plus the inspected one.
	wantProgress = []inspect.InspectorProgress{{InspectorID: first, Assigned: 5, Done: 1, ToDo: 4}, {InspectorID: second, Assigned: 4, ToDo: 4}}
	if fmt.Sprint(res.Progress) != fmt.Sprint(wantProgress) {
		t.Fatalf("progress after dealing evenly %+v", res.Progress)
	}
}

func actorByID(t *testing.T, w *assignWorld, id int64) access.Actor {
	t.Helper()
	for _, a := range []access.Actor{w.zhang, w.li} {
		if a.UserID == id {
			return a
		}
	}
	t.Fatalf("no inspector %d", id)
	return access.Actor{}
}

func TestAssignEvenly(t *testing.T) {
	w := newAssignWorld(t)
	if _, err := w.app.Inspect.AssignSites(context.Background(), w.office, w.plan, inspect.AssignEven); err != nil {
		t.Fatal(err)
	}
	count := map[int64]int{}
	for _, sc := range w.assignees(t) {
		count[sc.AssigneeID]++
	}
	if a, b := count[w.zhang.UserID], count[w.li.UserID]; a+b != 9 || a-b > 1 || b-a > 1 {
		t.Fatalf("even dealing: %v", count)
	}
}

func TestAssignRefusals(t *testing.T) {
	w := newAssignWorld(t)
	ctx := context.Background()
	siteA := w.byStreet[w.streets[0]][0]
	siteB := w.byStreet[w.streets[1]][0]
	if err := w.submit(t, w.zhang, siteB, "assign-refuse-0001"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		do    func() error
		kinds []apperr.Kind
		code  string
	}{
		{"an inspector outside the plan", func() error { return w.app.Inspect.AssignSite(ctx, w.office, w.plan, siteA, w.wang.UserID) },
			[]apperr.Kind{apperr.KindInvalid}, "inspect.assignee_not_in_plan"},
		{"an inspected site", func() error { return w.app.Inspect.AssignSite(ctx, w.office, w.plan, siteB, w.li.UserID) },
			[]apperr.Kind{apperr.KindConflict}, "inspect.assign_inspected"},
		{"an inspected site opened to anyone", func() error { return w.app.Inspect.AssignSite(ctx, w.office, w.plan, siteB, 0) },
			[]apperr.Kind{apperr.KindConflict}, "inspect.assign_inspected"},
		{"a site outside the plan", func() error { return w.app.Inspect.AssignSite(ctx, w.office, w.plan, 999999, w.li.UserID) },
			[]apperr.Kind{apperr.KindInvalid}, "inspect.site_not_in_plan"},
		{"a leader", func() error { return w.app.Inspect.AssignSite(ctx, w.leader, w.plan, siteA, w.li.UserID) },
			[]apperr.Kind{apperr.KindForbidden}, "inspect.assign_forbidden"},
		{"a leader dealing", func() error {
			_, err := w.app.Inspect.AssignSites(ctx, w.leader, w.plan, inspect.AssignStreet)
			return err
		}, []apperr.Kind{apperr.KindForbidden}, "inspect.assign_forbidden"},
		{"a handler", func() error {
			_, err := w.app.Inspect.AssignSites(ctx, w.handler, w.plan, inspect.AssignStreet)
			return err
		}, []apperr.Kind{apperr.KindForbidden, apperr.KindNotFound}, ""},
		{"an inspector of the plan", func() error { return w.app.Inspect.AssignSite(ctx, w.zhang, w.plan, siteA, w.zhang.UserID) },
			[]apperr.Kind{apperr.KindForbidden}, "inspect.assign_forbidden"},
		{"an unknown mode", func() error {
			_, err := w.app.Inspect.AssignSites(ctx, w.office, w.plan, "random")
			return err
		}, []apperr.Kind{apperr.KindInvalid}, "inspect.assign_mode_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if err == nil {
				t.Fatal("allowed")
			}
			e := apperr.As(err)
			if !slices.Contains(tt.kinds, e.Kind) || (tt.code != "" && e.Code != tt.code) {
				t.Fatalf("got %v (kind %d)", err, e.Kind)
			}
		})
	}
	// None of the refusals changed anything.
	for id, sc := range w.assignees(t) {
		if sc.AssigneeID != 0 {
			t.Errorf("site %d assigned to %d", id, sc.AssigneeID)
		}
	}
	// The office may assign, and open the site again.
	if err := w.app.Inspect.AssignSite(ctx, w.office, w.plan, siteA, w.li.UserID); err != nil {
		t.Fatal(err)
	}
	if got := w.assignees(t)[siteA]; got.AssigneeID != w.li.UserID || got.AssigneeName != "李四" {
		t.Fatalf("assigned: %+v", got)
	}
	if err := w.app.Inspect.AssignSite(ctx, w.office, w.plan, siteA, 0); err != nil {
		t.Fatal(err)
	}
	if got := w.assignees(t)[siteA]; got.AssigneeID != 0 {
		t.Fatalf("opened again: %+v", got)
	}
}

func TestSubmitFollowsAssignment(t *testing.T) {
	w := newAssignWorld(t)
	ctx := context.Background()
	mine := w.byStreet[w.streets[0]][0]
	open := w.byStreet[w.streets[1]][0]
	open2 := w.byStreet[w.streets[2]][0]
	if err := w.app.Inspect.AssignSite(ctx, w.office, w.plan, mine, w.zhang.UserID); err != nil {
		t.Fatal(err)
	}
	// The checklist already says so: to the other inspector, not to the
	// assignee or the office.
	if _, err := w.app.Inspect.Checklist(ctx, w.li, w.plan, mine); apperr.As(err).Code != "inspect.assigned_to_other" {
		t.Errorf("checklist of another's site: %v", err)
	}
	for _, a := range []access.Actor{w.zhang, w.office} {
		if _, err := w.app.Inspect.Checklist(ctx, a, w.plan, mine); err != nil {
			t.Errorf("checklist for %s: %v", a.Username, err)
		}
	}
	cat := i18n.MustLoad("zh-CN")
	tests := []struct {
		name     string
		as       access.Actor
		site     int64
		clientID string
		wantCode string // "" for accepted
	}{
		{"another inspector of the plan", w.li, mine, "assign-submit-0001", "inspect.assigned_to_other"},
		{"the assignee", w.zhang, mine, "assign-submit-0002", ""},
		{"an unassigned site, by one", w.li, open, "assign-submit-0003", ""},
		{"an unassigned site, by the other", w.zhang, open2, "assign-submit-0004", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := w.submit(t, tt.as, tt.site, tt.clientID)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e := apperr.As(err)
			if err == nil || e.Kind != apperr.KindConflict || e.Code != tt.wantCode {
				t.Fatalf("got %v", err)
			}
			if msg := cat.T(e.Code, e.Args...); !strings.Contains(msg, "张三") {
				t.Fatalf("the refusal does not name the assignee: %s", msg)
			}
		})
	}
	res, err := w.app.Inspect.Results(ctx, w.office, w.plan)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Progress {
		want := inspect.InspectorProgress{InspectorID: p.InspectorID, Done: 1}
		if p.InspectorID == w.zhang.UserID {
			want = inspect.InspectorProgress{InspectorID: p.InspectorID, Assigned: 1, Done: 2}
		}
		if p != want {
			t.Errorf("progress %+v, want %+v", p, want)
		}
	}
	if res.Unassigned != 6 {
		t.Errorf("unassigned open sites: %d", res.Unassigned)
	}
	// A scanned QR code does not lead to a site dealt to someone else.
	if err := w.app.Inspect.AssignSite(ctx, w.office, w.plan, w.byStreet[w.streets[3]][0], w.zhang.UserID); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := w.app.Inspect.OpenPlanFor(ctx, w.li, w.byStreet[w.streets[3]][0]); err != nil || ok {
		t.Errorf("open plan for another's site: %v %v", ok, err)
	}
	if plan, ok, err := w.app.Inspect.OpenPlanFor(ctx, w.zhang, w.byStreet[w.streets[3]][0]); err != nil || !ok || plan != w.plan {
		t.Errorf("open plan for the assignee: %d %v %v", plan, ok, err)
	}
}

func TestCreatePlanAssigns(t *testing.T) {
	w := newAssignWorld(t)
	ctx := context.Background()
	var ids []int64
	for _, k := range w.streets {
		ids = append(ids, w.byStreet[k]...)
	}
	tests := []struct {
		mode     string
		wantErr  bool
		assigned int
	}{
		{inspect.AssignNone, false, 0},
		{inspect.AssignStreet, false, 9},
		{inspect.AssignEven, false, 9},
		{"by-lottery", true, 0},
	}
	for _, tt := range tests {
		t.Run("mode "+tt.mode, func(t *testing.T) {
			p, err := w.app.Inspect.CreatePlan(ctx, w.office, inspect.PlanInput{Name: "创建即分配", RegionCode: demo.District,
				StartsOn: "2026-12-01", EndsOn: "2026-12-05", SiteIDs: ids, Inspectors: []int64{w.zhang.UserID, w.li.UserID}, Assign: tt.mode})
			if tt.wantErr {
				if apperr.As(err).Code != "inspect.assign_mode_invalid" {
					t.Fatalf("got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			res, err := w.app.Inspect.Results(ctx, w.office, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, pr := range res.Progress {
				n += pr.Assigned
			}
			if n != tt.assigned || res.Unassigned != 9-tt.assigned {
				t.Fatalf("assigned %d, unassigned %d", n, res.Unassigned)
			}
		})
	}
}
