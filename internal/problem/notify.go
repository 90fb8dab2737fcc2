package problem

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// notice is someone to tell about a move.
type notice struct {
	kind        string
	toUnit      int64 // the handlers of this unit
	toOffice    bool  // the office users whose jurisdiction holds the case
	toVerifiers bool  // office users and inspectors of the jurisdiction
}

// recipients lists the users a notice goes to.
func (s *Store) recipients(ctx context.Context, c *Case, n notice) ([]int64, error) {
	var q string
	var args []any
	switch {
	case n.toUnit != 0:
		q, args = `SELECT a.id FROM app_user a JOIN user_role r ON r.user_id = a.id
			WHERE a.unit_id = ? AND r.role = ? AND a.disabled = FALSE`, []any{n.toUnit, string(access.RoleHandler)}
	case n.toOffice || n.toVerifiers:
		roles := []any{string(access.RoleOffice)}
		if n.toVerifiers {
			roles = append(roles, string(access.RoleInspector))
		}
		q = `SELECT DISTINCT a.id FROM app_user a JOIN user_role r ON r.user_id = a.id JOIN unit u ON u.id = a.unit_id
			WHERE a.disabled = FALSE AND r.role IN (` + db.Placeholders(len(roles)) + `)
			AND u.region_code IS NOT NULL AND substr(?, 1, length(u.region_code)) = u.region_code`
		args = append(roles, c.RegionCode)
	default:
		return nil, nil
	}
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("notice recipients: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("notice recipients: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// notify writes the in-app notifications of a move.
func (s *Store) notify(ctx context.Context, c *Case, notices []notice) error {
	now := db.Millis(s.Now())
	args, _ := json.Marshal([]string{c.Code})
	for _, n := range notices {
		users, err := s.recipients(ctx, c, n)
		if err != nil {
			return err
		}
		for _, u := range users {
			if _, err := s.DB.Exec(ctx, `INSERT INTO notification (user_id, problem_id, kind, args, created_at) VALUES (?, ?, ?, ?, ?)`,
				u, c.ID, n.kind, string(args), now); err != nil {
				return fmt.Errorf("notify: %w", err)
			}
		}
	}
	return nil
}

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

// Unread counts a user's unread notifications.
func (s *Store) Unread(ctx context.Context, a access.Actor) (int, error) {
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM notification WHERE user_id = ? AND read_at IS NULL", a.UserID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count notifications: %w", err)
	}
	return n, nil
}

// Notifications lists a user's latest notifications, newest first.
func (s *Store) Notifications(ctx context.Context, a access.Actor, limit int) ([]Notification, error) {
	if !a.SignedIn() {
		return nil, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	rows, err := s.DB.Query(ctx, `SELECT id, COALESCE(problem_id, 0), COALESCE(bulletin_id, 0), kind, args, created_at, read_at IS NOT NULL
		FROM notification WHERE user_id = ? ORDER BY id DESC LIMIT ?`, a.UserID, limit)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var args string
		var at int64
		if err := rows.Scan(&n.ID, &n.ProblemID, &n.BulletinID, &n.Kind, &args, &at, &n.Read); err != nil {
			return nil, fmt.Errorf("list notifications: %w", err)
		}
		if args != "" {
			json.Unmarshal([]byte(args), &n.Args) //nolint:errcheck // written by us
		}
		n.CreatedAt = db.FromMillis(at)
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkRead marks the user's notifications read (all when id is 0).
func (s *Store) MarkRead(ctx context.Context, a access.Actor, id int64) error {
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
