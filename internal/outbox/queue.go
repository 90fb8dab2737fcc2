package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
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

// QueueToUnitHeads queues m as an SMS to the head and the liaison of a
// unit (each who has a phone): the escalation of an overdue case or task
// (督办短信). Each copy is de-duplicated under m.DedupeKey and its place.
func QueueToUnitHeads(ctx context.Context, c db.Conn, unitID int64, m Queued) error {
	contacts, err := org.UnitContacts(ctx, c, unitID)
	if err != nil {
		return err
	}
	dedupe := m.DedupeKey
	for i, to := range [][2]string{{contacts.HeadName, contacts.HeadPhone}, {contacts.LiaisonName, contacts.LiaisonPhone}} {
		if to[1] == "" {
			continue
		}
		m.Channel, m.ToName, m.ToPhone, m.DedupeKey = "sms", to[0], to[1], fmt.Sprintf("%s:c%d", dedupe, i)
		if err := Queue(ctx, c, m); err != nil {
			return err
		}
	}
	return nil
}
