package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// Book reads the outbox for the administrator, who runs the gateway.
type Book struct {
	DB *db.DB
}

// Entry is one message as the administrator's page shows it.
type Entry struct {
	ID          int64
	ToName      string
	Phone       string
	Kind        string
	Args        []string
	CreatedAt   time.Time
	SentAt      time.Time // zero: not sent
	FailedAt    time.Time // zero: not given up
	Attempts    int
	NextAttempt time.Time
	LastError   string
}

// State names the entry's state for the page: sent, failed, retrying or
// pending.
func (e Entry) State() string {
	switch {
	case !e.SentAt.IsZero():
		return "sent"
	case !e.FailedAt.IsZero():
		return "failed"
	case e.Attempts > 0:
		return "retrying"
	}
	return "pending"
}

// Counts are the SMS outbox's messages by state.
type Counts struct {
	Pending, Sent, Failed int
}

// Recent returns the latest limit SMS messages, newest first, and the
// counts of all of them; only administrators may read them.
func (b *Book) Recent(ctx context.Context, a access.Actor, limit int) ([]Entry, Counts, error) {
	var c Counts
	if !a.IsAdmin() {
		return nil, c, apperr.Forbidden("outbox.forbidden")
	}
	err := b.DB.QueryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM outbox_message WHERE channel = 'sms'`).Scan(&c.Pending, &c.Sent, &c.Failed)
	if err != nil {
		return nil, c, fmt.Errorf("count outbox: %w", err)
	}
	rows, err := b.DB.Query(ctx, `SELECT id, to_name, to_phone, kind, args, created_at, sent_at, failed_at, attempts,
		next_attempt_at, last_error FROM outbox_message WHERE channel = 'sms' ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, c, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var args string
		var created, next int64
		var sent, failed sql.NullInt64
		if err := rows.Scan(&e.ID, &e.ToName, &e.Phone, &e.Kind, &args, &created, &sent, &failed, &e.Attempts, &next,
			&e.LastError); err != nil {
			return nil, c, fmt.Errorf("read outbox: %w", err)
		}
		if args != "" {
			json.Unmarshal([]byte(args), &e.Args) //nolint:errcheck // written by the ledger
		}
		e.CreatedAt, e.SentAt, e.FailedAt = db.FromMillis(created), db.FromNullMillis(sent), db.FromNullMillis(failed)
		if next > 0 {
			e.NextAttempt = db.FromMillis(next)
		}
		out = append(out, e)
	}
	return out, c, rows.Err()
}
