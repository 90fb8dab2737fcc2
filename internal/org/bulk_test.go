package org_test

import (
	"context"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
)

// TestSeedUnitsAndUsers seeds a small tree twice: the second run adds only
// what is new and keeps what is there, and every write is what the
// store's readers see.
func TestSeedUnitsAndUsers(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	d := f.store.DB
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	seed := func(code, name string, kind org.UnitKind, region, parent string) org.SeedUnit {
		return org.SeedUnit{UnitInput: org.UnitInput{Code: code, Name: name, Kind: kind, RegionCode: region,
			HeadName: "李四", HeadPhone: "13800000001"}, ParentCode: parent}
	}
	units := []org.SeedUnit{
		seed("city-office", "另一个名字", org.KindOffice, "4104", ""), // stored: left alone
		seed("gov", "湛河区人民政府", org.KindOther, "410411", ""),
		seed("cg", "湛河区城市管理局", org.KindDepartment, "410411", "gov"),
		seed("cg-team", "城管一中队", org.KindOther, "410411", "cg"),
		seed("sponsor", "包保单位", org.KindSponsor, "", "410411001"), // parent stored before
	}
	units[2].Line = "urban_management"
	ids, created, err := org.SeedUnits(ctx, d, units, now)
	if err != nil {
		t.Fatal(err)
	}
	if created != 4 || len(ids) != 6 || ids["city-office"] != f.city.ID || ids["410411001"] != f.street.ID {
		t.Fatalf("created %d, ids %v", created, ids)
	}
	sys := access.System()
	team, err := f.store.GetUnit(ctx, sys, ids["cg-team"])
	if err != nil {
		t.Fatal(err)
	}
	if team.ParentID != ids["cg"] || team.Name != "城管一中队" || team.RegionCode != "410411" || team.HeadPhone != "13800000001" ||
		!team.CreatedAt.Equal(now) {
		t.Errorf("seeded unit reads back as %+v", team)
	}
	cg, _ := f.store.GetUnit(ctx, sys, ids["cg"])
	sp, _ := f.store.GetUnit(ctx, sys, ids["sponsor"])
	if cg.Line != "urban_management" || cg.ParentID != ids["gov"] || sp.ParentID != f.street.ID || sp.RegionCode != "" {
		t.Errorf("department %+v, sponsor %+v", cg, sp)
	}
	if city, _ := f.store.GetUnit(ctx, sys, f.city.ID); city.Name != "平顶山市文明办" {
		t.Errorf("a stored unit was changed: %+v", city)
	}
	again, created, err := org.SeedUnits(ctx, d, append(units, seed("cg-team-2", "城管二中队", org.KindOther, "410411", "cg")), now)
	if err != nil || created != 1 || again["cg-team"] != ids["cg-team"] {
		t.Fatalf("second seed: created %d, %v, %v", created, again, err)
	}
	if n, err := org.CountUnits(ctx, d); err != nil || n != 5+5 {
		t.Errorf("%d units, %v", n, err)
	}
	if _, _, err := org.SeedUnits(ctx, d, []org.SeedUnit{seed("orphan", "无上级", org.KindOther, "", "nowhere")}, now); err == nil {
		t.Error("a unit with an unknown parent was seeded")
	}
	codes, err := org.UnitCodes(ctx, d, []int64{ids["gov"], ids["cg"], 0})
	if err != nil || len(codes) != 2 || codes[ids["gov"]] != "gov" || codes[ids["cg"]] != "cg" {
		t.Errorf("unit codes %v, %v", codes, err)
	}

	hash, err := password.Hash("seeded-secret-2026", f.store.Hasher)
	if err != nil {
		t.Fatal(err)
	}
	users := []org.SeedUser{
		{Username: "cg-h1", DisplayName: "城管承办", UnitID: ids["cg"], Roles: []access.Role{access.RoleHandler}, PasswordHash: hash},
		{Username: "cg-h2", DisplayName: "城管承办二", UnitID: ids["cg"], Roles: []access.Role{access.RoleHandler, access.RoleInspector}, PasswordHash: hash},
	}
	uids, err := org.SeedUsers(ctx, d, users, now)
	if err != nil {
		t.Fatal(err)
	}
	if first, ok, err := org.FirstUserWithRole(ctx, d, ids["cg"], access.RoleHandler); err != nil || !ok || first != uids["cg-h1"] {
		t.Errorf("first handler %d %v %v, want %d", first, ok, err, uids["cg-h1"])
	}
	if _, ok, err := org.FirstUserWithRole(ctx, d, ids["gov"], access.RoleHandler); err != nil || ok {
		t.Errorf("a unit without handlers has one: %v %v", ok, err)
	}
	a, mustChange, err := f.store.Actor(ctx, uids["cg-h2"])
	if err != nil || mustChange || a.UnitID != ids["cg"] || !a.Has(access.RoleHandler) || !a.Has(access.RoleInspector) {
		t.Errorf("seeded user acts as %+v (%v %v)", a, mustChange, err)
	}
	c, err := f.store.FindCredentials(ctx, "cg-h1")
	if err != nil || c.UserID != uids["cg-h1"] {
		t.Fatalf("credentials %+v %v", c, err)
	}
	if ok, _ := password.Verify("seeded-secret-2026", c.PasswordHash); !ok {
		t.Error("the seeded hash does not verify")
	}
	// Seeding again keeps the users and their roles as they are.
	users[0].Roles = []access.Role{access.RoleAdmin}
	again2, err := org.SeedUsers(ctx, d, users, now)
	if err != nil || again2["cg-h1"] != uids["cg-h1"] {
		t.Fatalf("second seed %v %v", again2, err)
	}
	if a, _, _ := f.store.Actor(ctx, uids["cg-h1"]); a.IsAdmin() {
		t.Error("seeding again changed a stored user's roles")
	}
	if _, err := org.SeedUsers(ctx, d, []org.SeedUser{{Username: "nohash", DisplayName: "x", UnitID: ids["cg"]}}, now); err == nil {
		t.Error("a user without a password hash was seeded")
	}
}
