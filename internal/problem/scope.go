package problem

import (
	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
)

// Under 属地管理 a unit supervises the units below it: a street office its
// communities. The handlers of a unit see the cases dispatched to it and
// to the units below it, and a leader of the unit reads the same; both act
// only on the cases of their own unit (sidesOf), so a supervised case is
// read-only to them.

// unitReader reports whether the actor sees cases by its unit: handlers
// and leaders who belong to one.
func unitReader(a access.Actor) bool {
	return a.UnitID != 0 && a.HasAny(access.RoleHandler, access.RoleLeader)
}

// seesUnit reports whether the actor sees every case dispatched to unitID
// by its unit: its own unit, or one below it.
func seesUnit(a access.Actor, unitID int64) bool {
	return unitID != 0 && unitReader(a) && (unitID == a.UnitID || a.Supervises(unitID))
}

// unitTree lists the units whose cases the actor sees by its unit (its own
// first), or nil.
func unitTree(a access.Actor) []int64 {
	if !unitReader(a) {
		return nil
	}
	return append([]int64{a.UnitID}, a.SubUnits...)
}

// Supervised reports whether a handler sees the case because it is
// dispatched to a unit below the handler's: the case page says why it
// offers no unit action. (Leaders act on no case, so they need no note.)
func Supervised(a access.Actor, c *Case) bool {
	return a.Has(access.RoleHandler) && unitReader(a) && a.Supervises(c.UnitID)
}

// SupervisesUnits reports whether the actor reads the cases of units below
// its own (the handlers and leaders of a street office, of any unit with
// units below it): pages offer it Filter.Below.
func SupervisesUnits(a access.Actor) bool { return unitReader(a) && len(a.SubUnits) > 0 }

// unitInSQL is the condition that col is one of ids ("1 = 0" for none); a
// single unit keeps the plain equality.
func unitInSQL(col string, ids []int64) (string, []any) {
	switch len(ids) {
	case 0:
		return "1 = 0", nil
	case 1:
		return col + " = ?", []any{ids[0]}
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return col + " IN (" + db.Placeholders(len(ids)) + ")", args
}
