package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/wenming-civic/wenming/internal/db"
)

// idNames reads (id, name) rows of a query that ends in "WHERE id", by
// batches of ids; unknown ids are left out.
func idNames(ctx context.Context, c db.Conn, head string, ids []int64) (map[int64]string, error) {
	return db.IDNames(ctx, c, head+" IN ("+db.ListMarker+")", ids)
}

// Usernames returns the usernames of the users with the ids, in one query
// per 500 ids.
func Usernames(ctx context.Context, c db.Conn, ids []int64) (map[int64]string, error) {
	m, err := idNames(ctx, c, "SELECT id, username FROM app_user WHERE id", ids)
	if err != nil {
		return nil, fmt.Errorf("usernames: %w", err)
	}
	return m, nil
}

// UnitNames returns the names of the units with the ids, in one query per
// 500 ids.
func UnitNames(ctx context.Context, c db.Conn, ids []int64) (map[int64]string, error) {
	m, err := idNames(ctx, c, "SELECT id, name FROM unit WHERE id", ids)
	if err != nil {
		return nil, fmt.Errorf("unit names: %w", err)
	}
	return m, nil
}

// UnitRef names a unit and its jurisdiction.
type UnitRef struct {
	ID         int64
	Name       string
	RegionCode string
}

// SmallestUnit finds the unit of a kind (and, when line is not empty, of
// that line) whose jurisdiction is the smallest region holding regionCode.
func SmallestUnit(ctx context.Context, c db.Conn, regionCode string, kind UnitKind, line string) (UnitRef, bool, error) {
	where, args := "kind = ?", []any{string(kind)}
	if line != "" {
		where += " AND line = ?"
		args = append(args, line)
	}
	// The regions holding regionCode are its prefixes: looked up on the
	// region index, not tested unit by unit (every dispatch asks).
	prefixes := make([]any, 0, len(regionCode)+1)
	for n := range len(regionCode) + 1 {
		prefixes = append(prefixes, regionCode[:n])
	}
	var u UnitRef
	err := c.QueryRow(ctx, `SELECT id, name, region_code FROM unit
		WHERE `+where+` AND region_code IN (`+db.Placeholders(len(prefixes))+`)
		ORDER BY length(region_code) DESC, id LIMIT 1`, append(args, prefixes...)...).Scan(&u.ID, &u.Name, &u.RegionCode)
	if errors.Is(err, sql.ErrNoRows) {
		return UnitRef{}, false, nil
	}
	if err != nil {
		return UnitRef{}, false, fmt.Errorf("smallest unit: %w", err)
	}
	return u, true, nil
}

// UnitExists tells whether a unit has the id.
func UnitExists(ctx context.Context, c db.Conn, id int64) (bool, error) {
	var n int
	if err := c.QueryRow(ctx, "SELECT COUNT(*) FROM unit WHERE id = ?", id).Scan(&n); err != nil {
		return false, fmt.Errorf("check unit %d: %w", id, err)
	}
	return n > 0, nil
}

// UnitKindRegion returns a unit's kind and jurisdiction, and false when no
// unit has the id. It takes the caller's transaction for checks made
// while writing.
func UnitKindRegion(ctx context.Context, c db.Conn, id int64) (UnitKind, string, bool, error) {
	var kind string
	var regionCode sql.NullString
	err := c.QueryRow(ctx, "SELECT kind, region_code FROM unit WHERE id = ?", id).Scan(&kind, &regionCode)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("read unit %d: %w", id, err)
	}
	return UnitKind(kind), regionCode.String, true, nil
}

// UnitMatch is a unit found by code or name.
type UnitMatch struct {
	ID         int64
	Code       string
	RegionCode string
}

// UnitsByCodeOrName lists up to 50 units of the kinds whose code or name
// is v, in id order; importers resolve a cell with it.
func UnitsByCodeOrName(ctx context.Context, c db.Conn, v string, kinds []UnitKind) ([]UnitMatch, error) {
	args := []any{v, v}
	for _, k := range kinds {
		args = append(args, string(k))
	}
	rows, err := c.Query(ctx, "SELECT id, COALESCE(region_code, ''), code FROM unit WHERE (code = ? OR name = ?) AND kind IN ("+
		db.Placeholders(len(kinds))+") ORDER BY id LIMIT 50", args...)
	if err != nil {
		return nil, fmt.Errorf("find unit: %w", err)
	}
	defer rows.Close()
	var out []UnitMatch
	for rows.Next() {
		var m UnitMatch
		if err := rows.Scan(&m.ID, &m.RegionCode, &m.Code); err != nil {
			return nil, fmt.Errorf("find unit: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find unit: %w", err)
	}
	return out, nil
}

// UnitIDByCode returns the id of the unit with the code, 0 when none.
func UnitIDByCode(ctx context.Context, c db.Conn, code string) (int64, error) {
	var id int64
	err := c.QueryRow(ctx, "SELECT id FROM unit WHERE code = ?", code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("unit %s: %w", code, err)
	}
	return id, nil
}

// DisplayNames returns the display names of the users with the ids.
func DisplayNames(ctx context.Context, c db.Conn, ids []int64) (map[int64]string, error) {
	m, err := idNames(ctx, c, "SELECT id, display_name FROM app_user WHERE id", ids)
	if err != nil {
		return nil, fmt.Errorf("display names: %w", err)
	}
	return m, nil
}

// HasAnyRole tells whether the user holds one of the roles. It takes the
// caller's transaction, for checks made while writing.
func HasAnyRole(ctx context.Context, c db.Conn, userID int64, roles ...string) (bool, error) {
	if len(roles) == 0 {
		return false, nil
	}
	args := []any{userID}
	for _, r := range roles {
		args = append(args, r)
	}
	var n int
	if err := c.QueryRow(ctx, "SELECT COUNT(*) FROM user_role WHERE user_id = ? AND role IN ("+db.Placeholders(len(roles))+")", args...).Scan(&n); err != nil {
		return false, fmt.Errorf("check roles of user %d: %w", userID, err)
	}
	return n > 0, nil
}
