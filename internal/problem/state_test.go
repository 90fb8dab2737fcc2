package problem

import (
	"slices"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
)

// TestLifeCycleTable checks every action from every state against the life
// cycle of DESIGN.md: the listed moves are allowed, all others refused.
func TestLifeCycleTable(t *testing.T) {
	want := map[Action]map[State]State{
		ActFile:             {Reported: Filed},
		ActReject:           {Reported: Rejected},
		ActMerge:            {Reported: Duplicate, Filed: Duplicate},
		ActDispatch:         {Filed: Dispatched},
		ActAccept:           {Dispatched: InProgress},
		ActReturn:           {Dispatched: Filed, InProgress: Filed},
		ActRequestExtension: {InProgress: InProgress},
		ActApproveExtension: {InProgress: InProgress},
		ActRefuseExtension:  {InProgress: InProgress},
		ActPark:             {InProgress: Parked},
		ActResume:           {Parked: InProgress},
		ActRectify:          {InProgress: Rectified, Parked: Rectified},
		ActFixOnSpot:        {Reported: Rectified, Filed: Rectified},
		ActVerifyPass:       {Rectified: Closed},
		ActVerifyFail:       {Rectified: InProgress},
		ActReopen:           {Closed: InProgress},
		ActEscalate:         {},
		ActReport:           {},
	}
	for action, allowed := range want {
		for _, from := range States() {
			to, ok := Allowed(action, from)
			wantTo, wantOK := allowed[from]
			if ok != wantOK || to != wantTo {
				t.Errorf("%s from %s: got (%q, %v), want (%q, %v)", action, from, to, ok, wantTo, wantOK)
			}
		}
	}
}

func TestSides(t *testing.T) {
	c := &Case{State: Dispatched, RegionCode: "410411001001", UnitID: 7}
	office := access.Actor{UserID: 1, UnitID: 1, Region: "410411", Roles: []access.Role{access.RoleOffice}}
	otherOffice := access.Actor{UserID: 2, UnitID: 2, Region: "410402", Roles: []access.Role{access.RoleOffice}}
	handler := access.Actor{UserID: 3, UnitID: 7, Region: "410411001001", Roles: []access.Role{access.RoleHandler}}
	otherHandler := access.Actor{UserID: 4, UnitID: 8, Region: "410411001002", Roles: []access.Role{access.RoleHandler}}
	inspector := access.Actor{UserID: 5, UnitID: 1, Region: "410411", Roles: []access.Role{access.RoleInspector}}
	leader := access.Actor{UserID: 6, UnitID: 1, Region: "410411", Roles: []access.Role{access.RoleLeader}}
	tests := []struct {
		name   string
		actor  access.Actor
		action Action
		state  State
		ok     bool
	}{
		{"handler accepts own case", handler, ActAccept, Dispatched, true},
		{"other unit cannot accept", otherHandler, ActAccept, Dispatched, false},
		{"office cannot accept for the unit", office, ActAccept, Dispatched, false},
		{"office dispatches", office, ActDispatch, Filed, true},
		{"office of another district cannot", otherOffice, ActDispatch, Filed, false},
		{"handler cannot verify", handler, ActVerifyPass, Rectified, false},
		{"inspector verifies", inspector, ActVerifyPass, Rectified, true},
		{"leader only reads", leader, ActVerifyPass, Rectified, false},
		{"inspector fixes on the spot", inspector, ActFixOnSpot, Reported, true},
		{"handler rectifies", handler, ActRectify, InProgress, true},
		{"office reopens", office, ActReopen, Closed, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c.State = tc.state
			if got := mayTake(tc.actor, c, tc.action); got != tc.ok {
				t.Errorf("mayTake = %v, want %v", got, tc.ok)
			}
		})
	}
	if CanSee(otherHandler, c) || !CanSee(handler, c) || !CanSee(leader, c) || CanSee(otherOffice, c) {
		t.Error("CanSee wrong")
	}
}

// TestActionOrder: every state lists exactly the moves the life cycle
// allows out of it (none forgotten, none impossible), and the case page's
// first button is the move that carries the case forward.
func TestActionOrder(t *testing.T) {
	t.Parallel()
	for _, st := range States() {
		listed := map[Action]bool{}
		for _, a := range ActionOrder(st) {
			if listed[a] {
				t.Errorf("%s lists %s twice", st, a)
			}
			listed[a] = true
			if _, ok := Allowed(a, st); !ok {
				t.Errorf("%s lists %s, which it does not allow", st, a)
			}
		}
		for a := range moves() {
			if _, ok := Allowed(a, st); ok && !listed[a] {
				t.Errorf("%s allows %s but does not list it", st, a)
			}
		}
	}
	office := access.Actor{UserID: 1, UnitID: 1, Region: "410411", Roles: []access.Role{access.RoleOffice}}
	handler := access.Actor{UserID: 3, UnitID: 7, Region: "410411001001", Roles: []access.Role{access.RoleHandler}}
	inspector := access.Actor{UserID: 5, UnitID: 1, Region: "410411", Roles: []access.Role{access.RoleInspector}}
	tests := []struct {
		name  string
		actor access.Actor
		state State
		want  []Action
	}{
		{"office files before merging or rejecting", office, Reported, []Action{ActFile, ActMerge, ActReject}},
		{"office dispatches before merging", office, Filed, []Action{ActDispatch, ActMerge}},
		{"handler accepts before returning", handler, Dispatched, []Action{ActAccept, ActReturn}},
		{"handler rectifies before extension, parking, return", handler, InProgress, []Action{ActRectify, ActRequestExtension, ActPark, ActReturn}},
		{"handler rectifies a parked case before resuming", handler, Parked, []Action{ActRectify, ActResume}},
		{"inspector passes before failing", inspector, Rectified, []Action{ActVerifyPass, ActVerifyFail}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &Case{State: tc.state, RegionCode: "410411001001", UnitID: 7}
			if got := Actions(tc.actor, c); !slices.Equal(got, tc.want) {
				t.Errorf("Actions = %v, want %v", got, tc.want)
			}
		})
	}
}
