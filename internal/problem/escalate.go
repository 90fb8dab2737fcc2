package problem

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
	Yellow, Red int // cases raised to that level in this run
	Notified    int // cases whose unit was told again today
}

// Escalate raises overdue cases (督办): yellow at the deadline, red at twice
// the time limit, each once and recorded as an event; and tells the unit's
// handlers, head and liaison again every day until the case is rectified.
// Every write is conditional on the row not having been changed by another
// server running the same job, so several servers on one database send no
// double notices.
func (s *Store) Escalate(ctx context.Context) (EscalationReport, error) {
	var rep EscalationReport
	now := s.Now()
	today := now.In(calendar.Shanghai()).Format("20060102")
	rows, err := s.DB.Query(ctx, `SELECT p.id FROM problem p WHERE p.state IN (?, ?) AND p.deadline < ?
		AND (p.notified_on IS NULL OR p.notified_on <> ? OR p.escalation_level < 2) ORDER BY p.id`,
		string(Dispatched), string(InProgress), db.Millis(now), today)
	if err != nil {
		return rep, fmt.Errorf("find overdue cases: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return rep, fmt.Errorf("find overdue cases: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("find overdue cases: %w", err)
	}
	for _, id := range ids {
		if err := s.escalateOne(ctx, id, today, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func (s *Store) escalateOne(ctx context.Context, id int64, today string, rep *EscalationReport) error {
	c, err := s.read(ctx, s.DB, id)
	if err != nil {
		return err
	}
	now := s.Now()
	if !c.Overdue(now) {
		return nil
	}
	level := 1
	red, err := s.Clock.Deadline(ctx, c.Deadline, c.LimitAmount, c.LimitUnit)
	if err != nil {
		return err
	}
	if !now.Before(red) {
		level = 2
	}
	raised, told := false, false
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if level > c.EscalationLevel {
			res, err := tx.Exec(ctx, "UPDATE problem SET escalation_level = ?, escalated_at = ?, version = version + 1 WHERE id = ? AND escalation_level < ?",
				level, db.Millis(now), id, level)
			if err != nil {
				return fmt.Errorf("raise escalation: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				raised = true
				if err := appendEvent(ctx, tx, id, access.Actor{}, now, ActEscalate, c.State, c.State, "", EventData{Level: level}, nil); err != nil {
					return err
				}
				if err := s.tell(ctx, tx, Happening{Kind: HappenedEscalated, Case: c, UnitID: c.UnitID, Level: level, At: now}); err != nil {
					return err
				}
			}
		}
		res, err := tx.Exec(ctx, "UPDATE problem SET notified_on = ? WHERE id = ? AND (notified_on IS NULL OR notified_on <> ?)", today, id, today)
		if err != nil {
			return fmt.Errorf("mark notified: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 || raised {
			told = true
			if err := s.tellUnit(ctx, tx, c, level, today); err != nil {
				return err
			}
		}
		if raised && level == 2 && s.OnRed != nil {
			return s.OnRed(ctx, tx, c)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if raised && level == 1 {
		rep.Yellow++
	} else if raised {
		rep.Red++
	}
	if told {
		rep.Notified++
	}
	return nil
}

// tellUnit notifies the unit's handlers in the app and queues text messages
// to its head and liaison; dedupe keys make each once per case, level and day.
func (s *Store) tellUnit(ctx context.Context, tx *db.Tx, c *Case, level int, today string) error {
	kind := "escalated_yellow"
	if level == 2 {
		kind = "escalated_red"
	}
	args := []string{c.Code, c.Deadline.In(calendar.Shanghai()).Format("2006-01-02 15:04")}
	users, err := org.ActiveUsersOfUnits(ctx, tx, []int64{c.UnitID}, access.RoleHandler)
	if err != nil {
		return fmt.Errorf("escalation recipients: %w", err)
	}
	dedupe := fmt.Sprintf("esc:%d:%d:%s", c.ID, level, today)
	if err := notice.Add(ctx, tx, notice.Message{Users: users, ProblemID: c.ID, Kind: kind, Args: args,
		Dedupe: dedupe, At: s.Now()}); err != nil {
		return fmt.Errorf("escalation notice: %w", err)
	}
	if err := outbox.QueueToUnitHeads(ctx, tx, c.UnitID, outbox.Queued{Kind: kind, Args: args, DedupeKey: dedupe, At: s.Now()}); err != nil {
		return fmt.Errorf("escalation message: %w", err)
	}
	return nil
}
