package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
)

// Queued is a message another package asks to send. DedupeKey, when set,
// makes it once only: a second Queue with the same key does nothing.
type Queued struct {
	Channel   string // "sms"
	ToName    string
	ToPhone   string
	Kind      string   // the catalogue message, problem.notice.<kind>
	Args      []string // its arguments
	DedupeKey string
	At        time.Time
}

// Queue writes a message to the outbox, in the caller's transaction, so it
// is sent if and only if what caused it is committed.
func Queue(ctx context.Context, c db.Conn, m Queued) error {
	args, err := json.Marshal(m.Args)
	if err != nil {
		return fmt.Errorf("queue message: %w", err)
	}
	var key any
	if m.DedupeKey != "" {
		key = m.DedupeKey
	}
	if _, err := c.Exec(ctx, `INSERT INTO outbox_message (channel, to_name, to_phone, kind, args, dedupe_key, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
		m.Channel, m.ToName, m.ToPhone, m.Kind, string(args), key, db.Millis(m.At)); err != nil {
		return fmt.Errorf("queue message: %w", err)
	}
	return nil
}
