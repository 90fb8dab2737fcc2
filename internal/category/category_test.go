package category_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

var (
	office  = access.Actor{UserID: 7, UnitID: 1, Region: "4104", Roles: []access.Role{access.RoleOffice}}
	admin   = access.Actor{UserID: 8, Roles: []access.Role{access.RoleAdmin}}
	handler = access.Actor{UserID: 9, UnitID: 2, Roles: []access.Role{access.RoleHandler}}
	leader  = access.Actor{UserID: 10, UnitID: 1, Region: "4104", Roles: []access.Role{access.RoleLeader}}
)

func defaultsByName(t *testing.T) map[string]category.Sub {
	t.Helper()
	tops, err := category.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]category.Sub{}
	for _, top := range tops {
		for _, s := range top.Subs {
			m[s.Name] = s
		}
	}
	return m
}

func TestDefaults(t *testing.T) {
	tops, err := category.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	if len(tops) < 8 {
		t.Errorf("%d top categories, want at least 8", len(tops))
	}
	subs := defaultsByName(t)
	if len(subs) < 40 {
		t.Errorf("%d sub-categories, want at least 40", len(subs))
	}
	for _, top := range tops {
		if len(top.Subs) < 3 {
			t.Errorf("top %s %s has only %d subs", top.Code, top.Name, len(top.Subs))
		}
		for _, s := range top.Subs {
			if !s.Owner.Valid() || !s.Kind.Valid() || s.Limit.Validate() != nil {
				t.Errorf("%s %s: owner %q, kind %q, limit %v", s.Code, s.Name, s.Owner, s.Kind, s.Limit)
			}
			if s.FilingCondition == "" || s.ClosingCondition == "" {
				t.Errorf("%s %s lacks a filing or closing condition", s.Code, s.Name)
			}
			if !strings.HasPrefix(s.Code, top.Code) {
				t.Errorf("%s is filed under %s", s.Code, top.Code)
			}
		}
	}
	for _, name := range []string{"暴露垃圾", "乱堆乱放", "占道经营", "店外经营", "流动摊贩", "机动车乱停放", "非机动车乱停放",
		"共享单车乱停放", "非法小广告", "乱涂乱画", "公益广告缺失或破损", "门前三包不落实", "楼道堆物", "飞线充电", "不文明养犬",
		"电动车未戴头盔", "闯红灯", "路灯不亮", "井盖缺失破损", "道路破损", "护栏破损", "绿地缺株黄土裸露", "公厕不洁",
		"垃圾桶满溢破损", "违章搭建", "施工围挡不规范", "扬尘", "背街小巷脏乱", "老旧小区环境"} {
		if _, ok := subs[name]; !ok {
			t.Errorf("default catalogue lacks %s", name)
		}
	}
	tests := []struct {
		name   string
		amount int
		unit   calendar.Unit
		owner  category.OwnerRule
		kind   category.Kind
	}{
		{"暴露垃圾", 2, calendar.UnitHour, category.Territorial, category.KindEvent},
		{"井盖缺失破损", 4, calendar.UnitHour, category.LineOwner("urban_management"), category.KindComponent},
		{"路灯不亮", 2, calendar.UnitDay, category.LineOwner("urban_management"), category.KindComponent},
		{"道路破损", 5, calendar.UnitDay, category.LineOwner("housing"), category.KindComponent},
		{"违章搭建", 10, calendar.UnitDay, category.LineOwner("urban_management"), category.KindEvent},
		{"闯红灯", 1, calendar.UnitDay, category.LineOwner("traffic_police"), category.KindEvent},
		{"绿地缺株黄土裸露", 10, calendar.UnitDay, category.LineOwner("landscaping"), category.KindComponent},
		{"施工围挡不规范", 2, calendar.UnitDay, category.LineOwner("housing"), category.KindEvent},
		{"扬尘", 4, calendar.UnitHour, category.LineOwner("housing"), category.KindEvent},
		{"店外经营", 1, calendar.UnitDay, category.Territorial, category.KindEvent},
	}
	for _, tc := range tests {
		s := subs[tc.name]
		if s.Limit != (category.Limit{Amount: tc.amount, Unit: tc.unit}) || s.Owner != tc.owner || s.Kind != tc.kind {
			t.Errorf("%s: %v %s %s; want %d %s %s %s", tc.name, s.Limit, s.Owner, s.Kind, tc.amount, tc.unit, tc.owner, tc.kind)
		}
	}
}

func TestOwnerRule(t *testing.T) {
	for _, line := range org.Lines() {
		r := category.LineOwner(line)
		if !r.Valid() || r.Line() != line || r.IsTerritorial() {
			t.Errorf("LineOwner(%s) = %q: valid %v, line %q", line, r, r.Valid(), r.Line())
		}
	}
	for _, r := range []category.OwnerRule{"", "line:", "line:police", "territory", "line:urban_management ", "LINE:housing"} {
		if r.Valid() {
			t.Errorf("%q is valid", r)
		}
	}
	if !category.Territorial.Valid() || category.Territorial.Line() != "" {
		t.Error("territorial rule")
	}
	if category.DefaultOwner(category.KindEvent, "") != category.Territorial ||
		category.DefaultOwner(category.KindComponent, "water") != "line:water" ||
		category.DefaultOwner(category.KindComponent, "") != "" {
		t.Error("DefaultOwner")
	}
}

func TestLimitDeadline(t *testing.T) {
	years, err := calendar.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.NewCalendar(years[2026], calendar.DefaultPeriods())
	if err != nil {
		t.Fatal(err)
	}
	filed := time.Date(2026, 2, 13, 16, 0, 0, 0, cal.Location()) // Friday before the Spring Festival
	subs := defaultsByName(t)
	for name, want := range map[string]string{
		"暴露垃圾": "2026-02-14 09:00", // the swapped Saturday is worked
		"道路破损": "2026-02-27 17:30",
		"违章搭建": "2026-03-05 17:30", // Sat 14, Tue 24 to Sat 28 (swapped), Mon 2 to Thu 5
	} {
		if got := subs[name].Limit.Deadline(cal, filed).In(cal.Location()).Format("2006-01-02 15:04"); got != want {
			t.Errorf("%s filed %s: due %s, want %s", name, filed, got, want)
		}
	}
}

func seeded(t *testing.T) (*category.Store, int) {
	t.Helper()
	s := category.New(dbtest.Open(t))
	n, err := s.EnsureDefaults(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s, n
}

func codesOf(tops []category.Top) []string {
	var out []string
	for _, t := range tops {
		out = append(out, t.Code)
		for _, s := range t.Subs {
			out = append(out, s.Code)
		}
	}
	return out
}

func TestEnsureDefaults(t *testing.T) {
	ctx := context.Background()
	s, n := seeded(t)
	defs, err := category.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	if want := len(codesOf(defs)); n != want {
		t.Errorf("EnsureDefaults created %d, want %d", n, want)
	}
	if n, err := s.EnsureDefaults(ctx); n != 0 || err != nil {
		t.Errorf("second EnsureDefaults = %d, %v", n, err)
	}
	tree, err := s.Tree(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(codesOf(tree), codesOf(defs)) {
		t.Errorf("tree %v, want the file order %v", codesOf(tree), codesOf(defs))
	}
	for i, top := range tree {
		if top.Position != i+1 {
			t.Errorf("top %s at position %d, want %d", top.Code, top.Position, i+1)
		}
		for j, sub := range top.Subs {
			if sub.Position != j+1 || sub.TopCode != top.Code || !sub.Usable() {
				t.Errorf("sub %s: position %d, top %s, usable %v", sub.Code, sub.Position, sub.TopCode, sub.Usable())
			}
		}
	}

	// Office edits and deactivations survive; a default missing from the
	// database (as when a release adds one) comes back at the end of its top.
	sr01, err := s.ByCode(ctx, "sr01")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetActive(ctx, office, sr01.ID, false); err != nil {
		t.Fatal(err)
	}
	in := inputOf(sr01)
	in.Limit = category.Limit{Amount: 3, Unit: calendar.UnitHour}
	if _, err := s.UpdateSub(ctx, office, sr01.ID, in); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.Exec(ctx, "DELETE FROM category WHERE code = ?", "SR02"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.EnsureDefaults(ctx); n != 1 || err != nil {
		t.Errorf("EnsureDefaults after a removal = %d, %v; want 1", n, err)
	}
	got, err := s.ByCode(ctx, "SR01")
	if err != nil {
		t.Fatal(err)
	}
	if got.Active || got.Limit.Amount != 3 {
		t.Errorf("EnsureDefaults touched an existing row: %+v", got)
	}
	sr02, err := s.ByCode(ctx, "SR02")
	if err != nil {
		t.Fatal(err)
	}
	if want := len(defs[0].Subs) + 1; sr02.Position != want {
		t.Errorf("re-added SR02 at position %d, want %d (the end)", sr02.Position, want)
	}
}

func inputOf(s category.Sub) category.SubInput {
	return category.SubInput{TopID: s.TopID, Code: s.Code, Name: s.Name, Kind: s.Kind, Limit: s.Limit,
		FilingCondition: s.FilingCondition, ClosingCondition: s.ClosingCondition, Owner: s.Owner, Position: s.Position}
}

func TestTreeOrderAndActive(t *testing.T) {
	ctx := context.Background()
	s := category.New(dbtest.Open(t))
	mkTop := func(code string, pos int) category.Top {
		top, err := s.CreateTop(ctx, office, category.TopInput{Code: code, Name: "大类" + code, Position: pos})
		if err != nil {
			t.Fatalf("create top %s: %v", code, err)
		}
		return top
	}
	b, a, c := mkTop("BB", 2), mkTop("AA", 1), mkTop("CC", 0)
	if c.Position != 3 {
		t.Errorf("top without a position got %d, want 3 (the end)", c.Position)
	}
	mkSub := func(top category.Top, code string, pos int) category.Sub {
		sub, err := s.CreateSub(ctx, office, category.SubInput{TopID: top.ID, Code: code, Name: "小类" + code,
			Kind: category.KindEvent, Limit: category.Limit{Amount: 1, Unit: calendar.UnitDay}, Position: pos})
		if err != nil {
			t.Fatalf("create sub %s: %v", code, err)
		}
		return sub
	}
	mkSub(a, "AA02", 2)
	a1 := mkSub(a, "AA01", 1)
	a3 := mkSub(a, "AA03", 0)
	b1 := mkSub(b, "BB01", 0)
	mkSub(c, "CC01", 0)
	if a3.Position != 3 || b1.Position != 1 || a1.Owner != category.Territorial {
		t.Errorf("positions %d %d, owner %q", a3.Position, b1.Position, a1.Owner)
	}
	tree, err := s.Tree(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"AA", "AA01", "AA02", "AA03", "BB", "BB01", "CC", "CC01"}
	if got := codesOf(tree); !slices.Equal(got, want) {
		t.Errorf("tree %v, want %v", got, want)
	}

	if err := s.SetActive(ctx, office, a1.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := s.SetActive(ctx, office, b1.ID, false); err != nil { // BB is left without active subs
		t.Fatal(err)
	}
	if err := s.SetTopActive(ctx, office, c.ID, false); err != nil {
		t.Fatal(err)
	}
	tree, err = s.Tree(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := codesOf(tree); !slices.Equal(got, []string{"AA", "AA02", "AA03"}) {
		t.Errorf("active tree %v", got)
	}
	tree, err = s.Tree(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := codesOf(tree); !slices.Equal(got, want) {
		t.Errorf("full tree after deactivation %v, want %v", got, want)
	}
	cc01, err := s.ByCode(ctx, "CC01")
	if err != nil {
		t.Fatal(err)
	}
	if !cc01.Active || cc01.TopActive || cc01.Usable() {
		t.Errorf("sub of an inactive top: active %v, top active %v, usable %v", cc01.Active, cc01.TopActive, cc01.Usable())
	}
	if err := s.SetActive(ctx, office, a1.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, a1.ID); !got.Usable() {
		t.Error("reactivated sub is not usable")
	}

	// Moving a sub to another top without a position puts it at the end.
	in := inputOf(a3)
	in.TopID, in.Position = b.ID, 0
	moved, err := s.UpdateSub(ctx, office, a3.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if moved.TopID != b.ID || moved.Position != 2 || moved.TopCode != "BB" {
		t.Errorf("moved sub: top %d %s, position %d", moved.TopID, moved.TopCode, moved.Position)
	}
}

func TestValidation(t *testing.T) {
	ctx := context.Background()
	s, _ := seeded(t)
	tops, err := s.Tree(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	topID := tops[0].ID
	good := category.SubInput{TopID: topID, Code: "SR99", Name: "测试小类", Kind: category.KindComponent,
		Limit: category.Limit{Amount: 8, Unit: calendar.UnitHour}, Owner: category.LineOwner("water"),
		FilingCondition: "立案条件", ClosingCondition: "结案条件"}
	with := func(f func(*category.SubInput)) category.SubInput {
		in := good
		f(&in)
		return in
	}
	tests := []struct {
		name string
		in   category.SubInput
		code string
	}{
		{"lower-case code is upper-cased", with(func(in *category.SubInput) { in.Code = " sr98 " }), ""},
		{"code starting with a digit", with(func(in *category.SubInput) { in.Code = "9SR" }), "category.code_invalid"},
		{"code with a dash", with(func(in *category.SubInput) { in.Code = "SR-1" }), "category.code_invalid"},
		{"code too short", with(func(in *category.SubInput) { in.Code = "S" }), "category.code_invalid"},
		{"code too long", with(func(in *category.SubInput) { in.Code = "SR0123456789X" }), "category.code_invalid"},
		{"code taken", with(func(in *category.SubInput) { in.Code = "SR01" }), "category.code_taken"},
		{"name missing", with(func(in *category.SubInput) { in.Name = "  " }), "category.name_invalid"},
		{"name too long", with(func(in *category.SubInput) { in.Name = strings.Repeat("长", 51) }), "category.name_invalid"},
		{"kind unknown", with(func(in *category.SubInput) { in.Kind = "incident" }), "category.kind_invalid"},
		{"zero hours", with(func(in *category.SubInput) { in.Limit.Amount = 0 }), "category.limit_hours_range"},
		{"1000 hours", with(func(in *category.SubInput) { in.Limit.Amount = 1000 }), "category.limit_hours_range"},
		{"999 hours", with(func(in *category.SubInput) { in.Code, in.Limit.Amount = "SR97", 999 }), ""},
		{"366 days", with(func(in *category.SubInput) { in.Limit = category.Limit{Amount: 366, Unit: calendar.UnitDay} }), "category.limit_days_range"},
		{"365 days", with(func(in *category.SubInput) {
			in.Code, in.Limit = "SR96", category.Limit{Amount: 365, Unit: calendar.UnitDay}
		}), ""},
		{"unit unknown", with(func(in *category.SubInput) { in.Limit.Unit = "week" }), "category.limit_unit_invalid"},
		{"owner unknown line", with(func(in *category.SubInput) { in.Owner = "line:police" }), "category.owner_invalid"},
		{"owner garbage", with(func(in *category.SubInput) { in.Owner = "street" }), "category.owner_invalid"},
		{"component without owner", with(func(in *category.SubInput) { in.Owner = "" }), "category.owner_line_required"},
		{"event without owner is territorial", with(func(in *category.SubInput) {
			in.Code, in.Kind, in.Owner = "SR95", category.KindEvent, ""
		}), ""},
		{"unknown top", with(func(in *category.SubInput) { in.TopID = 99999 }), "category.top_unknown"},
		{"negative position", with(func(in *category.SubInput) { in.Position = -1 }), "category.position_invalid"},
		{"condition too long", with(func(in *category.SubInput) { in.FilingCondition = strings.Repeat("条", 1001) }), "category.condition_too_long"},
	}
	for _, tc := range tests {
		sub, err := s.CreateSub(ctx, office, tc.in)
		if tc.code == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			} else if sub.Code != strings.ToUpper(strings.TrimSpace(tc.in.Code)) {
				t.Errorf("%s: stored code %q", tc.name, sub.Code)
			}
			continue
		}
		if got := apperr.As(err).Code; got != tc.code {
			t.Errorf("%s: error %v, want %s", tc.name, err, tc.code)
		}
	}
	if sub, err := s.ByCode(ctx, "SR95"); err != nil || sub.Owner != category.Territorial {
		t.Errorf("event without owner: %+v, %v", sub, err)
	}

	// Update: the same checks, and the code is fixed.
	sr01, err := s.ByCode(ctx, "SR01")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    func(*category.SubInput)
		code string
	}{
		{"change code", func(in *category.SubInput) { in.Code = "SR90" }, "category.code_immutable"},
		{"bad limit", func(in *category.SubInput) { in.Limit.Amount = 0 }, "category.limit_hours_range"},
		{"bad owner", func(in *category.SubInput) { in.Owner = "line:nobody" }, "category.owner_invalid"},
		{"unknown top", func(in *category.SubInput) { in.TopID = 99999 }, "category.top_unknown"},
		{"omitted code keeps it", func(in *category.SubInput) { in.Code, in.Name = "", "暴露垃圾（含积存垃圾）" }, ""},
	} {
		in := inputOf(sr01)
		tc.f(&in)
		_, err := s.UpdateSub(ctx, office, sr01.ID, in)
		if got := apperr.As(err).Code; (tc.code == "" && err != nil) || (tc.code != "" && got != tc.code) {
			t.Errorf("update %s: %v, want %q", tc.name, err, tc.code)
		}
	}
	if got, _ := s.Get(ctx, sr01.ID); got.Name != "暴露垃圾（含积存垃圾）" || got.Code != "SR01" {
		t.Errorf("after update: %s %s", got.Code, got.Name)
	}
	if _, err := s.UpdateSub(ctx, office, 99999, inputOf(sr01)); apperr.As(err).Kind != apperr.KindNotFound {
		t.Errorf("update missing sub: %v", err)
	}

	// Tops.
	for _, tc := range []struct {
		in   category.TopInput
		code string
	}{
		{category.TopInput{Code: "SR", Name: "重复"}, "category.code_taken"},
		{category.TopInput{Code: "环境", Name: "中文编码"}, "category.code_invalid"},
		{category.TopInput{Code: "ZZ", Name: ""}, "category.name_invalid"},
		{category.TopInput{Code: "ZZ", Name: "其他", Position: -2}, "category.position_invalid"},
		{category.TopInput{Code: "zz", Name: "其他"}, ""},
	} {
		_, err := s.CreateTop(ctx, office, tc.in)
		if got := apperr.As(err).Code; (tc.code == "" && err != nil) || (tc.code != "" && got != tc.code) {
			t.Errorf("CreateTop(%+v): %v, want %q", tc.in, err, tc.code)
		}
	}
	top, err := s.UpdateTop(ctx, admin, topID, category.TopInput{Name: "市容环境卫生"})
	if err != nil || top.Name != "市容环境卫生" || top.Code != "SR" || top.Position != 1 {
		t.Errorf("UpdateTop = %+v, %v", top, err)
	}
	if _, err := s.UpdateTop(ctx, admin, topID, category.TopInput{Code: "XX", Name: "x"}); apperr.As(err).Code != "category.code_immutable" {
		t.Errorf("UpdateTop changing code: %v", err)
	}
	if _, err := s.Get(ctx, 99999); apperr.As(err).Code != "category.not_found" {
		t.Errorf("Get(missing): %v", err)
	}
	if _, err := s.ByCode(ctx, "NOPE01"); apperr.As(err).Code != "category.not_found" {
		t.Errorf("ByCode(missing): %v", err)
	}
	if _, err := s.GetTop(ctx, 99999); apperr.As(err).Code != "category.top_not_found" {
		t.Errorf("GetTop(missing): %v", err)
	}
	if err := s.SetActive(ctx, office, 99999, false); apperr.As(err).Code != "category.not_found" {
		t.Errorf("SetActive(missing): %v", err)
	}
}

func TestScope(t *testing.T) {
	ctx := context.Background()
	s, _ := seeded(t)
	sr01, err := s.ByCode(ctx, "SR01")
	if err != nil {
		t.Fatal(err)
	}
	newSub := func(code string) category.SubInput {
		in := inputOf(sr01)
		in.Code, in.Position = code, 0
		return in
	}
	ops := map[string]func(access.Actor) error{
		"CreateTop": func(a access.Actor) error {
			_, err := s.CreateTop(ctx, a, category.TopInput{Code: fmt.Sprintf("T%d", a.UserID), Name: "新大类"})
			return err
		},
		"UpdateTop": func(a access.Actor) error {
			_, err := s.UpdateTop(ctx, a, sr01.TopID, category.TopInput{Name: "市容环境"})
			return err
		},
		"SetTopActive": func(a access.Actor) error { return s.SetTopActive(ctx, a, sr01.TopID, true) },
		"CreateSub": func(a access.Actor) error {
			_, err := s.CreateSub(ctx, a, newSub(fmt.Sprintf("SR8%d", a.UserID%10)))
			return err
		},
		"UpdateSub": func(a access.Actor) error {
			_, err := s.UpdateSub(ctx, a, sr01.ID, inputOf(sr01))
			return err
		},
		"SetActive": func(a access.Actor) error { return s.SetActive(ctx, a, sr01.ID, true) },
	}
	for name, op := range ops {
		for _, a := range []access.Actor{handler, leader, {}} {
			if err := op(a); apperr.As(err).Kind != apperr.KindForbidden || apperr.As(err).Code != "category.forbidden" {
				t.Errorf("%s by %v: %v, want category.forbidden", name, a.Roles, err)
			}
		}
		for _, a := range []access.Actor{office, admin} {
			if err := op(a); err != nil {
				t.Errorf("%s by %v: %v", name, a.Roles, err)
			}
		}
	}
	// Nothing the refused calls tried was written.
	if _, err := s.ByCode(ctx, "SR89"); apperr.As(err).Kind != apperr.KindNotFound {
		t.Errorf("a handler's sub was created: %v", err)
	}
}

func TestMessagesExist(t *testing.T) {
	cat := i18n.MustLoad("zh-CN")
	keys := []string{category.Territorial.Key(), category.LineOwner("water").Key()}
	for _, k := range category.Kinds() {
		keys = append(keys, k.Key())
	}
	for _, u := range calendar.Units() {
		keys = append(keys, u.Key())
	}
	for _, line := range org.Lines() {
		keys = append(keys, org.LineKey(line))
	}
	for _, k := range keys {
		if !cat.Has(k) {
			t.Errorf("zh-CN lacks %q", k)
		}
	}
}

// TestEnsureDefaultsConcurrent: servers starting together seed once.
func TestEnsureDefaultsConcurrent(t *testing.T) {
	ctx := context.Background()
	s := category.New(dbtest.Open(t))
	type result struct {
		n   int
		err error
	}
	out := make(chan result, 4)
	for range 4 {
		go func() {
			n, err := s.EnsureDefaults(ctx)
			out <- result{n, err}
		}()
	}
	total := 0
	for range 4 {
		r := <-out
		if r.err != nil {
			t.Fatal(r.err)
		}
		total += r.n
	}
	defs, _ := category.Defaults()
	if want := len(codesOf(defs)); total != want {
		t.Errorf("concurrent seeding created %d rows, want %d", total, want)
	}
	tree, err := s.Tree(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(codesOf(tree), codesOf(defs)) {
		t.Errorf("tree after concurrent seeding %v", codesOf(tree))
	}
}

// TestConfigurationView: the whole catalogue and the entries to edit are
// for those who may view the configuration; only the office and
// administrators get an entry to edit.
func TestConfigurationView(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := seeded(t)
	sr01, err := s.ByCode(ctx, "SR01")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		actor     access.Actor
		viewCode  string // "" when the catalogue is shown
		editCode  string // "" when the entries to edit are returned
		mayChange bool
	}{
		{"office", office, "", "", true},
		{"admin", admin, "", "", true},
		{"leader", leader, "", "category.forbidden", false},
		{"handler", handler, "cfg.forbidden", "cfg.forbidden", false},
		{"anonymous", access.Actor{}, "cfg.forbidden", "cfg.forbidden", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tree, err := s.Catalogue(ctx, tc.actor)
			if got := apperr.As(err).Code; err != nil && got != tc.viewCode || err == nil && tc.viewCode != "" {
				t.Errorf("Catalogue: %v, want %q", err, tc.viewCode)
			}
			if err == nil && len(tree) == 0 {
				t.Error("Catalogue is empty")
			}
			sub, err := s.EditSub(ctx, tc.actor, sr01.ID)
			if got := apperr.As(err).Code; err != nil && got != tc.editCode || err == nil && tc.editCode != "" {
				t.Errorf("EditSub: %v, want %q", err, tc.editCode)
			}
			if err == nil && sub.Code != "SR01" {
				t.Errorf("EditSub = %+v", sub)
			}
			top, err := s.EditTop(ctx, tc.actor, sr01.TopID)
			if got := apperr.As(err).Code; err != nil && got != tc.editCode || err == nil && tc.editCode != "" {
				t.Errorf("EditTop: %v, want %q", err, tc.editCode)
			}
			if err == nil && top.ID != sr01.TopID {
				t.Errorf("EditTop = %+v", top)
			}
			if _, err := s.EditTop(ctx, tc.actor, 0); (err == nil) != (tc.editCode == "") {
				t.Errorf("EditTop(0): %v", err)
			}
			if category.CanEdit(tc.actor) != tc.mayChange {
				t.Errorf("CanEdit = %v", !tc.mayChange)
			}
		})
	}
}

// TestKeptForTheRequestsGeneration: within a request that has read the
// organisation's generation, a sub-category is read once and kept; a
// change through any server's store counts the generation up, so the next
// request reads the change; outside a request nothing is kept.
func TestKeptForTheRequestsGeneration(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	s, other := category.New(d), category.New(d) // two servers
	orgs := org.New(d)
	request := func() context.Context { return servertest.RequestContext(t, orgs) }
	top, err := s.CreateTop(ctx, office, category.TopInput{Code: "KK", Name: "缓存"})
	if err != nil {
		t.Fatal(err)
	}
	in := category.SubInput{TopID: top.ID, Code: "KK01", Name: "乱堆乱放", Kind: category.KindEvent,
		Limit: category.Limit{Amount: 1, Unit: calendar.UnitDay}}
	sub, err := s.CreateSub(ctx, office, in)
	if err != nil {
		t.Fatal(err)
	}
	limit := func(rctx context.Context, s *category.Store) int {
		t.Helper()
		got, err := s.Get(rctx, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Limit.Amount
	}
	first := request()
	if got := limit(first, s); got != 1 {
		t.Fatalf("limit %d, want 1", got)
	}
	// Written behind the stores' backs: the kept row is read, a request's
	// generation has not changed; a read outside a request sees the table.
	if _, err := d.Exec(ctx, "UPDATE category SET limit_amount = 9 WHERE id = ?", sub.ID); err != nil {
		t.Fatal(err)
	}
	if got := limit(request(), s); got != 1 {
		t.Errorf("limit %d read again within one generation, want the kept 1", got)
	}
	if got := limit(ctx, s); got != 9 {
		t.Errorf("limit %d outside a request, want the table's 9", got)
	}
	// A change on the other server: the next request on this one reads it.
	in.Limit.Amount = 3
	if _, err := other.UpdateSub(request(), office, sub.ID, in); err != nil {
		t.Fatal(err)
	}
	if got := limit(request(), s); got != 3 {
		t.Errorf("limit %d after the other server's change, want 3", got)
	}
	// The change's own reply is the table's, not what its request kept.
	rctx := request()
	limit(rctx, s)
	in.Limit.Amount = 5
	updated, err := s.UpdateSub(rctx, office, sub.ID, in)
	if err != nil || updated.Limit.Amount != 5 {
		t.Fatalf("update answered limit %d, %v; want 5", updated.Limit.Amount, err)
	}
	if err := other.SetActive(request(), office, sub.ID, false); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(request(), sub.ID)
	if err != nil || got.Active {
		t.Errorf("after the other server deactivated it: active %v, %v", got.Active, err)
	}
}
