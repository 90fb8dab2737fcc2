// Package outbox delivers the messages the ledger writes for people
// outside the platform (the overdue notices to a unit's head and liaison,
// 督办短信) to an SMS gateway over HTTP.
//
// The gateway is any HTTPS endpoint that accepts a POST of
// {"id": …, "phone": …, "text": …} with a bearer token and answers 2xx once
// it has the message; the id is stable, so a gateway can drop a message it
// already has. A batch is claimed for a while before it is sent, so several
// servers never send one message twice; a failure is retried with growing
// delays and given up after MaxAttempts, its last error kept.
package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
)

// MaxAttempts is how often a message is tried before it is given up.
const MaxAttempts = 5

// batchSize is how many messages one Send claims.
const batchSize = 50

// claimFor is how long a claimed message is left to its sender.
const claimFor = 2 * time.Minute

// retryAfter is the delay before attempt n+1 after n failures.
func retryAfter(n int) time.Duration {
	return []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}[min(n, MaxAttempts)-1]
}

// Sender sends the outbox to a gateway.
type Sender struct {
	DB     *db.DB
	URL    string // the gateway's endpoint
	Token  string // its bearer token; never logged
	Client *http.Client
	Now    func() time.Time
	// T writes a message's text from its kind and arguments.
	T func(key string, args ...any) string
}

// Message is one message as the gateway receives it.
type Message struct {
	ID    string `json:"id"`
	Phone string `json:"phone"`
	Text  string `json:"text"`
}

// Report counts what one Send did.
type Report struct {
	Sent, Retrying, GivenUp int
}

type claimed struct {
	id       int64
	name     string
	phone    string
	kind     string
	args     string
	key      string
	attempts int
}

// Send claims the messages due now and posts each to the gateway.
func (s *Sender) Send(ctx context.Context) (Report, error) {
	var rep Report
	batch, err := s.claim(ctx)
	if err != nil || len(batch) == 0 {
		return rep, err
	}
	for _, m := range batch {
		err := s.post(ctx, s.message(m))
		now := db.Millis(s.Now())
		switch {
		case err == nil:
			_, err = s.DB.Exec(ctx, "UPDATE outbox_message SET sent_at = ?, claimed_until = NULL, last_error = '' WHERE id = ?", now, m.id)
			rep.Sent++
		case m.attempts >= MaxAttempts:
			_, err = s.DB.Exec(ctx, "UPDATE outbox_message SET failed_at = ?, claimed_until = NULL, last_error = ? WHERE id = ?",
				now, short(err.Error()), m.id)
			rep.GivenUp++
		default:
			next := s.Now().Add(retryAfter(m.attempts))
			_, err = s.DB.Exec(ctx, "UPDATE outbox_message SET next_attempt_at = ?, claimed_until = NULL, last_error = ? WHERE id = ?",
				db.Millis(next), short(err.Error()), m.id)
			rep.Retrying++
		}
		if err != nil {
			return rep, fmt.Errorf("record delivery of message %d: %w", m.id, err)
		}
	}
	return rep, nil
}

// claim takes up to batchSize due messages for this sender. The claim
// condition is in the UPDATE itself, so a second server that picked the
// same ids finds them claimed and updates none of them.
func (s *Sender) claim(ctx context.Context) ([]claimed, error) {
	now := db.Millis(s.Now())
	until := db.Millis(s.Now().Add(claimFor))
	due := `sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)`
	rows, err := s.DB.Query(ctx, "SELECT id FROM outbox_message WHERE channel = 'sms' AND "+due+" ORDER BY id LIMIT ?",
		now, now, batchSize)
	if err != nil {
		return nil, fmt.Errorf("due messages: %w", err)
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("due messages: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return nil, err
	}
	args := append([]any{until, now, now}, ids...)
	var out []claimed
	// The claim writes, so it runs on the writer (SQLite's readers are
	// read-only).
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		out = out[:0]
		crows, err := tx.Query(ctx, `UPDATE outbox_message SET claimed_until = ?, attempts = attempts + 1
			WHERE `+due+` AND id IN (`+db.Placeholders(len(ids))+`)
			RETURNING id, to_name, to_phone, kind, args, COALESCE(dedupe_key, ''), attempts`, args...)
		if err != nil {
			return fmt.Errorf("claim messages: %w", err)
		}
		defer crows.Close()
		for crows.Next() {
			var c claimed
			if err := crows.Scan(&c.id, &c.name, &c.phone, &c.kind, &c.args, &c.key, &c.attempts); err != nil {
				return fmt.Errorf("claim messages: %w", err)
			}
			out = append(out, c)
		}
		return crows.Err()
	})
	return out, err
}

// message writes a claimed message's text: the in-app notice of its kind,
// addressed to the person.
func (s *Sender) message(c claimed) Message {
	var args []string
	if c.args != "" {
		json.Unmarshal([]byte(c.args), &args) //nolint:errcheck // written by the ledger; a bad one sends the bare kind
	}
	xs := make([]any, len(args))
	for i, a := range args {
		xs[i] = a
	}
	id := c.key
	if id == "" {
		id = strconv.FormatInt(c.id, 10)
	}
	return Message{ID: id, Phone: c.phone, Text: s.T("outbox.sms", c.name, s.T("problem.notice."+c.kind, xs...))}
}

// post sends one message; anything but a 2xx answer is an error.
func (s *Sender) post(ctx context.Context, m Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode message: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("gateway request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("gateway answered %d: %s", res.StatusCode, strings.TrimSpace(string(answer)))
	}
	return nil
}

// short keeps an error message to a column's worth.
func short(s string) string {
	if r := []rune(s); len(r) > 300 {
		return string(r[:300])
	}
	return s
}
