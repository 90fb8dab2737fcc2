package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// The questions other packages ask to address people: who handles a
// unit's cases, who governs a place. Disabled accounts are never named.

// ActiveUsersOfUnits returns the enabled users of the units who hold role,
// each once, in id order.
func ActiveUsersOfUnits(ctx context.Context, c db.Conn, unitIDs []int64, role access.Role) ([]int64, error) {
	if len(unitIDs) == 0 {
		return nil, nil
	}
	args := []any{string(role)}
	for _, id := range unitIDs {
		args = append(args, id)
	}
	ids, err := db.Int64s(ctx, c, `SELECT DISTINCT a.id FROM app_user a JOIN user_role r ON r.user_id = a.id AND r.role = ?
		WHERE a.disabled = FALSE AND a.unit_id IN (`+db.Placeholders(len(unitIDs))+`) ORDER BY a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("users of units: %w", err)
	}
	return ids, nil
}

// ActiveUsersGoverning returns the enabled users holding one of roles whose
// unit's jurisdiction contains regionCode, each once, in id order.
func ActiveUsersGoverning(ctx context.Context, c db.Conn, regionCode string, roles ...access.Role) ([]int64, error) {
	if len(roles) == 0 || regionCode == "" {
		return nil, nil
	}
	var args []any
	for _, r := range roles {
		args = append(args, string(r))
	}
	ids, err := db.Int64s(ctx, c, `SELECT DISTINCT a.id FROM app_user a JOIN user_role r ON r.user_id = a.id JOIN unit u ON u.id = a.unit_id
		WHERE a.disabled = FALSE AND r.role IN (`+db.Placeholders(len(roles))+`)
		AND u.region_code IS NOT NULL AND u.region_code <> '' AND substr(CAST(? AS TEXT), 1, length(u.region_code)) = u.region_code
		ORDER BY a.id`, append(args, regionCode)...)
	if err != nil {
		return nil, fmt.Errorf("users governing %s: %w", regionCode, err)
	}
	return ids, nil
}

// Contacts are the people named on a unit for text messages.
type Contacts struct {
	HeadName, HeadPhone       string
	LiaisonName, LiaisonPhone string
}

// UnitContacts returns a unit's head and liaison.
func UnitContacts(ctx context.Context, c db.Conn, id int64) (Contacts, error) {
	var x Contacts
	err := c.QueryRow(ctx, "SELECT head_name, head_phone, liaison_name, liaison_phone FROM unit WHERE id = ?", id).
		Scan(&x.HeadName, &x.HeadPhone, &x.LiaisonName, &x.LiaisonPhone)
	if errors.Is(err, sql.ErrNoRows) {
		return x, apperr.NotFound("org.unit_not_found")
	}
	if err != nil {
		return x, fmt.Errorf("unit contacts %d: %w", id, err)
	}
	return x, nil
}

// UnitName returns a unit's name, or a not-found error.
func UnitName(ctx context.Context, c db.Conn, id int64) (string, error) {
	var name string
	err := c.QueryRow(ctx, "SELECT name FROM unit WHERE id = ?", id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFound("org.unit_not_found")
	}
	if err != nil {
		return "", fmt.Errorf("unit name %d: %w", id, err)
	}
	return name, nil
}

// UserContact is an enabled user's name and phone, for text messages.
type UserContact struct {
	Name, Phone string
}

// UserContacts returns the display name and phone of the enabled users
// with the ids; disabled and unknown users are left out.
func UserContacts(ctx context.Context, c db.Conn, ids []int64) (map[int64]UserContact, error) {
	type row struct {
		id int64
		UserContact
	}
	rows, err := db.CollectIn(ctx, c, "SELECT id, display_name, COALESCE(phone, '') FROM app_user WHERE disabled = FALSE AND id IN ("+db.ListMarker+")", ids,
		func(r *sql.Rows) (row, error) {
			var x row
			return x, r.Scan(&x.id, &x.Name, &x.Phone)
		})
	if err != nil {
		return nil, fmt.Errorf("user contacts: %w", err)
	}
	out := make(map[int64]UserContact, len(rows))
	for _, x := range rows {
		out[x.id] = x.UserContact
	}
	return out, nil
}
