package routing_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/routing"
	"github.com/wenming-civic/wenming/internal/server"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func TestDecisions(t *testing.T) {
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	app, err := server.New(ctx, cfg, dbtest.Open(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	if _, err := demo.Load(ctx, app.Regions, app.Org); err != nil {
		t.Fatal(err)
	}
	cat := func(code string) int64 {
		sub, err := app.Categories.ByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		return sub.ID
	}
	unit := func(code string) int64 {
		units, _, err := app.Org.ListUnits(ctx, access.System(), org.UnitFilter{Query: code, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range units {
			if u.Code == code {
				return u.ID
			}
		}
		t.Fatalf("no unit %s", code)
		return 0
	}
	tests := []struct {
		name       string
		category   int64
		region     string
		unit       string
		by, detail string
	}{
		{"event goes to the community (以块为主)", cat("SR02"), "410411001001", "电力社区居民委员会", routing.ByTerritory, "电力社区居民委员会"},
		{"event at a street goes to the street office", cat("SR02"), "410411001", "马庄街道办事处", routing.ByTerritory, "马庄街道"},
		{"component goes to its line (以条为主)", cat("SR03"), "410411001001", "湛河区城市管理局", routing.ByLine, "urban_management"},
		{"traffic goes to the traffic police", cat("JT01"), "410411002003", "平顶山市公安局交通管理支队湛河大队", routing.ByLine, "traffic_police"},
		{"no territorial unit: the office", cat("SR02"), "4104", "平顶山市文明办（市创文办）", routing.ByOffice, "平顶山市"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := app.Routing.Decide(ctx, tc.category, tc.region)
			if err != nil {
				t.Fatal(err)
			}
			if d.UnitName != tc.unit || d.By != tc.by || d.Detail != tc.detail {
				t.Fatalf("got %s by %s (%s)", d.UnitName, d.By, d.Detail)
			}
		})
	}

	// A rule before the defaults: 马庄街道's 乱堆乱放 go to the street office.
	office, _, err := app.Org.Actor(ctx, userID(t, app, "office"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := app.Routing.CreateRule(ctx, office, routing.RuleInput{Position: 10, CategoryID: cat("SR02"), RegionCode: "410411001",
		UnitID: unit("410411001"), Note: "马庄街道统一清运", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	d, err := app.Routing.Decide(ctx, cat("SR02"), "410411001001")
	if err != nil || d.UnitName != "马庄街道办事处" || d.By != routing.ByRule || !strings.Contains(d.Detail, "马庄街道统一清运") {
		t.Fatalf("rule not applied: %+v %v", d, err)
	}
	// Other categories and other streets still take the defaults.
	if d, _ := app.Routing.Decide(ctx, cat("SR02"), "410411002001"); d.By != routing.ByTerritory {
		t.Fatalf("rule leaked to another street: %+v", d)
	}
	// Disabled, the rule no longer applies.
	if err := app.Routing.UpdateRule(ctx, office, id, routing.RuleInput{Position: 10, CategoryID: cat("SR02"), RegionCode: "410411001",
		UnitID: unit("410411001"), Enabled: false}); err != nil {
		t.Fatal(err)
	}
	if d, _ := app.Routing.Decide(ctx, cat("SR02"), "410411001001"); d.By != routing.ByTerritory {
		t.Fatalf("disabled rule applied: %+v", d)
	}
	// The office may not route outside its jurisdiction, nor handlers at all.
	if _, err := app.Routing.CreateRule(ctx, office, routing.RuleInput{RegionCode: "4104", UnitID: unit("410411001"), Enabled: true}); apperr.As(err).Kind != apperr.KindForbidden {
		t.Fatalf("rule outside jurisdiction: %v", err)
	}
	handler, _, _ := app.Org.Actor(ctx, userID(t, app, "handler"))
	if _, err := app.Routing.CreateRule(ctx, handler, routing.RuleInput{RegionCode: "410411001", UnitID: unit("410411001"), Enabled: true}); apperr.As(err).Kind != apperr.KindForbidden {
		t.Fatalf("handler made a rule: %v", err)
	}

	// Within a request the unit over a place is looked up once for the
	// reference generation; a renamed unit is routed under its new name
	// in the next request.
	request := func() context.Context { return servertest.RequestContext(t, app.Org) }
	decided := func(rctx context.Context) string {
		t.Helper()
		d, err := app.Routing.Decide(rctx, cat("SR02"), "410411002001")
		if err != nil {
			t.Fatal(err)
		}
		return d.UnitName
	}
	before := decided(request())
	community := unit("410411002001")
	if _, err := app.DB.Exec(ctx, "UPDATE unit SET name = '改名居委会' WHERE id = ?", community); err != nil {
		t.Fatal(err)
	}
	if got := decided(request()); got != before {
		t.Errorf("routed to %q within one generation, want the kept %q", got, before)
	}
	u, err := app.Org.GetUnit(ctx, access.System(), community)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Org.UpdateUnit(ctx, access.System(), community, org.UnitInput{Code: u.Code, Name: "新名居委会", Kind: u.Kind,
		Line: u.Line, ParentID: u.ParentID, RegionCode: u.RegionCode}); err != nil {
		t.Fatal(err)
	}
	if got := decided(request()); got != "新名居委会" {
		t.Errorf("routed to %q after the rename", got)
	}
}

func userID(t *testing.T, app *server.App, name string) int64 {
	var id int64
	if err := app.DB.QueryRow(context.Background(), "SELECT id FROM app_user WHERE username = ?", name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestRuleEditing: who may list rules, open one to edit and propose a new
// one is decided by the store.
func TestRuleEditing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	app, err := server.New(ctx, cfg, dbtest.Open(t), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	if _, err := demo.Load(ctx, app.Regions, app.Org); err != nil {
		t.Fatal(err)
	}
	actor := func(name string) access.Actor {
		a, _, err := app.Org.Actor(ctx, userID(t, app, name))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	office, leader, handler, admin := actor("office"), actor("leader"), actor("handler"), access.System()
	unitID := func(code string) int64 {
		units, _, err := app.Org.ListUnits(ctx, access.System(), org.UnitFilter{Query: code, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range units {
			if u.Code == code {
				return u.ID
			}
		}
		t.Fatalf("no unit %s", code)
		return 0
	}
	local, err := app.Routing.CreateRule(ctx, office, routing.RuleInput{Position: 20, RegionCode: "410411001", UnitID: unitID("410411001"), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	global, err := app.Routing.CreateRule(ctx, admin, routing.RuleInput{Position: 30, UnitID: unitID("410411001"), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name              string
		actor             access.Actor
		listCode          string         // "" when the list is shown
		editable          map[int64]bool // per rule, when listed
		newCode           string         // "" when a new rule is proposed
		localCode, global string         // Rule(local), Rule(global)
	}{
		{"admin", admin, "", map[int64]bool{local: true, global: true}, "", "", ""},
		{"office", office, "", map[int64]bool{local: true, global: false}, "", "", "routing.outside_scope"},
		{"leader", leader, "", map[int64]bool{local: false, global: false}, "routing.forbidden", "routing.outside_scope", "routing.outside_scope"},
		{"handler", handler, "routing.forbidden", nil, "routing.forbidden", "routing.forbidden", "routing.forbidden"},
		{"anonymous", access.Actor{}, "routing.forbidden", nil, "routing.forbidden", "routing.forbidden", "routing.forbidden"},
	}
	code := func(err error) string {
		if err == nil {
			return ""
		}
		return apperr.As(err).Code
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rules, err := app.Routing.Rules(ctx, tc.actor)
			if code(err) != tc.listCode {
				t.Errorf("Rules: %v, want %q", err, tc.listCode)
			}
			for _, x := range rules {
				if want, ok := tc.editable[x.ID]; ok && x.Editable != want {
					t.Errorf("rule %d editable = %v, want %v", x.ID, x.Editable, want)
				}
			}
			in, err := app.Routing.NewRule(ctx, tc.actor)
			if code(err) != tc.newCode {
				t.Errorf("NewRule: %v, want %q", err, tc.newCode)
			}
			if err == nil && (in.Position != 40 || !in.Enabled || in.RegionCode != tc.actor.Region) {
				t.Errorf("NewRule = %+v", in)
			}
			if x, err := app.Routing.Rule(ctx, tc.actor, local); code(err) != tc.localCode || err == nil && x.ID != local {
				t.Errorf("Rule(local): %+v %v, want %q", x, err, tc.localCode)
			}
			if _, err := app.Routing.Rule(ctx, tc.actor, global); code(err) != tc.global {
				t.Errorf("Rule(global): %v, want %q", err, tc.global)
			}
		})
	}
	if _, err := app.Routing.Rule(ctx, admin, 99999); code(err) != "routing.rule_not_found" {
		t.Errorf("Rule(missing): %v", err)
	}
}
