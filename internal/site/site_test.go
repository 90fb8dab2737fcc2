package site_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/site"
)

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

func TestCreateFindsRegionAndTerritorialUnit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := office("410411")
	x, err := e.store.Create(ctx, a, site.Input{
		Name: " 湛河区政务服务中心 ", TypeCode: "gov_hall", Geometry: site.PointGeoJSON(113.3318, 33.6985),
		Address: "姚孟大道 88 号", DepartmentUnitID: e.units["410411-scjg"], SponsorUnitID: e.units["410411-cz"],
		SponsorLeader: "王副区长", HeadName: "陈文明", HeadPhone: "13700000001", LiaisonPhone: "0375-2345678",
	})
	if err != nil {
		t.Fatal(err)
	}
	if x.Code != "S410411-0001" || x.Name != "湛河区政务服务中心" || x.TypeName != "政务大厅" {
		t.Errorf("site %+v", x)
	}
	if len(x.RegionCode) != 12 || !strings.HasPrefix(x.RegionCode, "410411") {
		t.Fatalf("region %q: want a community of 湛河区", x.RegionCode)
	}
	if x.TerritorialUnitID != e.units[x.RegionCode] {
		t.Errorf("territorial unit %d %s, want the community's %d", x.TerritorialUnitID, x.TerritorialUnitName, e.units[x.RegionCode])
	}
	if !x.HasPlace || x.GeometryType != site.GeomPoint || x.Lng != 113.3318 || x.Lat != 33.6985 {
		t.Errorf("place %+v", x)
	}
	if len(x.QRToken) < 20 || x.Score != nil || !x.Active {
		t.Errorf("token %q score %v active %v", x.QRToken, x.Score, x.Active)
	}
	byToken, err := e.store.ByQRToken(ctx, x.QRToken)
	if err != nil || byToken.ID != x.ID {
		t.Fatalf("by token: %v %v", byToken.ID, err)
	}
	if _, err := e.store.ByQRToken(ctx, "nonexistent-token-000"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("unknown token: %v", err)
	}
	y, err := e.store.Create(ctx, a, site.Input{Name: "2 路公交车", TypeCode: "bus", RegionCode: "410411"})
	if err != nil {
		t.Fatal(err)
	}
	if y.Code != "S410411-0002" || y.HasPlace || y.RegionCode != "410411" || y.TerritorialUnitID != 0 {
		t.Errorf("site without a place %+v", y)
	}
	// A line is marked half way along it, an area at its centre.
	road, err := e.store.Create(ctx, a, site.Input{Name: "建设路", TypeCode: "main_road",
		Geometry: `{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"LineString","coordinates":[[113.30,33.73,10],[113.32,33.73],[113.34,33.73]]}}`})
	if err != nil {
		t.Fatal(err)
	}
	if road.GeometryType != site.GeomLineString || road.Geometry != `{"type":"LineString","coordinates":[[113.3,33.73],[113.32,33.73],[113.34,33.73]]}` {
		t.Errorf("road geometry %s", road.Geometry)
	}
	if d := road.Lng - 113.32; d > 1e-6 || d < -1e-6 || road.BBox.MinLng != 113.30 || road.BBox.MaxLng != 113.34 {
		t.Errorf("road point %v %v box %+v", road.Lng, road.Lat, road.BBox)
	}
	park, err := e.store.Create(ctx, a, site.Input{Name: "湛河公园", TypeCode: "park",
		Geometry: `{"type":"Polygon","coordinates":[[[113.31,33.70],[113.33,33.70],[113.33,33.72],[113.31,33.72],[113.31,33.70]]]}`})
	if err != nil {
		t.Fatal(err)
	}
	if d := park.Lng - 113.32; d > 1e-9 || d < -1e-9 || park.Lat-33.71 > 1e-9 || park.Lat-33.71 < -1e-9 {
		t.Errorf("park centre %v %v", park.Lng, park.Lat)
	}
}

func TestValidation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := office("410411")
	ok := func() site.Input {
		return site.Input{Name: "公厕", TypeCode: "toilet", Geometry: site.PointGeoJSON(113.3168, 33.7118)}
	}
	if _, err := e.db.Exec(ctx, "UPDATE site_type SET active = ? WHERE code = ?", false, "taxi"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		edit func(*site.Input)
		code string
	}{
		{"no name", func(in *site.Input) { in.Name = "  " }, "site.name_invalid"},
		{"no type", func(in *site.Input) { in.TypeCode = "" }, "site.type_required"},
		{"unknown type", func(in *site.Input) { in.TypeCode = "spaceport" }, "site.type_unknown"},
		{"retired type", func(in *site.Input) { in.TypeCode = "taxi" }, "site.type_inactive"},
		{"bad code", func(in *site.Input) { in.Code = "S 1" }, "site.code_invalid"},
		{"not json", func(in *site.Input) { in.Geometry = "113.3,33.7" }, "site.geometry_invalid"},
		{"multipoint", func(in *site.Input) { in.Geometry = `{"type":"MultiPoint","coordinates":[[113.3,33.7]]}` }, "site.geometry_type"},
		{"outside China", func(in *site.Input) { in.Geometry = site.PointGeoJSON(33.7, 113.3) }, "site.outside_china"},
		{"short line", func(in *site.Input) { in.Geometry = `{"type":"LineString","coordinates":[[113.3,33.7]]}` }, "site.geometry_line_short"},
		{"open ring", func(in *site.Input) {
			in.Geometry = `{"type":"Polygon","coordinates":[[[113.31,33.70],[113.33,33.70],[113.33,33.72],[113.31,33.72]]]}`
		}, "site.geometry_ring_invalid"},
		{"bad phone", func(in *site.Input) { in.HeadPhone = "12345" }, "site.phone_invalid"},
		{"no place, no region", func(in *site.Input) { in.Geometry = "" }, "site.region_required"},
		{"outside boundaries", func(in *site.Input) { in.Geometry = site.PointGeoJSON(116.39, 39.9) }, "site.region_not_found"},
		{"unknown region", func(in *site.Input) { in.Geometry, in.RegionCode = "", "410411999999" }, "site.region_unknown"},
		{"department is territorial", func(in *site.Input) { in.DepartmentUnitID = e.units["410411001"] }, "site.department_unit_invalid"},
		{"territorial is a department", func(in *site.Input) { in.TerritorialUnitID = e.units["410411-cg"] }, "site.territorial_unit_invalid"},
		{"territorial elsewhere", func(in *site.Input) { in.TerritorialUnitID = e.units["410411009"] }, "site.territorial_unit_elsewhere"},
		{"sponsor is territorial", func(in *site.Input) { in.SponsorUnitID = e.units["410411001"] }, "site.sponsor_unit_invalid"},
		{"missing unit", func(in *site.Input) { in.SponsorUnitID = 999999 }, "site.sponsor_unit_invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := ok()
			c.edit(&in)
			_, err := e.store.Create(ctx, a, in)
			wantCode(t, err, c.code)
		})
	}
	first, err := e.store.Create(ctx, a, ok())
	if err != nil {
		t.Fatal(err)
	}
	in := ok()
	in.Code = first.Code
	_, err = e.store.Create(ctx, a, in)
	wantCode(t, err, "site.code_taken")
	// A site keeps a type retired after it was chosen.
	if _, err := e.db.Exec(ctx, "UPDATE site_type SET active = ? WHERE code = ?", false, "toilet"); err != nil {
		t.Fatal(err)
	}
	in = site.InputOf(first)
	in.Name = "湛河北路公厕"
	if _, err := e.store.Update(ctx, a, first.ID, in); err != nil {
		t.Fatalf("update with a retired type: %v", err)
	}
}

func TestScope(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	mine := office("410411")
	x, err := e.store.Create(ctx, mine, site.Input{Name: "湛河农贸市场", TypeCode: "market", Geometry: site.PointGeoJSON(113.3062, 33.7121)})
	if err != nil {
		t.Fatal(err)
	}
	other := office("410802") // 解放区 of 焦作
	_, err = e.store.Create(ctx, other, site.Input{Name: "越界点位", TypeCode: "market", Geometry: site.PointGeoJSON(113.31, 33.71)})
	wantCode(t, err, "site.outside_scope")
	if _, err := e.store.Update(ctx, other, x.ID, site.InputOf(x)); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("other district updated: %v", err)
	}
	if err := e.store.SetActive(ctx, other, x.ID, false); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("other district deactivated: %v", err)
	}
	if _, err := e.store.Get(ctx, other, x.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("other district read: %v", err)
	}
	if list, n, err := e.store.List(ctx, other, site.Filter{}); err != nil || n != 0 || len(list) != 0 {
		t.Fatalf("other district listed %d: %v", n, err)
	}
	// A street office manages only its street.
	street := office("410411009")
	_, err = e.store.Update(ctx, street, x.ID, site.InputOf(x))
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("street office of another street: %v", err)
	}
	// Leaders and inspectors read, and may not write.
	for _, role := range []access.Role{access.RoleLeader, access.RoleInspector} {
		a := actorWith(role, "410411")
		if list, n, err := e.store.List(ctx, a, site.Filter{}); err != nil || n != 1 || list[0].ID != x.ID {
			t.Errorf("%s lists %d: %v", role, n, err)
		}
		_, err := e.store.Update(ctx, a, x.ID, site.InputOf(x))
		wantCode(t, err, "site.outside_scope")
		_, err = e.store.Create(ctx, a, site.Input{Name: "x", TypeCode: "market", RegionCode: "410411"})
		wantCode(t, err, "site.forbidden")
	}
	// Handlers, volunteers and citizens see no sites at all.
	for _, role := range []access.Role{access.RoleHandler, access.RoleVolunteer, access.RoleCitizen} {
		a := actorWith(role, "410411")
		if _, _, err := e.store.List(ctx, a, site.Filter{}); apperr.As(err).Kind != apperr.KindForbidden {
			t.Errorf("%s list: %v", role, err)
		}
		if _, err := e.store.Get(ctx, a, x.ID); err == nil {
			t.Errorf("%s read a site", role)
		}
	}
	if _, _, err := e.store.List(ctx, access.Actor{}, site.Filter{}); apperr.As(err).Kind != apperr.KindUnauthorized {
		t.Errorf("anonymous list: %v", err)
	}
	// The office takes the site out of use and back.
	if err := e.store.SetActive(ctx, mine, x.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := e.store.List(ctx, mine, site.Filter{State: "active"}); n != 0 {
		t.Errorf("inactive site listed as active")
	}
	if _, n, _ := e.store.List(ctx, mine, site.Filter{State: "inactive"}); n != 1 {
		t.Errorf("inactive site not listed")
	}
}

func TestListFilters(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := office("410411")
	n, err := site.DemoSites(ctx, e.store)
	if err != nil {
		t.Fatal(err)
	}
	all, total, err := e.store.List(ctx, a, site.Filter{Limit: 100})
	if err != nil || total != n || len(all) != n {
		t.Fatalf("listed %d of %d: %v", total, n, err)
	}
	count := func(f site.Filter) int {
		t.Helper()
		_, c, err := e.store.List(ctx, a, f)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := count(site.Filter{Type: "main_road"}); c != 3 {
		t.Errorf("main roads: %d", c)
	}
	if c := count(site.Filter{Query: "建设路"}); c < 3 {
		t.Errorf("text 建设路: %d", c)
	}
	if c := count(site.Filter{Query: "S410411-0001"}); c != 1 {
		t.Errorf("by code: %d", c)
	}
	if c := count(site.Filter{Query: "100%_"}); c != 0 {
		t.Errorf("LIKE characters are literal: %d", c)
	}
	sum := 0
	for _, st := range []string{"410411001", "410411002", "410411003", "410411004", "410411005", "410411006", "410411007", "410411008", "410411009", "410411200"} {
		sum += count(site.Filter{Region: st})
	}
	if sum != n-2 { // the bus and the taxis have no fixed place
		t.Errorf("streets hold %d of %d sites", sum, n)
	}
	if c := count(site.Filter{UnitID: e.units["410411-jt"]}); c != 5 {
		t.Errorf("transport bureau's sites: %d", c)
	}
	page, _, err := e.store.List(ctx, a, site.Filter{Offset: 5, Limit: 5})
	if err != nil || len(page) != 5 || page[0].ID != all[5].ID {
		t.Errorf("second page: %v", err)
	}
}

func TestDemoSites(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// Without a locator, as the demo command runs it.
	st := &site.Store{DB: e.db}
	n, err := site.DemoSites(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if n < 38 {
		t.Fatalf("demo made %d sites", n)
	}
	again, err := site.DemoSites(ctx, st)
	if err != nil || again != 0 {
		t.Fatalf("second run made %d: %v", again, err)
	}
	types := map[string]bool{}
	err = st.Each(ctx, access.System(), site.Filter{}, func(x site.Site) error {
		types[x.TypeCode] = true
		if x.DepartmentUnitID == 0 {
			t.Errorf("%s has no line department", x.Name)
		}
		if x.HasPlace && (len(x.RegionCode) != 12 || x.TerritorialUnitID == 0) {
			t.Errorf("%s at %v,%v: region %s, territorial unit %d", x.Name, x.Lng, x.Lat, x.RegionCode, x.TerritorialUnitID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(types) < 20 {
		t.Errorf("demo covers %d types", len(types))
	}
}

func TestMapCountsOpenProblemsNearby(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := office("410411")
	x, err := e.store.Create(ctx, a, site.Input{Name: "湛河农贸市场", TypeCode: "market", Geometry: site.PointGeoJSON(113.3062, 33.7121)})
	if err != nil {
		t.Fatal(err)
	}
	y, err := e.store.Create(ctx, a, site.Input{Name: "湛河区图书馆", TypeCode: "culture_venue", Geometry: site.PointGeoJSON(113.3290, 33.7166)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Create(ctx, a, site.Input{Name: "出租车", TypeCode: "taxi", RegionCode: "410411"}); err != nil {
		t.Fatal(err)
	}
	// Problems 20 m and 40 m away count; one 80 m away, a closed one and
	// a rejected one do not.
	problems := []struct {
		lng, lat float64
		state    string
	}{
		{113.3062, 33.71228, "filed"},       // ~20 m north
		{113.30663, 33.7121, "in_progress"}, // ~40 m east
		{113.3062, 33.71282, "dispatched"},  // ~80 m north
		{113.3062, 33.7121, "closed"},
		{113.3062, 33.7121, "rejected"},
	}
	for i, p := range problems {
		_, err := e.db.Exec(ctx, `INSERT INTO problem (code, source, description, lng, lat, region_code, state, reported_at, updated_at)
			VALUES (?, 'inspection', '测试', ?, ?, ?, ?, 0, 0)`, "T-"+string(rune('a'+i)), p.lng, p.lat, x.RegionCode, p.state)
		if err != nil {
			t.Fatal(err)
		}
	}
	fc, err := e.store.Map(ctx, a, site.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != 2 {
		t.Fatalf("map lists %d sites, want the 2 with a place", len(fc.Features))
	}
	got := map[int64]site.Properties{}
	for _, f := range fc.Features {
		got[f.Properties.ID] = f.Properties
	}
	if p := got[x.ID]; p.OpenProblems != 2 || p.ProblemLevel != "few" || p.Score != nil || p.ScoreBucket != "none" || p.Type != "集贸市场" {
		t.Errorf("market %+v", p)
	}
	if p := got[y.ID]; p.OpenProblems != 0 || p.ProblemLevel != "none" {
		t.Errorf("library %+v", p)
	}
	if n, err := e.store.OpenProblemsNear(ctx, x); err != nil || n != 2 {
		t.Errorf("near the market: %d %v", n, err)
	}
	if _, err := e.store.Map(ctx, actorWith(access.RoleHandler, "410411"), site.Filter{}); err == nil {
		t.Error("a handler got the map")
	}
}

func TestBuckets(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, c := range []struct {
		score *float64
		want  string
	}{{nil, "none"}, {f(95), "good"}, {f(90), "good"}, {f(80), "fair"}, {f(60), "poor"}, {f(59.9), "bad"}} {
		if got := site.ScoreBucket(c.score); got != c.want {
			t.Errorf("ScoreBucket(%v) = %s, want %s", c.score, got, c.want)
		}
	}
	if site.ProblemBucket(0) != "none" || site.ProblemBucket(2) != "few" || site.ProblemBucket(3) != "many" {
		t.Error("problem buckets")
	}
}

// TestEditAndExportPermissions: the store decides who gets a site to edit
// (the office of its jurisdiction, administrators) and who exports the
// register (administrators, the office, leaders).
func TestEditAndExportPermissions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	x, err := e.store.Create(ctx, office("410411"), site.Input{Name: "马庄街道公交站", TypeCode: "bus", RegionCode: "410411001"})
	if err != nil {
		t.Fatal(err)
	}
	code := func(err error) string {
		if err == nil {
			return ""
		}
		return apperr.As(err).Code
	}
	tests := []struct {
		name       string
		actor      access.Actor
		newCode    string // Edit(0)
		editCode   string // Edit(x)
		exportCode string
	}{
		{"admin", access.System(), "", "", ""},
		{"office of the district", office("410411"), "", "", ""},
		{"office of the street", office("410411001"), "", "", ""},
		{"office of another street", office("410411002"), "", "site.not_found", ""},
		{"leader", actorWith(access.RoleLeader, "410411"), "site.forbidden", "site.forbidden", ""},
		{"inspector", actorWith(access.RoleInspector, "410411"), "site.forbidden", "site.forbidden", "site.forbidden"},
		{"handler", actorWith(access.RoleHandler, "410411"), "site.forbidden", "site.forbidden", "site.forbidden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.store.Edit(ctx, tc.actor, 0); code(err) != tc.newCode {
				t.Errorf("Edit(0): %v, want %q", err, tc.newCode)
			}
			got, err := e.store.Edit(ctx, tc.actor, x.ID)
			if code(err) != tc.editCode || err == nil && got.ID != x.ID {
				t.Errorf("Edit: %+v %v, want %q", got, err, tc.editCode)
			}
			var buf bytes.Buffer
			if _, err := e.store.ExportXLSX(ctx, &buf, tc.actor, site.Filter{}, i18n.MustLoad("zh-CN").T, time.Now()); code(err) != tc.exportCode {
				t.Errorf("ExportXLSX: %v, want %q", err, tc.exportCode)
			}
		})
	}
}
