package workplan

import (
	"context"
	"fmt"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/notice"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/outbox"
)

// EscalationReport says what one run of the escalation job did.
type EscalationReport struct {
	Yellow, Red int // tasks raised to that level in this run
	Notified    int // tasks whose lead unit was told again today
}

// Escalate raises overdue tasks as the ledger raises overdue cases (督办):
// yellow at the deadline, red RedAfterWorkingDays working days after it,
// each once and recorded on the task's timeline; and tells the lead
// unit's handlers in the app and its head and liaison by text message
// again every day until the task is reported finished. Every write is
// conditional, so several servers running the job send no double notices.
func (s *Store) Escalate(ctx context.Context) (EscalationReport, error) {
	var rep EscalationReport
	now := s.now()
	today := now.In(calendar.Shanghai()).Format("20060102")
	ids, err := db.Int64s(ctx, s.DB, `SELECT id FROM workplan_task WHERE state IN (?, ?) AND due_at < ?
		AND (notified_on IS NULL OR notified_on <> ? OR escalation_level < 2) ORDER BY id`,
		string(NotStarted), string(InProgress), db.Millis(now), today)
	if err != nil {
		return rep, fmt.Errorf("find overdue tasks: %w", err)
	}
	if len(ids) == 0 {
		return rep, nil
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return rep, err
	}
	sys := access.System()
	for _, id := range ids {
		t, err := s.Task(ctx, sys, id)
		if err != nil {
			return rep, err
		}
		if t.Status(now) != Overdue {
			continue
		}
		level := 1
		if !now.Before(RedAt(cal, t.DueAt)) {
			level = 2
		}
		raised, told := false, false
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			if level > t.Escalation {
				res, err := tx.Exec(ctx, "UPDATE workplan_task SET escalation_level = ?, escalated_at = ?, version = version + 1 WHERE id = ? AND escalation_level < ?",
					level, db.Millis(now), id, level)
				if err != nil {
					return fmt.Errorf("raise task escalation: %w", err)
				}
				if n, _ := res.RowsAffected(); n == 1 {
					raised = true
					if err := addEvent(ctx, tx, id, access.Actor{}, now, "escalated", "", level); err != nil {
						return err
					}
					if s.Overdue != nil {
						if err := s.Overdue(ctx, tx, t, level); err != nil {
							return err
						}
					}
				}
			}
			res, err := tx.Exec(ctx, "UPDATE workplan_task SET notified_on = ? WHERE id = ? AND (notified_on IS NULL OR notified_on <> ?)", today, id, today)
			if err != nil {
				return fmt.Errorf("mark task notified: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 1 || raised {
				told = true
				return s.tellOverdue(ctx, tx, t, level, today)
			}
			return nil
		})
		if err != nil {
			return rep, err
		}
		switch {
		case raised && level == 1:
			rep.Yellow++
		case raised:
			rep.Red++
		}
		if told {
			rep.Notified++
		}
	}
	return rep, nil
}

// tellOverdue notifies the lead unit's handlers and queues text messages
// to its head and liaison; dedupe keys make each once per task, level and day.
func (s *Store) tellOverdue(ctx context.Context, tx *db.Tx, t *Task, level int, today string) error {
	kind := "task_yellow"
	if level == 2 {
		kind = "task_red"
	}
	args := []string{t.Title, t.DueOn}
	users, err := org.ActiveUsersOfUnits(ctx, tx, []int64{t.LeadUnitID}, access.RoleHandler)
	if err != nil {
		return fmt.Errorf("task escalation recipients: %w", err)
	}
	dedupe := fmt.Sprintf("wpesc:%d:%d:%s", t.ID, level, today)
	if err := notice.Add(ctx, tx, notice.Message{Users: users, Kind: kind, Args: args, Dedupe: dedupe, At: s.now()}); err != nil {
		return fmt.Errorf("task escalation notice: %w", err)
	}
	if err := outbox.QueueToUnitHeads(ctx, tx, t.LeadUnitID, outbox.Queued{Kind: kind, Args: args, DedupeKey: dedupe, At: s.now()}); err != nil {
		return fmt.Errorf("task escalation message: %w", err)
	}
	return nil
}
