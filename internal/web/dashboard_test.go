package web_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// dashApp is the test app with demo cases and two inspection rounds.
func dashApp(t *testing.T) *servertest.App {
	t.Helper()
	app := servertest.New(t)
	ctx := context.Background()
	deps := demo.CaseDeps{DB: app.DB, Problems: app.Problems, Media: app.Media, Categories: app.Categories, Org: app.Org, Regions: app.Regions}
	n, err := demo.LoadCases(ctx, deps, time.Now(), 150, 60)
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("only %d demo cases", n)
	}
	if _, _, err := demo.LoadInspections(ctx, demo.InspectDeps{CaseDeps: deps, Sites: app.Sites, Inspect: app.Inspect}, time.Now()); err != nil {
		t.Fatal(err)
	}
	// The demo sends most cases to departments and communities; hand some
	// of the last weeks' to the demo street, another street and the demo
	// community, so that each has enough to be ranked.
	var other int64
	if err := app.DB.QueryRow(ctx, `SELECT id FROM unit WHERE kind = 'territorial' AND LENGTH(region_code) = 9 AND id <> ?
		ORDER BY id LIMIT 1`, dashActor(t, app, "handler").UnitID).Scan(&other); err != nil {
		t.Fatal(err)
	}
	rows, err := app.DB.Query(ctx, `SELECT id FROM problem WHERE filed_at >= ? AND state NOT IN ('rejected', 'duplicate', 'parked')
		ORDER BY id LIMIT 21`, time.Now().AddDate(0, 0, -25).UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) < 21 {
		t.Fatalf("only %d recent cases", len(ids))
	}
	units := []int64{dashActor(t, app, "handler").UnitID, other, dashActor(t, app, "shequ").UnitID}
	for i, id := range ids {
		if _, err := app.DB.Exec(ctx, "UPDATE problem SET unit_id = ? WHERE id = ?", units[min(i/8, 2)], id); err != nil {
			t.Fatal(err)
		}
	}
	// Rows changed around the store: the tally is counted again.
	if err := app.Problems.RebuildTally(ctx); err != nil {
		t.Fatal(err)
	}
	return app
}

// dashBoard is the part of data.json the tests read.
type dashBoard struct {
	Scope struct {
		Mode   string `json:"mode"`
		Region string `json:"region"`
		UnitID int64  `json:"unit_id"`
		Name   string `json:"name"`
	} `json:"scope"`
	Period struct {
		Days int       `json:"days"`
		From time.Time `json:"from"`
		To   time.Time `json:"to"`
	} `json:"period"`
	KPI struct {
		Filed             int     `json:"filed"`
		Closed            int     `json:"closed"`
		ClosedOnTime      int     `json:"closed_on_time"`
		Parked            int     `json:"parked"`
		Overdue           int     `json:"overdue"`
		Open              int     `json:"open"`
		ClosureRate       float64 `json:"closure_rate"`
		OnTimeRate        float64 `json:"on_time_rate"`
		MeanHandlingHours float64 `json:"mean_handling_hours"`
		Handled           int     `json:"handled"`
	} `json:"kpi"`
	Daily []struct {
		Day              string
		Reported, Closed int
	} `json:"daily"`
	Weekly []struct {
		Day              string
		Reported, Closed int
	} `json:"weekly"`
	Categories []struct {
		Key, Name     string
		Filed, Closed int
	} `json:"categories"`
	OtherCategories struct{ Filed int } `json:"other_categories"`
	Sources         []struct {
		Key, Name string
		Filed     int
	} `json:"sources"`
	MinSample int `json:"min_sample"`
	Ranking   []struct {
		Key, Name string
		Units     []struct {
			Rank          int
			ID            int64
			Name          string
			Filed, Closed int
			Parked        int
			ClosureRate   float64 `json:"closure_rate"`
		}
	} `json:"ranking"`
	MyRank *struct {
		Group     string
		GroupName string `json:"group_name"`
		Rank, Of  int
		Filed     int
	} `json:"my_rank"`
	Inspection *struct {
		PlanName string `json:"plan_name"`
		ByType   []struct {
			Key      string
			Mean     float64
			Previous *float64
		} `json:"by_type"`
		ByStreet []struct{ Key, Name string } `json:"by_street"`
	} `json:"inspection"`
}

func dashBoardOf(b *servertest.Browser, path string) (dashBoard, string) {
	b.T.Helper()
	res := b.Get(path)
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		b.T.Fatalf("GET %s: %d %s\n%s", path, res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	var out dashBoard
	if err := json.Unmarshal([]byte(res.Body), &out); err != nil {
		b.T.Fatalf("GET %s: %v", path, err)
	}
	return out, res.Body
}

func dashActor(t *testing.T, app *servertest.App, username string) access.Actor {
	t.Helper()
	var id int64
	if err := app.DB.QueryRow(context.Background(), "SELECT id FROM app_user WHERE username = ?", username).Scan(&id); err != nil {
		t.Fatal(err)
	}
	a, _, err := app.Org.Actor(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// sameKPI checks the board's figures against the ledger's KPIs for the
// same scope and period.
func dashSameKPI(t *testing.T, app *servertest.App, who string, b dashBoard, f problem.Filter) problem.KPI {
	t.Helper()
	k, err := app.Problems.KPIsFromCases(context.Background(), dashActor(t, app, who), f, b.Period.From, b.Period.To, app.Clock)
	if err != nil {
		t.Fatal(err)
	}
	got := b.KPI
	if got.Filed != k.Filed || got.Closed != k.Closed || got.ClosedOnTime != k.ClosedOnTime || got.Parked != k.Parked ||
		got.Overdue != k.Overdue || got.Handled != k.Handled || math.Abs(got.MeanHandlingHours-k.MeanHandlingHours) > 1e-9 || got.ClosureRate != k.ClosureRate() || got.OnTimeRate != k.OnTimeRate() {
		t.Errorf("%s: board KPI %+v, ledger %+v", who, got, k)
	}
	sources, categories := 0, b.OtherCategories.Filed
	for _, s := range b.Sources {
		sources += s.Filed
		if s.Name == "" || strings.HasPrefix(s.Name, "problem.source.") {
			t.Errorf("%s: source %q has no name", who, s.Key)
		}
	}
	for _, c := range b.Categories {
		categories += c.Filed
	}
	if sources != k.Filed || categories != k.Filed {
		t.Errorf("%s: sources add up to %d, categories to %d, want %d filed", who, sources, categories, k.Filed)
	}
	if len(b.Categories) > 10 {
		t.Errorf("%s: %d categories, want the top 10", who, len(b.Categories))
	}
	return k
}

func TestDashboardSignedOut(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	anon := app.Browser(t)
	for _, path := range []string{"/dashboard", "/dashboard/wall", "/dashboard/data.json", "/dashboard/problems.geojson"} {
		res := anon.Get(path)
		if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/login") {
			t.Errorf("GET %s signed out: %d %q, want a redirect to /login", path, res.Status, res.Location)
		}
	}
}

func TestDashboardPages(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	for _, who := range []string{"office", "leader", "handler"} {
		b := app.Browser(t)
		b.SignIn(who, servertest.DemoPassword(who))
		home := b.Get("/")
		servertest.MustContain(t, home.Body, `href="/dashboard"`)
		for _, path := range []string{"/dashboard", "/dashboard?days=7", "/dashboard/wall"} {
			res := b.Get(path)
			if res.Status != http.StatusOK {
				t.Fatalf("%s GET %s: %d\n%s", who, path, res.Status, res.Body)
			}
			servertest.MustContain(t, res.Body, `id="dashboard"`, `id="kpis"`, `id="chart-trend"`, `id="chart-categories"`,
				`id="chart-sources"`, `id="ranking"`, `id="dash-map"`, `id="chart-weekly"`, `id="chart-inspection-type"`,
				"/vendor/echarts/echarts.min.js", "/dashboard.js", `data-src="/dashboard/data.json?days=`, "数据大屏")
			// The CSP allows neither inline scripts nor style attributes.
			servertest.MustNotContain(t, res.Body, "<script>", " style=", "dashboard.js.", "dashboard.group.")
		}
		wall := b.Get("/dashboard/wall?days=90")
		servertest.MustContain(t, wall.Body, `data-refresh="60"`, `id="dash-fullscreen"`, `data-src="/dashboard/data.json?days=90"`, `class="wall"`)
		servertest.MustNotContain(t, wall.Body, `class="topbar"`)
		page := b.Get("/dashboard")
		servertest.MustContain(t, page.Body, `data-refresh="0"`, `aria-current="page">近30天`)
		if who == "handler" {
			servertest.MustContain(t, page.Body, `data-sites-src=""`)
		} else {
			servertest.MustContain(t, page.Body, `data-sites-src="/sites/map.geojson"`)
		}
	}
}

func TestDashboardFigures(t *testing.T) {
	t.Parallel()
	app := dashApp(t)
	office, leader, handler, shequ := app.Browser(t), app.Browser(t), app.Browser(t), app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	leader.SignIn("leader", servertest.DemoPassword("leader"))
	handler.SignIn("handler", servertest.DemoPassword("handler"))
	shequ.SignIn("shequ", "wenming-shequ-2026")

	// The office: the district, matching the ledger's KPIs, every day of
	// the period, twelve weeks, units ranked in groups.
	ob, _ := dashBoardOf(office, "/dashboard/data.json")
	if ob.Scope.Mode != "region" || ob.Scope.Region != "410411" || ob.Scope.Name != "湛河区" || ob.Period.Days != 30 {
		t.Fatalf("office scope %+v period %+v", ob.Scope, ob.Period)
	}
	k := dashSameKPI(t, app, "office", ob, problem.Filter{})
	if k.Filed == 0 || k.Closed == 0 {
		t.Fatalf("the demo should have filed and closed cases in 30 days: %+v", k)
	}
	if len(ob.Daily) != 30 || len(ob.Weekly) < 12 {
		t.Errorf("%d days, %d weeks", len(ob.Daily), len(ob.Weekly))
	}
	if last := ob.Daily[len(ob.Daily)-1].Day; last != ob.Period.To.In(calendar.Shanghai()).Format("2006-01-02") {
		t.Errorf("last day %s, want today", last)
	}
	reported, weekly := 0, 0
	for _, d := range ob.Daily {
		reported += d.Reported
	}
	for _, w := range ob.Weekly {
		weekly += w.Reported
	}
	if reported == 0 || weekly < reported {
		t.Errorf("reported %d in the period, %d over the weeks", reported, weekly)
	}
	ranked := map[string]map[int64]int{} // group → unit → rank
	inRanking := 0
	for _, g := range ob.Ranking {
		if g.Name == "" || strings.HasPrefix(g.Name, "dashboard.") {
			t.Errorf("group %s has no name", g.Key)
		}
		ranked[g.Key] = map[int64]int{}
		prev := 0.0
		for i, u := range g.Units {
			inRanking += u.Filed
			ranked[g.Key][u.ID] = u.Rank
			if u.Rank > 0 && u.Filed-u.Parked < ob.MinSample || u.Rank == 0 && u.Filed-u.Parked >= ob.MinSample {
				t.Errorf("%s ranked %d with %d cases", u.Name, u.Rank, u.Filed-u.Parked)
			}
			if u.Rank > 0 && i > 0 && u.ClosureRate > prev {
				t.Errorf("%s: %s ranked below a lower closure rate", g.Key, u.Name)
			}
			prev = u.ClosureRate
		}
	}
	if len(ob.Ranking) == 0 || inRanking > k.Filed {
		t.Errorf("ranking: %d groups, %d cases of %d", len(ob.Ranking), inRanking, k.Filed)
	}
	if ob.Inspection == nil || len(ob.Inspection.ByType) == 0 || len(ob.Inspection.ByStreet) == 0 {
		t.Errorf("office sees no inspection scores: %+v", ob.Inspection)
	} else {
		prev := 0
		for _, g := range ob.Inspection.ByType {
			if g.Mean < 0 || g.Mean > 1 {
				t.Errorf("type %s mean %v", g.Key, g.Mean)
			}
			if g.Previous != nil {
				prev++
			}
		}
		if prev == 0 {
			t.Error("the demo's earlier round is not beside the latest")
		}
	}

	// Other periods; anything else is the default.
	for q, want := range map[string]int{"?days=7": 7, "?days=90": 90, "?days=31": 30, "?days=x": 30} {
		b, _ := dashBoardOf(office, "/dashboard/data.json"+q)
		if b.Period.Days != want || len(b.Daily) != want {
			t.Errorf("%s: %d days, %d buckets, want %d", q, b.Period.Days, len(b.Daily), want)
		}
		dashSameKPI(t, app, "office", b, problem.Filter{})
	}

	// The leader reads the same district.
	lb, _ := dashBoardOf(leader, "/dashboard/data.json")
	if lb.Scope.Mode != "region" || lb.KPI.Filed != ob.KPI.Filed || len(lb.Ranking) != len(ob.Ranking) {
		t.Errorf("leader: scope %+v, %d filed (office %d)", lb.Scope, lb.KPI.Filed, ob.KPI.Filed)
	}
	dashSameKPI(t, app, "leader", lb, problem.Filter{})

	// A unit's board counts its cases, and a street's those of the
	// communities below it too (属地管理), as its ledger lists them.
	unitFilter := func(who string) problem.Filter {
		a := dashActor(t, app, who)
		if len(a.SubUnits) > 0 {
			return problem.Filter{Units: append([]int64{a.UnitID}, a.SubUnits...)}
		}
		return problem.Filter{UnitID: a.UnitID}
	}
	if len(unitFilter("handler").Units) == 0 {
		t.Fatal("the demo's street has no units below it")
	}
	// A unit: its own figures and its rank, and no other unit's name.
	for _, tc := range []struct{ who, group string }{{"handler", "street"}, {"shequ", "community"}} {
		b := map[string]*servertest.Browser{"handler": handler, "shequ": shequ}[tc.who]
		a := dashActor(t, app, tc.who)
		hb, body := dashBoardOf(b, "/dashboard/data.json")
		if hb.Scope.Mode != "unit" || hb.Scope.UnitID != a.UnitID || hb.Ranking != nil || hb.Inspection != nil {
			t.Errorf("%s: scope %+v, ranking %v, inspection %v", tc.who, hb.Scope, hb.Ranking != nil, hb.Inspection != nil)
		}
		dashSameKPI(t, app, tc.who, hb, unitFilter(tc.who))
		if hb.MyRank == nil || hb.MyRank.Group != tc.group || hb.MyRank.GroupName == "" {
			t.Fatalf("%s: my rank %+v", tc.who, hb.MyRank)
		}
		// The rank is the one the district's board shows.
		wantRank, of := ranked[tc.group][a.UnitID], 0
		for _, r := range ranked[tc.group] {
			if r > 0 {
				of++
			}
		}
		if wantRank == 0 || (tc.who == "handler" && of < 2) {
			t.Errorf("%s: the district board ranks the unit %d of %d", tc.who, wantRank, of)
		}
		if hb.MyRank.Rank != wantRank || hb.MyRank.Of != of {
			t.Errorf("%s: rank %d of %d, the district board says %d of %d", tc.who, hb.MyRank.Rank, hb.MyRank.Of, wantRank, of)
		}
		rows, err := app.DB.Query(context.Background(), "SELECT name FROM unit WHERE id <> ?", a.UnitID)
		if err != nil {
			t.Fatal(err)
		}
		var others []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			others = append(others, n)
		}
		rows.Close()
		if len(others) < 100 {
			t.Fatalf("only %d other units", len(others))
		}
		for _, n := range others {
			if strings.Contains(body, n) {
				t.Errorf("%s's board names another unit: %s", tc.who, n)
			}
		}
		servertest.MustNotContain(t, body, `"units"`)
	}

	// The map: open cases of the scope with a place.
	for _, tc := range []struct {
		who string
		b   *servertest.Browser
		f   problem.Filter
	}{{"office", office, problem.Filter{}}, {"handler", handler, unitFilter("handler")}} {
		res := tc.b.Get("/dashboard/problems.geojson")
		var fc struct {
			Features []struct {
				Properties struct {
					ID      int64
					State   string
					Overdue bool
				}
			}
		}
		if err := json.Unmarshal([]byte(res.Body), &fc); err != nil {
			t.Fatal(err)
		}
		want := 0
		f := tc.f
		f.States = []problem.State{problem.Reported, problem.Filed, problem.Dispatched, problem.InProgress, problem.Parked, problem.Rectified}
		err := app.Problems.Each(context.Background(), dashActor(t, app, tc.who), f, func(c *problem.Case) error {
			if c.HasPlace {
				want++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(fc.Features) != want || (tc.who == "office" && want == 0) {
			t.Errorf("%s: %d features on the map, want %d", tc.who, len(fc.Features), want)
		}
	}
}
