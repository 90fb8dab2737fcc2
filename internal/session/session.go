// Package session owns the user_session table: the sign-in sessions that
// auth opens and checks, and that org ends when an account is disabled or
// its password changes. It is a package of its own because both need it
// and auth already depends on org.
package session

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
)

// Row is one stored session, found by the hash of its token.
type Row struct {
	UserID                       int64
	Created, LastSeen, ExpiresAt time.Time
}

// ErrNotFound means no session has the token hash.
var ErrNotFound = errors.New("session: not found")

// Open stores a new session.
func Open(ctx context.Context, c db.Conn, tokenHash string, userID int64, now, expires time.Time, addr, agent string) error {
	if _, err := c.Exec(ctx, `INSERT INTO user_session (token_hash, user_id, created_at, last_seen_at, expires_at, client_addr, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, tokenHash, userID, db.Millis(now), db.Millis(now), db.Millis(expires), addr, agent); err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	return nil
}

// Get reads the session with the token hash.
func Get(ctx context.Context, c db.Conn, tokenHash string) (Row, error) {
	var r Row
	var created, lastSeen, expires int64
	err := c.QueryRow(ctx, "SELECT user_id, created_at, last_seen_at, expires_at FROM user_session WHERE token_hash = ?", tokenHash).
		Scan(&r.UserID, &created, &lastSeen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("read session: %w", err)
	}
	r.Created, r.LastSeen, r.ExpiresAt = db.FromMillis(created), db.FromMillis(lastSeen), db.FromMillis(expires)
	return r, nil
}

// Touch moves a session's idle expiry forward.
func Touch(ctx context.Context, c db.Conn, tokenHash string, now, expires time.Time) error {
	if _, err := c.Exec(ctx, "UPDATE user_session SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?",
		db.Millis(now), db.Millis(expires), tokenHash); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// End deletes the session with the token hash.
func End(ctx context.Context, c db.Conn, tokenHash string) error {
	if _, err := c.Exec(ctx, "DELETE FROM user_session WHERE token_hash = ?", tokenHash); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// EndAllOf ends every session of the user but the one with keepHash ("" ends
// them all): after a password change or when the account is disabled.
func EndAllOf(ctx context.Context, c db.Conn, userID int64, keepHash string) error {
	if _, err := c.Exec(ctx, "DELETE FROM user_session WHERE user_id = ? AND token_hash <> ?", userID, keepHash); err != nil {
		return fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	return nil
}

// Purge deletes the sessions idle past their expiry or older than bornBefore.
func Purge(ctx context.Context, c db.Conn, now, bornBefore time.Time) (int64, error) {
	res, err := c.Exec(ctx, "DELETE FROM user_session WHERE expires_at < ? OR created_at < ?", db.Millis(now), db.Millis(bornBefore))
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
