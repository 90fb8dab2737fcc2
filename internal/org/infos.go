package org

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/region"
)

// UnitInfo is what other domains group and rank units by.
type UnitInfo struct {
	ID         int64
	Name       string
	Kind       UnitKind
	RegionCode string // "" for a unit without a jurisdiction
}

const unitInfoColumns = "SELECT id, name, kind, COALESCE(region_code, '') FROM unit WHERE "

func scanUnitInfo(r *sql.Rows) (UnitInfo, error) {
	var u UnitInfo
	return u, r.Scan(&u.ID, &u.Name, &u.Kind, &u.RegionCode)
}

// UnitInfos returns the units with the ids, in one query per 500 ids;
// unknown ids are left out.
func UnitInfos(ctx context.Context, c db.Conn, ids []int64) (map[int64]UnitInfo, error) {
	units, err := db.CollectIn(ctx, c, unitInfoColumns+"id IN ("+db.ListMarker+")", ids, scanUnitInfo)
	if err != nil {
		return nil, fmt.Errorf("unit infos: %w", err)
	}
	out := make(map[int64]UnitInfo, len(units))
	for _, u := range units {
		out[u.ID] = u
	}
	return out, nil
}

// UnitsInArea returns the units of the kinds whose jurisdiction lies in the
// subtree of root.
func UnitsInArea(ctx context.Context, c db.Conn, root string, kinds ...UnitKind) ([]UnitInfo, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	cond, args := region.SubtreeSQL("region_code", root)
	for _, k := range kinds {
		args = append(args, string(k))
	}
	rows, err := c.Query(ctx, unitInfoColumns+cond+" AND kind IN ("+db.Placeholders(len(kinds))+") ORDER BY id", args...)
	units, err := db.Collect(rows, err, scanUnitInfo)
	if err != nil {
		return nil, fmt.Errorf("units in %s: %w", root, err)
	}
	return units, nil
}
