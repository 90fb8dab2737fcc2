package org_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/org"
)

// TestActorsAreKeptUntilTheOrganisationChanges: Actor answers from memory
// while nothing changed, and every change through the store (roles,
// disabling, a password reset, a unit), made on this server or another,
// shows at the next request.
func TestActorsAreKeptUntilTheOrganisationChanges(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sys := access.System()
	other := org.New(f.store.DB) // a second server of the installation
	u, _, err := f.store.CreateUser(ctx, sys, org.UserInput{Username: "lisi", DisplayName: "李", UnitID: f.shequ.ID,
		Roles: []access.Role{access.RoleHandler}})
	if err != nil {
		t.Fatal(err)
	}
	load := func(t *testing.T, s *org.Store) (access.Actor, bool, error) {
		t.Helper()
		return s.Actor(ctx, u.ID)
	}
	a, mustChange, err := load(t, f.store)
	if err != nil || !slices.Equal(a.Roles, []access.Role{access.RoleHandler}) || !mustChange {
		t.Fatalf("first load: %+v %v %v", a, mustChange, err)
	}
	if _, _, err := load(t, other); err != nil {
		t.Fatal(err)
	}

	// A row changed around the store is not seen: the actor is kept.
	if _, err := f.store.DB.Exec(ctx, "UPDATE app_user SET display_name = '改', unit_id = ? WHERE id = ?", f.street.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if kept, _, _ := load(t, f.store); kept.UnitID != f.shequ.ID {
		t.Fatalf("the actor was read again (unit %d): nothing is kept", kept.UnitID)
	}
	if _, err := f.store.DB.Exec(ctx, "UPDATE app_user SET unit_id = ? WHERE id = ?", f.shequ.ID, u.ID); err != nil {
		t.Fatal(err)
	}

	// A new role through the other server: both see it at once.
	in := org.UserInput{Username: "lisi", DisplayName: "李", UnitID: f.shequ.ID, Roles: []access.Role{access.RoleHandler, access.RoleInspector}}
	if _, err := other.UpdateUser(ctx, sys, u.ID, in); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*org.Store{f.store, other} {
		if a, _, err := load(t, s); err != nil || !a.Has(access.RoleInspector) {
			t.Fatalf("after the role change: %+v %v", a.Roles, err)
		}
	}
	// Disabled: refused at once.
	in.Disabled = true
	if _, err := f.store.UpdateUser(ctx, sys, u.ID, in); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*org.Store{f.store, other} {
		if _, _, err := load(t, s); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("a disabled user still loads: %v", err)
		}
	}
	in.Disabled = false
	if _, err := f.store.UpdateUser(ctx, sys, u.ID, in); err != nil {
		t.Fatal(err)
	}
	// A password changed from the command line clears "must change".
	if err := other.SetPasswordByName(ctx, "lisi", "Zhanhe-2026-good", false); err != nil {
		t.Fatal(err)
	}
	if _, mustChange, err := load(t, f.store); err != nil || mustChange {
		t.Fatalf("after the new password: must change %v, %v", mustChange, err)
	}
	// A unit's new parent changes the unit path of its people.
	if _, err := other.UpdateUnit(ctx, sys, f.shequ.ID, org.UnitInput{Code: f.shequ.Code, Name: f.shequ.Name, Kind: f.shequ.Kind,
		RegionCode: f.shequ.RegionCode, ParentID: f.zhanhe.ID}); err != nil {
		t.Fatal(err)
	}
	if a, _, err := load(t, f.store); err != nil || !slices.Contains(a.UnitPath, f.zhanhe.ID) || slices.Contains(a.UnitPath, f.street.ID) {
		t.Fatalf("unit path after the move: %v %v", a.UnitPath, err)
	}
}
