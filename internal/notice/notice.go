// Package notice keeps the in-app notifications (the bell): what the
// ledger, the escalation and the bulletins tell the people concerned. It
// owns the notification table; the other packages write through Add and
// the pages read through Store.
package notice

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// Notification is one message in a user's bell. It is about a case
// (ProblemID) or an issued bulletin (BulletinID), and opens it.
type Notification struct {
	ID         int64
	ProblemID  int64
	BulletinID int64
	Kind       string
	Args       []string
	CreatedAt  time.Time
	Read       bool
}

// Key is the catalogue key of the notification's text.
func (n Notification) Key() string { return "problem.notice." + n.Kind }

// Message is a notification to write for several users.
type Message struct {
	Users      []int64
	ProblemID  int64
	BulletinID int64
	Kind       string
	Args       []string
	// Dedupe, when set, makes the message once only per user: the key
	// stored is Dedupe + ":u<user id>", so several servers running the same
	// escalation write it once.
	Dedupe string
	At     time.Time
}

// Add writes a message for each of its users, in the caller's transaction.
func Add(ctx context.Context, c db.Conn, m Message) error {
	if len(m.Users) == 0 {
		return nil
	}
	args, err := json.Marshal(m.Args)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	// One statement per batch of users: an issued bulletin tells thousands.
	const batch = 200
	for start := 0; start < len(m.Users); start += batch {
		users := m.Users[start:min(start+batch, len(m.Users))]
		vals := make([]any, 0, 7*len(users))
		for _, u := range users {
			var key any
			if m.Dedupe != "" {
				key = m.Dedupe + ":u" + strconv.FormatInt(u, 10)
			}
			vals = append(vals, u, db.NullID(m.ProblemID), db.NullID(m.BulletinID), m.Kind, string(args), key, db.Millis(m.At))
		}
		rows := strings.Repeat(", (?, ?, ?, ?, ?, ?, ?)", len(users))[2:]
		if _, err := c.Exec(ctx, `INSERT INTO notification (user_id, problem_id, bulletin_id, kind, args, dedupe_key, created_at)
			VALUES `+rows+` ON CONFLICT (dedupe_key) DO NOTHING`, vals...); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
	}
	return nil
}

// Store reads and marks a user's notifications.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

// Unread counts a user's unread notifications.
func (s *Store) Unread(ctx context.Context, a access.Actor) (int, error) {
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM notification WHERE user_id = ? AND read_at IS NULL", a.UserID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count notifications: %w", err)
	}
	return n, nil
}

// List returns a user's latest notifications, newest first.
func (s *Store) List(ctx context.Context, a access.Actor, limit int) ([]Notification, error) {
	out, _, err := s.Page(ctx, a, Filter{Limit: limit})
	return out, err
}

// Filter picks a page of a user's notifications: of one kind ("" for
// all), from Offset, at most Limit.
type Filter struct {
	Kind          string
	Offset, Limit int
}

// Page returns one page of a user's notifications, newest first, and how
// many there are in all.
func (s *Store) Page(ctx context.Context, a access.Actor, f Filter) ([]Notification, int, error) {
	if !a.SignedIn() {
		return nil, 0, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	where, args := "user_id = ?", []any{a.UserID}
	if f.Kind != "" {
		where += " AND kind = ?"
		args = append(args, f.Kind)
	}
	var total int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM notification WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count notifications: %w", err)
	}
	rows, err := s.DB.Query(ctx, `SELECT id, COALESCE(problem_id, 0), COALESCE(bulletin_id, 0), kind, args, created_at, read_at IS NOT NULL
		FROM notification WHERE `+where+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, max(f.Limit, 1), max(f.Offset, 0))...)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (Notification, error) {
		var n Notification
		var args string
		var at int64
		if err := r.Scan(&n.ID, &n.ProblemID, &n.BulletinID, &n.Kind, &args, &at, &n.Read); err != nil {
			return n, err
		}
		if args != "" {
			if err := json.Unmarshal([]byte(args), &n.Args); err != nil {
				return n, fmt.Errorf("notification %d: %w", n.ID, err)
			}
		}
		n.CreatedAt = db.FromMillis(at)
		return n, nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list notifications: %w", err)
	}
	return out, total, nil
}

// KindCount is how many notifications of one kind a user has, and how many
// of them are unread.
type KindCount struct {
	Kind          string
	Total, Unread int
}

// Kinds counts a user's notifications by kind, the kinds with unread ones
// first, then by name.
func (s *Store) Kinds(ctx context.Context, a access.Actor) ([]KindCount, error) {
	if !a.SignedIn() {
		return nil, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	rows, err := s.DB.Query(ctx, `SELECT kind, COUNT(*), COUNT(*) - COUNT(read_at) FROM notification WHERE user_id = ?
		GROUP BY kind ORDER BY COUNT(*) - COUNT(read_at) = 0, kind`, a.UserID)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (KindCount, error) {
		var k KindCount
		return k, r.Scan(&k.Kind, &k.Total, &k.Unread)
	})
	if err != nil {
		return nil, fmt.Errorf("count notification kinds: %w", err)
	}
	return out, nil
}

// MarkKindRead marks the user's unread notifications of one kind read.
func (s *Store) MarkKindRead(ctx context.Context, a access.Actor, kind string) error {
	if !a.SignedIn() {
		return apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	if _, err := s.DB.Exec(ctx, "UPDATE notification SET read_at = ? WHERE user_id = ? AND read_at IS NULL AND kind = ?",
		db.Millis(s.Now()), a.UserID, kind); err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	return nil
}

// MarkRead marks the user's notifications read (all when id is 0).
func (s *Store) MarkRead(ctx context.Context, a access.Actor, id int64) error {
	if !a.SignedIn() {
		return apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	q, args := "UPDATE notification SET read_at = ? WHERE user_id = ? AND read_at IS NULL", []any{db.Millis(s.Now()), a.UserID}
	if id != 0 {
		q += " AND id = ?"
		args = append(args, id)
	}
	if _, err := s.DB.Exec(ctx, q, args...); err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	return nil
}
