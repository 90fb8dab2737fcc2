// Package problem is the ledger of problems (问题台账): their life cycle
// from report to closure, the append-only timeline of each case, scope
// checks for every move, deadlines in working time, escalation and the
// notifications that go with them.
package problem

import (
	"slices"

	"github.com/wenming-civic/wenming/internal/access"
)

// State is where a case stands, stored as a stable English word.
type State string

// The states of the life cycle (DESIGN.md section 3).
const (
	Reported   State = "reported"
	Filed      State = "filed"
	Rejected   State = "rejected"
	Duplicate  State = "duplicate"
	Dispatched State = "dispatched"
	InProgress State = "in_progress"
	Parked     State = "parked"
	Rectified  State = "rectified"
	Closed     State = "closed"
)

// States lists every state in life-cycle order.
func States() []State {
	return []State{Reported, Filed, Rejected, Duplicate, Dispatched, InProgress, Parked, Rectified, Closed}
}

// Key is the catalogue key of the state's name.
func (s State) Key() string { return "problem.state." + string(s) }

// Open reports whether the case still needs work (overdue can apply).
func (s State) Open() bool {
	return s == Filed || s == Dispatched || s == InProgress
}

// Action is a move on a case, stored in the timeline.
type Action string

// The actions. Report and Escalate are recorded but are not moves a person
// chooses from the case page.
const (
	ActReport           Action = "report"
	ActFile             Action = "file"
	ActReject           Action = "reject"
	ActMerge            Action = "merge"
	ActDispatch         Action = "dispatch"
	ActAccept           Action = "accept"
	ActReturn           Action = "return"
	ActRequestExtension Action = "request_extension"
	ActApproveExtension Action = "approve_extension"
	ActRefuseExtension  Action = "refuse_extension"
	ActPark             Action = "park"
	ActResume           Action = "resume"
	ActRectify          Action = "rectify"
	ActFixOnSpot        Action = "fix_on_spot"
	ActVerifyPass       Action = "verify_pass"
	ActVerifyFail       Action = "verify_fail"
	ActReopen           Action = "reopen"
	ActEscalate         Action = "escalate"
	ActComment          Action = "comment"
	ActImport           Action = "import"
)

// Key is the catalogue key of the action's name.
func (a Action) Key() string { return "problem.action." + string(a) }

// Side says which side of the case may take an action: the office that
// runs the ledger, the unit the case is dispatched to, or an inspector.
type Side int

// The sides.
const (
	SideOffice Side = iota
	SideUnit
	SideInspector
)

// move is one allowed transition.
type move struct {
	from  []State
	to    State // "" means the state does not change
	sides []Side
}

// moves is the life cycle as data: which action leads from which states to
// which, and who may take it. Everything not listed is refused.
func moves() map[Action]move {
	return map[Action]move{
		ActFile:             {from: []State{Reported}, to: Filed, sides: []Side{SideOffice}},
		ActReject:           {from: []State{Reported}, to: Rejected, sides: []Side{SideOffice}},
		ActMerge:            {from: []State{Reported, Filed}, to: Duplicate, sides: []Side{SideOffice}},
		ActDispatch:         {from: []State{Filed}, to: Dispatched, sides: []Side{SideOffice}},
		ActAccept:           {from: []State{Dispatched}, to: InProgress, sides: []Side{SideUnit}},
		ActReturn:           {from: []State{Dispatched, InProgress}, to: Filed, sides: []Side{SideUnit}},
		ActRequestExtension: {from: []State{InProgress}, sides: []Side{SideUnit}},
		ActApproveExtension: {from: []State{InProgress}, sides: []Side{SideOffice}},
		ActRefuseExtension:  {from: []State{InProgress}, sides: []Side{SideOffice}},
		ActPark:             {from: []State{InProgress}, to: Parked, sides: []Side{SideUnit, SideOffice}},
		ActResume:           {from: []State{Parked}, to: InProgress, sides: []Side{SideUnit, SideOffice}},
		ActRectify:          {from: []State{InProgress, Parked}, to: Rectified, sides: []Side{SideUnit}},
		ActFixOnSpot:        {from: []State{Reported, Filed}, to: Rectified, sides: []Side{SideInspector}},
		ActVerifyPass:       {from: []State{Rectified}, to: Closed, sides: []Side{SideInspector, SideOffice}},
		ActVerifyFail:       {from: []State{Rectified}, to: InProgress, sides: []Side{SideInspector, SideOffice}},
		ActReopen:           {from: []State{Closed}, to: InProgress, sides: []Side{SideOffice}},
	}
}

// Allowed reports whether action may be taken on a case in state from, and
// the state it leads to.
func Allowed(action Action, from State) (State, bool) {
	m, ok := moves()[action]
	if !ok || !slices.Contains(m.from, from) {
		return "", false
	}
	if m.to == "" {
		return from, true
	}
	return m.to, true
}

// sidesOf tells on which sides the actor stands for a case: the office of a
// jurisdiction that holds the case's place (or an administrator), the
// handlers of the unit it is dispatched to, an inspector who may see it.
func sidesOf(a access.Actor, c *Case) []Side {
	var sides []Side
	if a.IsAdmin() || (a.Has(access.RoleOffice) && c.RegionCode != "" && a.Manages(c.RegionCode)) {
		sides = append(sides, SideOffice)
	}
	if a.Has(access.RoleHandler) && c.UnitID != 0 && a.UnitID == c.UnitID {
		sides = append(sides, SideUnit)
	}
	if a.Has(access.RoleInspector) && c.RegionCode != "" && a.Region != "" && access.InSubtree(c.RegionCode, a.Region) {
		sides = append(sides, SideInspector)
	}
	return sides
}

// mayTake reports whether the actor stands on a side allowed to take action.
func mayTake(a access.Actor, c *Case, action Action) bool {
	m, ok := moves()[action]
	if !ok {
		return false
	}
	for _, s := range sidesOf(a, c) {
		if slices.Contains(m.sides, s) {
			return true
		}
	}
	return false
}

// ActionOrder lists the moves out of a state in the order a case page
// shows them: the one that carries the case forward first (签收 before
// 退回, 提交整改 before 申请延期 and 挂账, 派遣 before 合并), the ones that
// turn it aside after, refusals last.
func ActionOrder(st State) []Action {
	return map[State][]Action{
		Reported:   {ActFile, ActFixOnSpot, ActMerge, ActReject},
		Filed:      {ActDispatch, ActFixOnSpot, ActMerge},
		Dispatched: {ActAccept, ActReturn},
		InProgress: {ActRectify, ActApproveExtension, ActRefuseExtension, ActRequestExtension, ActPark, ActReturn},
		Parked:     {ActRectify, ActResume},
		Rectified:  {ActVerifyPass, ActVerifyFail},
		Closed:     {ActReopen},
	}[st]
}

// Actions lists the moves the actor may take on the case now, for buttons,
// the main one first (ActionOrder).
func Actions(a access.Actor, c *Case) []Action {
	if c.Held {
		return nil
	}
	var out []Action
	for _, act := range ActionOrder(c.State) {
		if _, ok := Allowed(act, c.State); !ok || !mayTake(a, c, act) {
			continue
		}
		pending := !c.ExtRequestedDeadline.IsZero()
		switch act {
		case ActRequestExtension:
			if pending {
				continue
			}
		case ActApproveExtension, ActRefuseExtension:
			if !pending {
				continue
			}
		}
		out = append(out, act)
	}
	return out
}
