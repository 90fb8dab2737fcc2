package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
)

// The channels of the outbox. SMS messages go to a person's phone through
// the gateway (Sender); robot and webhook deliveries go to one target (a
// group robot's or a webhook's id) and are sent by their owner package
// (internal/robot) through the functions below, which keep the outbox's
// rules: a delivery is claimed before it is sent (once across servers),
// a failure is retried with growing delays up to MaxAttempts, and the last
// error is kept.
const (
	ChannelSMS     = "sms"
	ChannelRobot   = "robot"
	ChannelWebhook = "webhook"
)

// Delivery is a message for one robot or webhook.
type Delivery struct {
	Channel   string // ChannelRobot or ChannelWebhook
	TargetID  int64
	Kind      string // the event's type
	EventID   string // the same for every target of one event
	Body      string // what the sender needs to write the request
	DedupeKey string // when set, a second Enqueue with it does nothing
	At        time.Time
}

// Enqueue writes a delivery in the caller's transaction, so it is sent if
// and only if what caused it is committed.
func Enqueue(ctx context.Context, c db.Conn, d Delivery) error {
	var key any
	if d.DedupeKey != "" {
		key = d.DedupeKey
	}
	if _, err := c.Exec(ctx, `INSERT INTO outbox_message (channel, to_name, to_phone, kind, args, dedupe_key, created_at,
		target_id, event_id, body) VALUES (?, '', '', ?, '', ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
		d.Channel, d.Kind, key, db.Millis(d.At), d.TargetID, d.EventID, d.Body); err != nil {
		return fmt.Errorf("queue delivery: %w", err)
	}
	return nil
}

// Claimed is a delivery claimed for sending; Attempts counts this one.
type Claimed struct {
	ID        int64
	TargetID  int64
	Kind      string
	EventID   string
	Body      string
	Attempts  int
	CreatedAt time.Time
}

const dueCond = `sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)`

// DueTargets lists the targets of a channel that have deliveries due at now.
func DueTargets(ctx context.Context, d *db.DB, channel string, now time.Time) ([]int64, error) {
	ms := db.Millis(now)
	ids, err := db.Int64s(ctx, d, "SELECT DISTINCT target_id FROM outbox_message WHERE channel = ? AND "+dueCond+" ORDER BY target_id",
		channel, ms, ms)
	if err != nil {
		return nil, fmt.Errorf("due targets: %w", err)
	}
	return ids, nil
}

// ClaimFor claims up to limit due deliveries of one target, oldest first,
// for claim (how long the sender may take). The claim condition is in the
// UPDATE itself, so of two servers that picked the same rows only one
// gets each.
func ClaimFor(ctx context.Context, d *db.DB, channel string, target int64, now time.Time, claim time.Duration, limit int) ([]Claimed, error) {
	ms := db.Millis(now)
	ids, err := db.Int64s(ctx, d, "SELECT id FROM outbox_message WHERE channel = ? AND target_id = ? AND "+dueCond+" ORDER BY id LIMIT ?",
		channel, target, ms, ms, limit)
	if err != nil || len(ids) == 0 {
		if err != nil {
			err = fmt.Errorf("due deliveries: %w", err)
		}
		return nil, err
	}
	args := []any{db.Millis(now.Add(claim)), ms, ms}
	for _, id := range ids {
		args = append(args, id)
	}
	var out []Claimed
	err = d.InTx(ctx, func(tx *db.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `UPDATE outbox_message SET claimed_until = ?, attempts = attempts + 1
			WHERE `+dueCond+` AND id IN (`+db.Placeholders(len(ids))+`)
			RETURNING id, target_id, kind, event_id, body, attempts, created_at`, args...)
		if err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c Claimed
			var created int64
			if err := rows.Scan(&c.ID, &c.TargetID, &c.Kind, &c.EventID, &c.Body, &c.Attempts, &created); err != nil {
				return fmt.Errorf("claim deliveries: %w", err)
			}
			c.CreatedAt = db.FromMillis(created)
			out = append(out, c)
		}
		return rows.Err()
	})
	// RETURNING gives no order; the sender wants the oldest first.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].ID < out[j-1].ID; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, err
}

// MarkSent records claimed deliveries as delivered (several when they were
// folded into one message).
func MarkSent(ctx context.Context, d *db.DB, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{db.Millis(now)}
	for _, id := range ids {
		args = append(args, id)
	}
	if _, err := d.Exec(ctx, "UPDATE outbox_message SET sent_at = ?, claimed_until = NULL, last_error = '' WHERE id IN ("+
		db.Placeholders(len(ids))+")", args...); err != nil {
		return fmt.Errorf("record deliveries: %w", err)
	}
	return nil
}

// MarkFailed records a failed attempt of each claimed delivery: retried
// after the next delay, or given up after MaxAttempts. It reports how many
// were given up.
func MarkFailed(ctx context.Context, d *db.DB, cs []Claimed, cause error, now time.Time) (gaveUp int, err error) {
	msg := short(cause.Error())
	for _, c := range cs {
		if c.Attempts >= MaxAttempts {
			_, err = d.Exec(ctx, "UPDATE outbox_message SET failed_at = ?, claimed_until = NULL, last_error = ? WHERE id = ?",
				db.Millis(now), msg, c.ID)
			gaveUp++
		} else {
			_, err = d.Exec(ctx, "UPDATE outbox_message SET next_attempt_at = ?, claimed_until = NULL, last_error = ? WHERE id = ?",
				db.Millis(now.Add(retryAfter(c.Attempts))), msg, c.ID)
		}
		if err != nil {
			return gaveUp, fmt.Errorf("record failed delivery %d: %w", c.ID, err)
		}
	}
	return gaveUp, nil
}

// Postpone puts claimed deliveries back until a time without counting the
// attempt: a robot at its platform's rate limit sends them later (folded).
func Postpone(ctx context.Context, d *db.DB, ids []int64, until time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{db.Millis(until)}
	for _, id := range ids {
		args = append(args, id)
	}
	if _, err := d.Exec(ctx, "UPDATE outbox_message SET next_attempt_at = ?, claimed_until = NULL, attempts = attempts - 1 WHERE id IN ("+
		db.Placeholders(len(ids))+")", args...); err != nil {
		return fmt.Errorf("postpone deliveries: %w", err)
	}
	return nil
}

// Logged is one delivery as an administrator's log shows it.
type Logged struct {
	ID          int64
	TargetID    int64
	Kind        string
	EventID     string
	CreatedAt   time.Time
	SentAt      time.Time // zero: not sent
	FailedAt    time.Time // zero: given up
	Attempts    int
	NextAttempt time.Time
	LastError   string
}

// State names the delivery's state: sent, failed, retrying or pending.
func (l Logged) State() string {
	return Entry{SentAt: l.SentAt, FailedAt: l.FailedAt, Attempts: l.Attempts}.State()
}

// DeliveryLog returns the latest limit deliveries of a channel's targets
// (all targets when targets is empty), newest first. The owner of the
// targets decides who may read it.
func DeliveryLog(ctx context.Context, c db.Conn, channel string, targets []int64, limit int) ([]Logged, error) {
	q := `SELECT id, target_id, kind, event_id, created_at, sent_at, failed_at, attempts, next_attempt_at, last_error
		FROM outbox_message WHERE channel = ?`
	args := []any{channel}
	if len(targets) > 0 {
		q += " AND target_id IN (" + db.Placeholders(len(targets)) + ")"
		for _, t := range targets {
			args = append(args, t)
		}
	}
	args = append(args, limit)
	rows, err := c.Query(ctx, q+" ORDER BY id DESC LIMIT ?", args...)
	return db.Collect(rows, err, func(rows *sql.Rows) (Logged, error) {
		var l Logged
		var created, next int64
		var sent, failed sql.NullInt64
		err := rows.Scan(&l.ID, &l.TargetID, &l.Kind, &l.EventID, &created, &sent, &failed, &l.Attempts, &next, &l.LastError)
		l.CreatedAt, l.SentAt, l.FailedAt = db.FromMillis(created), db.FromNullMillis(sent), db.FromNullMillis(failed)
		if next > 0 {
			l.NextAttempt = db.FromMillis(next)
		}
		return l, err
	})
}
