package dashboard

import (
	"sort"

	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
)

// Groups lists the unit groups in display order: units are ranked against
// the others of their group only. They are the bulletins' groups.
func Groups() []string { return []string{"department", "street", "community", "other"} }

// groupOf is a unit's group: departments; territorial units by the level
// of their jurisdiction, streets (9-digit codes, 街道/乡镇) and
// communities (12 digits, 社区/村); everything else (sponsors, property
// companies, offices …) as other.
func groupOf(kind, region string) string {
	switch {
	case kind == string(org.KindDepartment):
		return "department"
	case kind == string(org.KindTerritorial) && len(region) == 9:
		return "street"
	case kind == string(org.KindTerritorial) && len(region) == 12:
		return "community"
	}
	return "other"
}

// rank groups the units and ranks each group by closure rate, then on-time
// rate (DESIGN.md's definitions, over filed − parked); units with fewer
// than MinSample cases come last, unranked. Equal rates share a rank
// (1, 2, 2, 4).
func rank(rows []UnitRow) []RankGroup {
	by := map[string][]UnitRow{}
	for _, u := range rows {
		k := problem.KPI{Filed: u.Filed, Closed: u.Closed, ClosedOnTime: u.ClosedOnTime, Parked: u.Parked}
		u.ClosureRate, u.OnTimeRate = k.ClosureRate(), k.OnTimeRate()
		by[u.group] = append(by[u.group], u)
	}
	out := []RankGroup{}
	for _, key := range Groups() {
		units := by[key]
		if len(units) == 0 {
			continue
		}
		eligible := func(u UnitRow) bool { return u.Filed-u.Parked >= MinSample }
		sort.SliceStable(units, func(i, j int) bool {
			a, b := units[i], units[j]
			if ea, eb := eligible(a), eligible(b); ea != eb {
				return ea
			}
			if a.ClosureRate != b.ClosureRate {
				return a.ClosureRate > b.ClosureRate
			}
			if a.OnTimeRate != b.OnTimeRate {
				return a.OnTimeRate > b.OnTimeRate
			}
			if a.Filed != b.Filed {
				return a.Filed > b.Filed
			}
			return a.Name < b.Name
		})
		for i := range units {
			if !eligible(units[i]) {
				break
			}
			units[i].Rank = i + 1
			if i > 0 && units[i].ClosureRate == units[i-1].ClosureRate && units[i].OnTimeRate == units[i-1].OnTimeRate {
				units[i].Rank = units[i-1].Rank
			}
		}
		out = append(out, RankGroup{Key: key, Units: units})
	}
	return out
}
