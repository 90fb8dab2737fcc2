package org

// Seed writes for generators (the demo, the synthetic city): many units
// and users at once, without the checks and the actor of CreateUnit and
// CreateUser, whose one-row-at-a-time cost they cannot afford.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
)

// SeedUnit is a unit for SeedUnits. ParentCode names its parent: a unit
// earlier in the same list or one already stored.
type SeedUnit struct {
	UnitInput
	ParentCode string
}

// SeedUnits creates, in the order given and in one transaction, the units
// whose code is not stored yet, and returns the id of every listed unit
// (and of the parents named) by code and how many it created. Units
// already stored are left as they are.
func SeedUnits(ctx context.Context, d *db.DB, units []SeedUnit, now time.Time) (map[string]int64, int, error) {
	codes := make([]string, 0, len(units))
	for _, u := range units {
		if !u.Kind.Valid() || u.Code == "" || u.Name == "" {
			return nil, 0, fmt.Errorf("seed unit %q: kind, code and name are required", u.Code)
		}
		codes = append(codes, u.Code)
		if u.ParentCode != "" {
			codes = append(codes, u.ParentCode)
		}
	}
	t := db.NewBatch("unit", " ON CONFLICT (code) DO NOTHING", "code", "name", "kind", "line", "parent_id", "region_code",
		"head_name", "head_phone", "liaison_name", "liaison_phone", "created_at", "updated_at")
	ms := db.Millis(now)
	ids := map[string]int64{}
	created := 0
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if err := db.ExistingKeyIDs(ctx, tx, "unit", "code", codes, ids); err != nil {
			return err
		}
		// A statement holds consecutive new units none of whose parents
		// it holds too: a parent's id is read before its children go in.
		var args []any
		var batch []string
		inBatch := map[string]bool{}
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			if err := t.Insert(ctx, tx, args); err != nil {
				return err
			}
			if err := db.KeyIDs(ctx, tx, "unit", "code", batch, ids); err != nil {
				return err
			}
			args, batch = args[:0], batch[:0]
			clear(inBatch)
			return nil
		}
		for _, u := range units {
			if _, ok := ids[u.Code]; ok || inBatch[u.Code] {
				continue
			}
			if u.ParentCode != "" && inBatch[u.ParentCode] {
				if err := flush(); err != nil {
					return err
				}
			}
			var parent any
			if u.ParentCode != "" {
				id, ok := ids[u.ParentCode]
				if !ok {
					return fmt.Errorf("seed unit %s: unknown parent %s", u.Code, u.ParentCode)
				}
				parent = id
			}
			args = append(args, u.Code, u.Name, string(u.Kind), u.Line, parent, nullString(u.RegionCode),
				u.HeadName, u.HeadPhone, u.LiaisonName, u.LiaisonPhone, ms, ms)
			batch = append(batch, u.Code)
			inBatch[u.Code] = true
			created++
		}
		if err := flush(); err != nil {
			return err
		}
		return changed(ctx, tx) // a new unit below a unit changes what its people supervise
	})
	if err != nil {
		return nil, 0, fmt.Errorf("seed units: %w", err)
	}
	return ids, created, nil
}

// SeedUser is a user for SeedUsers, with a password already hashed (one
// hash may serve many generated users).
type SeedUser struct {
	Username     string
	DisplayName  string
	UnitID       int64
	Roles        []access.Role
	PasswordHash string
}

// SeedUsers creates, in one transaction, the users whose username is not
// taken, with their roles, and returns every listed user's id by username.
// Users already stored are left as they are.
func SeedUsers(ctx context.Context, d *db.DB, users []SeedUser, now time.Time) (map[string]int64, error) {
	t := db.NewBatch("app_user", " ON CONFLICT (username) DO NOTHING", "username", "display_name", "unit_id", "password_hash",
		"created_at", "updated_at")
	roles := db.NewBatch("user_role", " ON CONFLICT (user_id, role) DO NOTHING", "user_id", "role")
	ms := db.Millis(now)
	ids := map[string]int64{}
	err := d.InTx(ctx, func(tx *db.Tx) error {
		names := make([]string, len(users))
		for i, u := range users {
			names[i] = u.Username
		}
		if err := db.ExistingKeyIDs(ctx, tx, "app_user", "username", names, ids); err != nil {
			return err
		}
		args := make([]any, 0, len(users)*t.Columns())
		var added []SeedUser
		for _, u := range users {
			if _, ok := ids[u.Username]; ok {
				continue
			}
			if u.UnitID == 0 || u.PasswordHash == "" {
				return fmt.Errorf("seed user %s: unit and password hash are required", u.Username)
			}
			args = append(args, u.Username, u.DisplayName, u.UnitID, u.PasswordHash, ms, ms)
			added = append(added, u)
		}
		if err := t.Insert(ctx, tx, args); err != nil {
			return err
		}
		if err := db.KeyIDs(ctx, tx, "app_user", "username", names, ids); err != nil {
			return err
		}
		args = args[:0]
		for _, u := range added {
			for _, r := range u.Roles {
				args = append(args, ids[u.Username], string(r))
			}
		}
		if err := roles.Insert(ctx, tx, args); err != nil {
			return err
		}
		return changed(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("seed users: %w", err)
	}
	return ids, nil
}

// FirstUserWithRole returns the user of the unit with the role who was
// created first, and false when the unit has none.
func FirstUserWithRole(ctx context.Context, c db.Conn, unitID int64, role access.Role) (int64, bool, error) {
	var id int64
	err := c.QueryRow(ctx, `SELECT a.id FROM app_user a JOIN user_role r ON r.user_id = a.id
		WHERE a.unit_id = ? AND r.role = ? ORDER BY a.id LIMIT 1`, unitID, string(role)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("%s of unit %d: %w", role, unitID, err)
	}
	return id, true, nil
}

// UnitCodes returns the codes of the units with the ids.
func UnitCodes(ctx context.Context, c db.Conn, ids []int64) (map[int64]string, error) {
	m, err := idNames(ctx, c, "SELECT id, code FROM unit WHERE id", ids)
	if err != nil {
		return nil, fmt.Errorf("unit codes: %w", err)
	}
	return m, nil
}

// CountUnits counts the stored units.
func CountUnits(ctx context.Context, c db.Conn) (int, error) {
	var n int
	if err := c.QueryRow(ctx, "SELECT COUNT(*) FROM unit").Scan(&n); err != nil {
		return 0, fmt.Errorf("count units: %w", err)
	}
	return n, nil
}
