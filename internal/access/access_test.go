package access

import "testing"

func TestScope(t *testing.T) {
	office := Actor{UserID: 1, UnitID: 10, Region: "410411", Roles: []Role{RoleOffice}}
	leader := Actor{UserID: 2, UnitID: 10, Region: "410411", Roles: []Role{RoleLeader}}
	handler := Actor{UserID: 3, UnitID: 20, Region: "410411001", Roles: []Role{RoleHandler}}
	admin := Actor{UserID: 4, Roles: []Role{RoleAdmin}}
	tests := []struct {
		name     string
		actor    Actor
		code     string
		manages  bool
		oversees bool
	}{
		{"office in own district", office, "410411001001", true, true},
		{"office at its root", office, "410411", true, true},
		{"office in a neighbour district", office, "410402001", false, false},
		{"office above its root", office, "4104", false, false},
		{"leader reads but does not manage", leader, "410411001", false, true},
		{"handler neither", handler, "410411001001", false, false},
		{"admin anywhere", admin, "11", true, true},
		{"anonymous nowhere", Actor{}, "410411", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.actor.Manages(tc.code); got != tc.manages {
				t.Errorf("Manages(%s) = %v, want %v", tc.code, got, tc.manages)
			}
			if got := tc.actor.Oversees(tc.code); got != tc.oversees {
				t.Errorf("Oversees(%s) = %v, want %v", tc.code, got, tc.oversees)
			}
		})
	}
	if !handler.InUnitTree([]int64{21, 20, 10}) || handler.InUnitTree([]int64{10}) {
		t.Error("InUnitTree wrong")
	}
	if Role("root").Valid() || !RoleCitizen.Valid() {
		t.Error("Role.Valid wrong")
	}
}
