package org_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
)

// fixture: two districts of 平顶山市, an office in each, a street and a
// community unit in the first.
type fixture struct {
	store                                *org.Store
	city, zhanhe, weidong, street, shequ org.Unit
}

func setup(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	for _, r := range []struct {
		code, name, parent string
		level              int
	}{
		{"41", "河南省", "", 1}, {"4104", "平顶山市", "41", 2}, {"410411", "湛河区", "4104", 3},
		{"410403", "卫东区", "4104", 3}, {"410411001", "马庄街道", "410411", 4}, {"410411001001", "电力社区居民委员会", "410411001", 5},
	} {
		var parent any
		if r.parent != "" {
			parent = r.parent
		}
		if _, err := d.Exec(ctx, "INSERT INTO region (code, name, level, parent_code, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)",
			r.code, r.name, r.level, parent); err != nil {
			t.Fatal(err)
		}
	}
	s := org.New(d)
	s.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	sys := access.System()
	mk := func(code, name string, kind org.UnitKind, region string, parent int64) org.Unit {
		u, err := s.CreateUnit(ctx, sys, org.UnitInput{Code: code, Name: name, Kind: kind, RegionCode: region, ParentID: parent,
			HeadName: "张三", HeadPhone: "13812341234"})
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		return u
	}
	f := fixture{store: s}
	f.city = mk("city-office", "平顶山市文明办", org.KindOffice, "4104", 0)
	f.zhanhe = mk("zhanhe-office", "湛河区文明办", org.KindOffice, "410411", f.city.ID)
	f.weidong = mk("weidong-office", "卫东区文明办", org.KindOffice, "410403", f.city.ID)
	f.street = mk("410411001", "马庄街道办事处", org.KindTerritorial, "410411001", 0)
	f.shequ = mk("410411001001", "电力社区居民委员会", org.KindTerritorial, "410411001001", f.street.ID)
	return f
}

func actor(t *testing.T, s *org.Store, u org.Unit, roles ...access.Role) access.Actor {
	t.Helper()
	path, err := s.UnitPath(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return access.Actor{UserID: 1000 + u.ID, UnitID: u.ID, UnitPath: path, Region: u.RegionCode, Roles: roles}
}

func names(units []org.Unit) map[string]bool {
	m := map[string]bool{}
	for _, u := range units {
		m[u.Name] = true
	}
	return m
}

func TestUnitVisibility(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		actor   access.Actor
		see     []string
		notSee  []string
		canEdit org.Unit
		cannot  org.Unit
	}{
		{"district office", actor(t, f.store, f.zhanhe, access.RoleOffice),
			[]string{"湛河区文明办", "马庄街道办事处", "电力社区居民委员会"}, []string{"卫东区文明办", "平顶山市文明办"}, f.street, f.weidong},
		{"city office", actor(t, f.store, f.city, access.RoleOffice),
			[]string{"平顶山市文明办", "湛河区文明办", "卫东区文明办", "电力社区居民委员会"}, nil, f.weidong, org.Unit{}},
		{"street handler", actor(t, f.store, f.street, access.RoleHandler),
			[]string{"马庄街道办事处", "电力社区居民委员会"}, []string{"湛河区文明办", "卫东区文明办"}, org.Unit{}, f.street},
		{"leader reads only", actor(t, f.store, f.zhanhe, access.RoleLeader),
			[]string{"湛河区文明办", "电力社区居民委员会"}, []string{"卫东区文明办"}, org.Unit{}, f.street},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			units, total, err := f.store.ListUnits(ctx, tc.actor, org.UnitFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			got := names(units)
			if total != len(units) {
				t.Errorf("total %d, listed %d", total, len(units))
			}
			for _, n := range tc.see {
				if !got[n] {
					t.Errorf("does not see %s", n)
				}
			}
			for _, n := range tc.notSee {
				if got[n] {
					t.Errorf("sees %s", n)
				}
				for _, u := range []org.Unit{f.weidong, f.city, f.zhanhe} {
					if u.Name == n {
						if _, err := f.store.GetUnit(ctx, tc.actor, u.ID); !errors.Is(err, apperr.ErrNotFound) {
							t.Errorf("GetUnit(%s) = %v, want not found", n, err)
						}
					}
				}
			}
			if tc.canEdit.ID != 0 {
				in := org.UnitInput{Code: tc.canEdit.Code, Name: tc.canEdit.Name, Kind: tc.canEdit.Kind, RegionCode: tc.canEdit.RegionCode, ParentID: tc.canEdit.ParentID, HeadName: "李四"}
				if _, err := f.store.UpdateUnit(ctx, tc.actor, tc.canEdit.ID, in); err != nil {
					t.Errorf("update %s: %v", tc.canEdit.Name, err)
				}
			}
			if tc.cannot.ID != 0 {
				in := org.UnitInput{Code: tc.cannot.Code, Name: "越权修改", Kind: tc.cannot.Kind, RegionCode: tc.cannot.RegionCode}
				_, err := f.store.UpdateUnit(ctx, tc.actor, tc.cannot.ID, in)
				if apperr.As(err).Kind != apperr.KindForbidden {
					t.Errorf("update %s: %v, want forbidden", tc.cannot.Name, err)
				}
			}
		})
	}
}

func TestUnitRules(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	office := actor(t, f.store, f.zhanhe, access.RoleOffice)
	// Moving a unit out of the office's jurisdiction is refused.
	_, err := f.store.UpdateUnit(ctx, office, f.street.ID, org.UnitInput{Code: f.street.Code, Name: f.street.Name, Kind: f.street.Kind, RegionCode: "410403"})
	if apperr.As(err).Kind != apperr.KindForbidden {
		t.Errorf("move out of jurisdiction: %v", err)
	}
	// A unit cannot become its own descendant's child.
	_, err = f.store.UpdateUnit(ctx, office, f.street.ID, org.UnitInput{Code: f.street.Code, Name: f.street.Name, Kind: f.street.Kind, RegionCode: f.street.RegionCode, ParentID: f.shequ.ID})
	if apperr.As(err).Code != "org.unit_parent_cycle" {
		t.Errorf("cycle: %v", err)
	}
	if org.MaskPhone("13812341234") != "138****1234" || org.MaskPhone("") != "" {
		t.Errorf("MaskPhone: %q", org.MaskPhone("13812341234"))
	}
}

func TestUserScopeAndRoles(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sys := access.System()
	office := actor(t, f.store, f.zhanhe, access.RoleOffice)
	other := actor(t, f.store, f.weidong, access.RoleOffice)

	u, generated, err := f.store.CreateUser(ctx, office, org.UserInput{Username: "zhao", DisplayName: "赵", UnitID: f.street.ID, Roles: []access.Role{access.RoleHandler}, Phone: "13900001111"})
	if err != nil || generated == "" || !u.MustChangePassword {
		t.Fatalf("create: %v %q %+v", err, generated, u)
	}
	if _, err := f.store.GetUser(ctx, other, u.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("other district sees the user: %v", err)
	}
	if _, _, err := f.store.CreateUser(ctx, other, org.UserInput{Username: "intruder", DisplayName: "甲", UnitID: f.street.ID, Roles: []access.Role{access.RoleHandler}}); apperr.As(err).Kind != apperr.KindForbidden {
		t.Errorf("other office creates in our street: %v", err)
	}
	if _, _, err := f.store.CreateUser(ctx, office, org.UserInput{Username: "zhao", DisplayName: "重名", UnitID: f.street.ID, Roles: []access.Role{access.RoleHandler}}); apperr.As(err).Code != "org.user_taken" {
		t.Errorf("duplicate user name: %v", err)
	}
	if _, _, err := f.store.CreateUser(ctx, office, org.UserInput{Username: "phone2", DisplayName: "同号", UnitID: f.street.ID, Roles: []access.Role{access.RoleHandler}, Phone: "13900001111"}); apperr.As(err).Code != "org.user_taken" {
		t.Errorf("duplicate phone: %v", err)
	}
	if _, _, err := f.store.CreateUser(ctx, office, org.UserInput{Username: "norole", DisplayName: "无角色", UnitID: f.street.ID}); apperr.As(err).Code != "org.roles_required" {
		t.Errorf("no role: %v", err)
	}
	if _, _, err := f.store.CreateUser(ctx, office, org.UserInput{Username: "weird", DisplayName: "怪", UnitID: f.street.ID, Roles: []access.Role{"root"}}); apperr.As(err).Code != "org.role_invalid" {
		t.Errorf("unknown role: %v", err)
	}
	// The handler sees only itself and its unit's colleagues.
	handler := access.Actor{UserID: u.ID, UnitID: f.street.ID, Region: f.street.RegionCode, Roles: []access.Role{access.RoleHandler}}
	admin, _, err := f.store.CreateUser(ctx, sys, org.UserInput{Username: "root1", DisplayName: "管理员", UnitID: f.city.ID, Roles: []access.Role{access.RoleAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	users, _, err := f.store.ListUsers(ctx, handler, org.UserFilter{})
	if err != nil || len(users) != 1 || users[0].Username != "zhao" {
		t.Errorf("handler's users: %+v %v", users, err)
	}
	// The city office cannot reset an administrator's password.
	city := actor(t, f.store, f.city, access.RoleOffice)
	if _, err := f.store.ResetPassword(ctx, city, admin.ID); apperr.As(err).Kind != apperr.KindForbidden {
		t.Errorf("reset admin: %v", err)
	}
	// An administrator cannot demote themselves.
	self := access.Actor{UserID: admin.ID, UnitID: f.city.ID, Roles: []access.Role{access.RoleAdmin}}
	if _, err := f.store.UpdateUser(ctx, self, admin.ID, org.UserInput{Username: "root1", DisplayName: "管理员", UnitID: f.city.ID, Roles: []access.Role{access.RoleOffice}}); apperr.As(err).Code != "org.cannot_demote_self" {
		t.Errorf("self-demotion: %v", err)
	}
	// Sign-in lookups by name and by phone.
	for _, login := range []string{"zhao", "13900001111"} {
		c, err := f.store.FindCredentials(ctx, login)
		if err != nil || c.UserID != u.ID {
			t.Errorf("FindCredentials(%s) = %+v, %v", login, c, err)
		}
		if ok, _ := password.Verify(generated, c.PasswordHash); !ok {
			t.Errorf("generated password does not verify")
		}
	}
	if _, err := f.store.FindCredentials(ctx, "nobody"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown login: %v", err)
	}
}

// TestEditForms: the store decides who gets a unit or user to edit, and
// who may open the form of a new one.
func TestEditForms(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	u, _, err := f.store.CreateUser(ctx, access.System(), org.UserInput{Username: "lixiaoming", DisplayName: "李", UnitID: f.shequ.ID,
		Roles: []access.Role{access.RoleHandler}})
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
		name               string
		actor              access.Actor
		newCode            string // EditUnit(0) and EditUser(0)
		unitCode, userCode string // the community unit and its user
	}{
		{"admin", access.System(), "", "", ""},
		{"district office", actor(t, f.store, f.zhanhe, access.RoleOffice), "", "", ""},
		{"other district's office", actor(t, f.store, f.weidong, access.RoleOffice), "", "org.unit_not_found", "org.user_not_found"},
		{"district leader", actor(t, f.store, f.zhanhe, access.RoleLeader), "error.forbidden", "org.unit_outside_scope", "org.user_outside_scope"},
		{"street handler", actor(t, f.store, f.street, access.RoleHandler), "error.forbidden", "org.unit_outside_scope", "org.user_not_found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.store.EditUnit(ctx, tc.actor, 0); code(err) != tc.newCode {
				t.Errorf("EditUnit(0): %v, want %q", err, tc.newCode)
			}
			if _, err := f.store.EditUser(ctx, tc.actor, 0); code(err) != tc.newCode {
				t.Errorf("EditUser(0): %v, want %q", err, tc.newCode)
			}
			if got, err := f.store.EditUnit(ctx, tc.actor, f.shequ.ID); code(err) != tc.unitCode || err == nil && got.ID != f.shequ.ID {
				t.Errorf("EditUnit: %+v %v, want %q", got, err, tc.unitCode)
			}
			if got, err := f.store.EditUser(ctx, tc.actor, u.ID); code(err) != tc.userCode || err == nil && got.ID != u.ID {
				t.Errorf("EditUser: %+v %v, want %q", got, err, tc.userCode)
			}
		})
	}
}

// TestVisibleUnitsAndPickFilters: a form's posted units come back in the
// order sent, repeats left out, only when the actor sees every one; the
// pickers' filters find a name or code exactly and limit the kinds.
func TestVisibleUnitsAndPickFilters(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	office := actor(t, f.store, f.zhanhe, access.RoleOffice)
	for _, tc := range []struct {
		name    string
		ids     []int64
		want    []string // nil with refused
		refused bool
	}{
		{"in order, repeats once", []int64{f.shequ.ID, f.street.ID, f.shequ.ID, 0}, []string{"电力社区居民委员会", "马庄街道办事处"}, false},
		{"none", nil, nil, false},
		{"another district's unit", []int64{f.street.ID, f.weidong.ID}, nil, true},
		{"the city's office above", []int64{f.city.ID}, nil, true},
		{"a unit that does not exist", []int64{f.street.ID, 999999}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			units, err := f.store.VisibleUnits(ctx, office, tc.ids)
			if tc.refused {
				if !errors.Is(err, apperr.ErrNotFound) || units != nil {
					t.Fatalf("got %v %v, want not found", units, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range units {
				got = append(got, u.Name)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("got %q, want %q", got, tc.want)
				}
			}
		})
	}
	// A form showing units chosen earlier shows those still seen.
	seen, err := f.store.SeenUnits(ctx, office, []int64{f.weidong.ID, f.street.ID, 999999, f.shequ.ID, f.street.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0].ID != f.street.ID || seen[1].ID != f.shequ.ID {
		t.Errorf("SeenUnits: %+v, want the street then the community", seen)
	}
	for _, tc := range []struct {
		name string
		f    org.UnitFilter
		want int
	}{
		{"exact name", org.UnitFilter{Exact: "马庄街道办事处"}, 1},
		{"exact code", org.UnitFilter{Exact: "410411001001"}, 1},
		{"a part is not exact", org.UnitFilter{Exact: "马庄街道"}, 0},
		{"exact, outside the actor's area", org.UnitFilter{Exact: "卫东区文明办"}, 0},
		{"kinds", org.UnitFilter{Query: "文明办", Kinds: []org.UnitKind{org.KindOffice, org.KindDepartment}}, 1},
		{"kinds leave out the others", org.UnitFilter{Query: "马庄", Kinds: []org.UnitKind{org.KindOffice}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, total, err := f.store.ListUnits(ctx, office, tc.f); err != nil || total != tc.want {
				t.Errorf("%d units, %v; want %d", total, err, tc.want)
			}
		})
	}
}
