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

func TestSupervises(t *testing.T) {
	t.Parallel()
	street := Actor{UserID: 3, UnitID: 20, SubUnits: []int64{21, 22, 221}, Roles: []Role{RoleHandler}}
	tests := []struct {
		name  string
		actor Actor
		unit  int64
		want  bool
	}{
		{"a community below", street, 21, true},
		{"a grid two levels below", street, 221, true},
		{"its own unit is not below it", street, 20, false},
		{"a unit elsewhere", street, 30, false},
		{"no unit", street, 0, false},
		{"an actor without a unit", Actor{UserID: 4, SubUnits: []int64{21}}, 21, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.actor.Supervises(tc.unit); got != tc.want {
				t.Errorf("Supervises(%d) = %v, want %v", tc.unit, got, tc.want)
			}
		})
	}
}
