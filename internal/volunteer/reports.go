package volunteer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
)

// NoteReport records that a problem the actor just reported (随手拍) came
// from a volunteer on duty: checked in, not yet out, on an activity of a
// type that reports (文明劝导) whose window, with the margin, holds now.
// It returns the activity (0: the reporter was not on one).
func (s *Store) NoteReport(ctx context.Context, a access.Actor, problemID int64) (int64, error) {
	if a.UserID <= 0 || problemID <= 0 {
		return 0, nil
	}
	now := s.now()
	var activity, vol int64
	err := s.DB.QueryRow(ctx, `SELECT x.id, v.id FROM volunteer v
		JOIN volunteer_signup g ON g.volunteer_id = v.id AND g.checkin_at IS NOT NULL AND g.checkout_at IS NULL AND g.state = 'signed'
		JOIN volunteer_activity x ON x.id = g.activity_id AND x.state = 'open'
		JOIN volunteer_activity_type k ON k.code = x.kind AND k.reports
		WHERE v.user_id = ? AND x.starts_at <= ? AND x.ends_at >= ? ORDER BY g.checkin_at DESC LIMIT 1`,
		a.UserID, db.Millis(now.Add(s.Margin)), db.Millis(now.Add(-s.Margin))).Scan(&activity, &vol)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("volunteer report: %w", err)
	}
	if _, err := s.DB.Exec(ctx, "INSERT INTO volunteer_report (activity_id, volunteer_id, problem_id, reported_at) VALUES (?, ?, ?, ?)",
		activity, vol, problemID, db.Millis(now)); err != nil && !db.IsUniqueViolation(err) {
		return 0, fmt.Errorf("volunteer report: %w", err)
	}
	return activity, nil
}

// ActivityReport is a problem reported on an activity.
type ActivityReport struct {
	ProblemID   int64
	VolunteerID int64
	Name        string
}

// Reports lists the problems reported on an activity by its volunteers.
func (s *Store) Reports(ctx context.Context, activityID int64) ([]ActivityReport, error) {
	rows, err := s.DB.Query(ctx, `SELECT r.problem_id, r.volunteer_id, v.name FROM volunteer_report r JOIN volunteer v ON v.id = r.volunteer_id
		WHERE r.activity_id = ? ORDER BY r.reported_at, r.problem_id`, activityID)
	return db.Collect(rows, err, func(r *sql.Rows) (ActivityReport, error) {
		var x ActivityReport
		return x, r.Scan(&x.ProblemID, &x.VolunteerID, &x.Name)
	})
}
