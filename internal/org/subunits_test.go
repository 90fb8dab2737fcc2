package org_test

import (
	"context"
	"slices"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
)

// TestSubUnits: the units below a unit at every depth, and the actor of a
// user carries those of its unit.
func TestSubUnits(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	sys := access.System()
	grid, err := f.store.CreateUnit(ctx, sys, org.UnitInput{Code: "grid-1", Name: "电力社区第1网格工作站", Kind: org.KindOther,
		RegionCode: "410411001001", ParentID: f.shequ.ID})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		unit org.Unit
		want []int64
	}{
		{"street: its community and the community's grid", f.street, []int64{f.shequ.ID, grid.ID}},
		{"community: its grid", f.shequ, []int64{grid.ID}},
		{"grid: none", grid, nil},
		{"city office: the district offices", f.city, []int64{f.zhanhe.ID, f.weidong.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.store.SubUnits(ctx, tc.unit.ID)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			slices.Sort(tc.want)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("SubUnits(%s) = %v, want %v", tc.unit.Name, got, tc.want)
			}
		})
	}
	u, _, err := f.store.CreateUser(ctx, sys, org.UserInput{Username: "jiedao", DisplayName: "街道承办", UnitID: f.street.ID,
		Roles: []access.Role{access.RoleHandler}, Password: "a-long-password-2026"})
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := f.store.Actor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Supervises(f.shequ.ID) || !a.Supervises(grid.ID) || a.Supervises(f.street.ID) || a.Supervises(f.zhanhe.ID) {
		t.Fatalf("street actor's sub-units %v", a.SubUnits)
	}
}
