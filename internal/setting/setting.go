// Package setting owns the setting table: small named values that a
// domain keeps across restarts (the signing key, the working hours, "the
// sample was installed once"). Each domain names its own keys; the table
// is shared, so only this package writes SQL for it.
package setting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/wenming-civic/wenming/internal/db"
)

// ReferenceGeneration names the counter the caches of reference data are
// valid for (org.Generation, org.GenCache): users, roles, units, API
// tokens, the category catalogue, region names. It lives here, below both
// org and region, so that a change to any of them counts it up in its
// transaction.
const ReferenceGeneration = "org.generation"

// ReferenceChanged counts the reference generation up, in the
// transaction of the change every server must see at once.
func ReferenceChanged(ctx context.Context, tx *db.Tx) error {
	if _, err := Increment(ctx, tx, ReferenceGeneration); err != nil {
		return fmt.Errorf("reference data changed: %w", err)
	}
	return nil
}

// ErrNotFound is returned by Get when no value is stored under the name.
var ErrNotFound = errors.New("setting: not found")

// Get reads the value stored under name.
func Get(ctx context.Context, c db.Conn, name string) (string, error) {
	var v string
	err := c.QueryRow(ctx, "SELECT value FROM setting WHERE name = ?", name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("setting %s: %w", name, err)
	}
	return v, nil
}

// Exists tells whether a value is stored under name.
func Exists(ctx context.Context, c db.Conn, name string) (bool, error) {
	var n int
	if err := c.QueryRow(ctx, "SELECT COUNT(*) FROM setting WHERE name = ?", name).Scan(&n); err != nil {
		return false, fmt.Errorf("setting %s: %w", name, err)
	}
	return n > 0, nil
}

// Put stores value under name, replacing what was there.
func Put(ctx context.Context, c db.Conn, name, value string) error {
	if _, err := c.Exec(ctx, `INSERT INTO setting (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value); err != nil {
		return fmt.Errorf("put setting %s: %w", name, err)
	}
	return nil
}

// PutIfAbsent stores value under name unless a value is there already, and
// tells whether it stored it. Several servers starting at once agree on
// one value this way.
func PutIfAbsent(ctx context.Context, c db.Conn, name, value string) (bool, error) {
	res, err := c.Exec(ctx, "INSERT INTO setting (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, value)
	if err != nil {
		return false, fmt.Errorf("put setting %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("put setting %s: %w", name, err)
	}
	return n > 0, nil
}

// Delete removes the value stored under name, if any.
func Delete(ctx context.Context, c db.Conn, name string) error {
	if _, err := c.Exec(ctx, "DELETE FROM setting WHERE name = ?", name); err != nil {
		return fmt.Errorf("delete setting %s: %w", name, err)
	}
	return nil
}

// Increment adds one to the number stored under name (0 when absent) and
// returns the new number: a generation counter that every server of an
// installation reads to learn that something it keeps in memory changed.
// It runs in a write transaction, with the change it announces.
func Increment(ctx context.Context, tx *db.Tx, name string) (int64, error) {
	var s string
	err := tx.QueryRow(ctx, `INSERT INTO setting (name, value) VALUES (?, '1')
		ON CONFLICT (name) DO UPDATE SET value = CAST(CAST(setting.value AS BIGINT) + 1 AS TEXT) RETURNING value`, name).Scan(&s)
	if err != nil {
		return 0, fmt.Errorf("increment setting %s: %w", name, err)
	}
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		return 0, fmt.Errorf("increment setting %s: stored value %q is not a number", name, s)
	}
	return n, nil
}
