package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// scopeCases places one case of each kind in the demo district: with a
// community of 马庄街道, with the street office itself, with a department,
// with another street's community, with a 马庄 community though the place
// is elsewhere, and one not yet dispatched. It adds a leader of the street
// and a handler of 城管局.
func scopeCases(t *testing.T, app *servertest.App) map[string]*problem.Case {
	t.Helper()
	ctx := context.Background()
	sys := access.System()
	for _, u := range []struct {
		name, unit string
		role       access.Role
	}{{"jiedao-leader", "410411001", access.RoleLeader}, {"chengguan", "410411-cg", access.RoleHandler}} {
		if _, _, err := app.Org.CreateUser(ctx, sys, org.UserInput{Username: u.name, DisplayName: u.name,
			UnitID: servertest.MustAtoi(t, servertest.UnitID(t, app, u.unit)), Roles: []access.Role{u.role}, Password: u.name + "-pass-2026"}); err != nil {
			t.Fatal(err)
		}
	}
	cat := servertest.MustAtoi(t, servertest.CategoryID(t, app, "SR02"))
	inspector, office := servertest.Actor(t, app, "inspector"), servertest.Actor(t, app, "office")
	out := map[string]*problem.Case{}
	place := func(name, region, unit string) {
		c, err := app.Problems.Report(ctx, inspector, problem.ReportInput{Source: problem.SourceInspection, CategoryID: cat,
			Description: "楼道堆物（" + name + "）", RegionCode: region})
		if err != nil {
			t.Fatal(err)
		}
		if unit != "-" {
			var unitID int64
			if unit != "" {
				unitID = servertest.MustAtoi(t, servertest.UnitID(t, app, unit))
			}
			for _, in := range []problem.MoveInput{{Action: problem.ActFile}, {Action: problem.ActDispatch, UnitID: unitID}} {
				if c, err = app.Problems.Move(ctx, office, c.ID, in); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
		}
		out[name] = c
	}
	place("community", "410411001001", "") // routed to 电力社区 by territory
	place("street", "410411001001", "410411001")
	place("department", "410411001001", "410411-cg")
	place("other street", "410411002001", "")
	place("outside", "410411002001", "410411001001")
	place("reported", "410411001001", "-")
	if out["community"].UnitName != "电力社区居民委员会" {
		t.Fatalf("the community's case went to %s", out["community"].UnitName)
	}
	// Positions, for the map.
	for _, c := range out {
		if _, err := app.DB.Exec(ctx, "UPDATE problem SET lng = 113.33, lat = 33.70 WHERE id = ?", c.ID); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestScopeByRoleThroughTheRouter: every role's ledger, count, case pages,
// map and export hold the cases its scope gives, a street's handler and
// leader read their communities' cases with a note and no action, and only
// the unit a case is with acts on it.
func TestScopeByRoleThroughTheRouter(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	cases := scopeCases(t, app)
	all := []string{"community", "department", "other street", "outside", "reported", "street"}
	roles := []struct {
		who, login, password string
		sees                 []string
		supervised           []string // with a unit below the handler's: a note says why there is no action
		export               bool
	}{
		{"office", "office", servertest.DemoPassword("office"), all, nil, true},
		{"inspector", "inspector", servertest.DemoPassword("inspector"), all, nil, false},
		{"district leader", "leader", servertest.DemoPassword("leader"), all, nil, true},
		{"street leader", "jiedao-leader", "jiedao-leader-pass-2026",
			[]string{"community", "department", "outside", "reported", "street"}, nil, true},
		{"street handler", "handler", servertest.DemoPassword("handler"),
			[]string{"community", "outside", "street"}, []string{"community", "outside"}, false},
		{"community handler", "shequ", "wenming-shequ-2026", []string{"community", "outside"}, nil, false},
		{"department handler", "chengguan", "chengguan-pass-2026", []string{"department"}, nil, false},
		{"citizen", "citizen", servertest.DemoPassword("citizen"), nil, nil, false},
	}
	for _, r := range roles {
		t.Run(r.who, func(t *testing.T) {
			b := app.Browser(t)
			b.SignIn(r.login, r.password)
			// The ledger lists exactly the cases in scope, and counts them.
			res := b.Get("/problems")
			if res.Status != http.StatusOK {
				t.Fatalf("ledger: %d", res.Status)
			}
			for name, c := range cases {
				if strings.Contains(res.Body, c.Code) != slices.Contains(r.sees, name) {
					t.Errorf("ledger shows %s (%s): %v, want %v", name, c.Code, !slices.Contains(r.sees, name), slices.Contains(r.sees, name))
				}
			}
			if len(r.sees) > 0 {
				servertest.MustContain(t, res.Body, "共 "+strconv.Itoa(len(r.sees))+" 条")
			}
			// The case pages: in scope or not found; supervised ones read-only.
			for name, c := range cases {
				res := b.Get("/problems/" + servertest.Itoa(c.ID))
				if !slices.Contains(r.sees, name) {
					if res.Status != http.StatusNotFound {
						t.Errorf("case %s: %d, want 404", name, res.Status)
					}
					continue
				}
				if res.Status != http.StatusOK {
					t.Errorf("case %s: %d", name, res.Status)
					continue
				}
				supervised := slices.Contains(r.supervised, name)
				if strings.Contains(res.Body, "本案由下级单位") != supervised {
					t.Errorf("case %s: supervised note %v, want %v", name, !supervised, supervised)
				}
				if (supervised || r.who == "street leader") && strings.Contains(res.Body, `/act"`) {
					t.Errorf("case %s offers actions to a supervising unit", name)
				}
			}
			// The map.
			var geo struct {
				Features []struct {
					Properties struct {
						Code string `json:"code"`
					} `json:"properties"`
				} `json:"features"`
			}
			res = b.Get("/problems/map.geojson")
			if err := json.Unmarshal([]byte(res.Body), &geo); err != nil {
				t.Fatalf("geojson: %v\n%s", err, res.Body)
			}
			var onMap []string
			for name, c := range cases {
				for _, f := range geo.Features {
					if f.Properties.Code == c.Code {
						onMap = append(onMap, name)
					}
				}
			}
			slices.Sort(onMap)
			if !slices.Equal(onMap, r.sees) {
				t.Errorf("map %v, want %v", onMap, r.sees)
			}
			// The export, for those who may export.
			res = b.Get("/problems/export.xlsx")
			if !r.export {
				if res.Status != http.StatusForbidden {
					t.Errorf("export: %d, want 403", res.Status)
				}
				return
			}
			x, err := excelize.OpenReader(strings.NewReader(res.Body))
			if err != nil {
				t.Fatalf("export: %d %v", res.Status, err)
			}
			defer x.Close()
			rows, _ := x.GetRows(x.GetSheetName(0))
			var text strings.Builder
			for _, row := range rows {
				text.WriteString(strings.Join(row, "|") + "\n")
			}
			for name, c := range cases {
				if strings.Contains(text.String(), c.Code) != slices.Contains(r.sees, name) {
					t.Errorf("export holds %s: %v", name, !slices.Contains(r.sees, name))
				}
			}
		})
	}
	// Acting: only the unit the case is with.
	act := func(login, password, name, action string) int {
		t.Helper()
		b := app.Browser(t)
		b.SignIn(login, password)
		path := "/problems/" + servertest.Itoa(cases[name].ID)
		b.Get("/problems")
		return b.PostMultipart(path+"/act", map[string]string{"action": action, "note": "不属于本单位"}, nil).Status
	}
	for _, tc := range []struct {
		who, login, password, name, action string
		want                               int
	}{
		{"street handler accepts its community's case", "handler", servertest.DemoPassword("handler"), "community", "accept", http.StatusForbidden},
		{"street handler returns its community's case", "handler", servertest.DemoPassword("handler"), "community", "return", http.StatusForbidden},
		{"street leader accepts its community's case", "jiedao-leader", "jiedao-leader-pass-2026", "community", "accept", http.StatusForbidden},
		{"department handler accepts a community's case", "chengguan", "chengguan-pass-2026", "community", "accept", http.StatusNotFound},
		{"citizen accepts a case", "citizen", servertest.DemoPassword("citizen"), "community", "accept", http.StatusNotFound},
		{"street handler accepts its own case", "handler", servertest.DemoPassword("handler"), "street", "accept", http.StatusSeeOther},
		{"community handler accepts its case", "shequ", "wenming-shequ-2026", "community", "accept", http.StatusSeeOther},
		{"department handler accepts its case", "chengguan", "chengguan-pass-2026", "department", "accept", http.StatusSeeOther},
	} {
		if got := act(tc.login, tc.password, tc.name, tc.action); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.who, got, tc.want)
		}
	}
	c, err := app.Problems.Get(context.Background(), access.System(), cases["community"].ID)
	if err != nil || c.State != problem.InProgress || c.ReturnCount != 0 {
		t.Fatalf("the community's case after the moves: %+v %v", c, err)
	}
}

// TestLedgerBelowFilter: a street's handler narrows its ledger to its
// communities' cases; a unit without units below is not offered the filter.
func TestLedgerBelowFilter(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	cases := scopeCases(t, app)
	street := app.SignedIn(t, "handler")
	res := street.Get("/problems")
	servertest.MustContain(t, res.Body, `name="below"`, "只看下级单位")
	res = street.Get("/problems?below=1")
	servertest.MustContain(t, res.Body, cases["community"].Code, cases["outside"].Code, "共 2 条")
	servertest.MustNotContain(t, res.Body, cases["street"].Code)
	shequ := app.Browser(t)
	shequ.SignIn("shequ", "wenming-shequ-2026")
	servertest.MustNotContain(t, shequ.Get("/problems").Body, `name="below"`)
}
