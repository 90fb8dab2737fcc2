// Package access describes who is acting (the Actor), the roles a user can
// hold, and the region scope those roles reach. Domain packages take an
// Actor and decide with these helpers; the HTTP layers only pass it on.
package access

import (
	"slices"
	"strings"
)

// Role is a stable identifier stored in the database.
type Role string

// The roles of the platform.
const (
	RoleAdmin     Role = "admin"     // system administrator: everything
	RoleOffice    Role = "office"    // 创文办: manages the campaign in its jurisdiction
	RoleLeader    Role = "leader"    // 领导: read-only overview of its jurisdiction
	RoleHandler   Role = "handler"   // 承办人: staff of a unit who handle cases
	RoleInspector Role = "inspector" // 督导员/测评员
	RoleVolunteer Role = "volunteer" // 志愿者
	RoleCitizen   Role = "citizen"   // 市民
)

// AllRoles lists the roles in display order.
func AllRoles() []Role {
	return []Role{RoleAdmin, RoleOffice, RoleLeader, RoleHandler, RoleInspector, RoleVolunteer, RoleCitizen}
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(AllRoles(), r) }

// Actor is the signed-in user (or API token holder) on whose behalf the
// domain acts.
type Actor struct {
	UserID   int64
	Username string
	UnitID   int64
	// UnitPath holds the unit and its ancestors' ids, the unit first.
	UnitPath []int64
	// SubUnits holds the ids of the units below the unit, at every depth
	// (a street office's communities and their grid stations), loaded
	// with the actor: under 属地管理 a unit supervises the units below it.
	SubUnits []int64
	// Region is the root code of the unit's jurisdiction ("" if none).
	Region string
	Roles  []Role
}

// SignedIn reports whether the actor is a user.
func (a Actor) SignedIn() bool { return a.UserID != 0 }

// Has reports whether the actor holds role r.
func (a Actor) Has(r Role) bool { return slices.Contains(a.Roles, r) }

// HasAny reports whether the actor holds any of the roles.
func (a Actor) HasAny(rs ...Role) bool {
	for _, r := range rs {
		if a.Has(r) {
			return true
		}
	}
	return false
}

// IsAdmin reports whether the actor is a system administrator.
func (a Actor) IsAdmin() bool { return a.Has(RoleAdmin) }

// Manages reports whether the actor may change organisation data (units,
// users, grids) in the region subtree rooted at code: administrators
// anywhere, the office inside its jurisdiction.
func (a Actor) Manages(code string) bool {
	if a.IsAdmin() {
		return true
	}
	return a.Has(RoleOffice) && a.Region != "" && InSubtree(code, a.Region)
}

// Oversees reports whether the actor may see the whole of the region subtree
// rooted at code: administrators anywhere, office and leaders inside their
// jurisdiction.
func (a Actor) Oversees(code string) bool {
	if a.IsAdmin() {
		return true
	}
	return a.HasAny(RoleOffice, RoleLeader) && a.Region != "" && InSubtree(code, a.Region)
}

// InUnitTree reports whether unitID is the actor's unit or below it, given
// the path of that unit (the unit first, then its ancestors).
func (a Actor) InUnitTree(unitPath []int64) bool {
	return a.UnitID != 0 && slices.Contains(unitPath, a.UnitID)
}

// Supervises reports whether unitID lies below the actor's unit (not the
// unit itself): a street office supervises its communities. What a
// supervisor may do there (read, never act) is the domain's to decide.
func (a Actor) Supervises(unitID int64) bool {
	return unitID != 0 && a.UnitID != 0 && unitID != a.UnitID && slices.Contains(a.SubUnits, unitID)
}

// InSubtree reports whether region code lies in the subtree rooted at root.
// National division codes begin with their parent's code, and grid codes
// with their community's, so a prefix test is exact.
func InSubtree(code, root string) bool {
	return root != "" && strings.HasPrefix(code, root)
}

// System is the actor of the command line: whoever runs the binary owns the
// database and acts as an administrator.
func System() Actor {
	return Actor{UserID: -1, Username: "system", Roles: []Role{RoleAdmin}}
}
