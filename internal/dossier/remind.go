package dossier

import (
	"context"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/notice"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/outbox"
)

// RemindReport says what one run of the reminder job did.
type RemindReport struct {
	Before int // items whose unit was reminded ahead of the due date
	Late   int // items whose unit was reminded again past the due date
}

// Remind reminds the units of the items they still owe (pending or
// returned, in open rounds): once RemindDays working days before the due
// date (or on a later day before it, when the job did not run that day),
// and on every working day after the due date until the item is
// submitted. The unit's handlers get a notice and its head and liaison a
// text message. It runs on working days only; every write is conditional
// and the messages carry dedupe keys, so several servers remind once.
func (s *Store) Remind(ctx context.Context) (RemindReport, error) {
	var rep RemindReport
	cal, err := s.Calendar(ctx)
	if err != nil {
		return rep, err
	}
	now := s.now()
	loc := calendar.Shanghai()
	if !cal.IsWorkday(now) {
		return rep, nil
	}
	today := now.In(loc).Format(dateLayout)
	stamp := now.In(loc).Format("20060102")
	// The day RemindDays working days ahead: items due by then are reminded.
	ahead := now
	for range s.remindDays() {
		ahead = cal.AddWorkingDays(ahead, 1)
	}
	horizon := ahead.In(loc).Format(dateLayout)
	type due struct {
		id, unit     int64
		title, label string
		due          string
		before       bool
	}
	rows, err := s.DB.Query(ctx, `SELECT i.id, i.unit_id, q.title, i.period_from, i.period_to, i.due_on, i.reminded_before
		FROM dossier_item i JOIN dossier_requirement q ON q.id = i.requirement_id JOIN dossier_round r ON r.id = i.round_id
		WHERE r.state = ? AND i.state IN (?, ?) AND i.due_on <= ? AND i.reminded_on <> ? ORDER BY i.id`,
		string(RoundOpen), string(Pending), string(Returned), horizon, stamp)
	if err != nil {
		return rep, fmt.Errorf("find dossier items to remind: %w", err)
	}
	var list []due
	for rows.Next() {
		var d due
		var from, to string
		if err := rows.Scan(&d.id, &d.unit, &d.title, &from, &to, &d.due, &d.before); err != nil {
			rows.Close()
			return rep, fmt.Errorf("find dossier items to remind: %w", err)
		}
		d.label = PeriodLabel(from, to)
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("find dossier items to remind: %w", err)
	}
	for _, d := range list {
		late := d.due < today
		if !late && d.before {
			continue // reminded ahead once already
		}
		kind := "dossier_due"
		if late {
			kind = "dossier_overdue"
		}
		sent := false
		err := s.DB.InTx(ctx, func(tx *db.Tx) error {
			res, err := tx.Exec(ctx, "UPDATE dossier_item SET reminded_on = ?, reminded_before = TRUE WHERE id = ? AND reminded_on <> ?", stamp, d.id, stamp)
			if err != nil {
				return fmt.Errorf("mark dossier item reminded: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil
			}
			sent = true
			if err := s.tell(ctx, tx, d.unit, kind, []string{d.title, d.label, d.due}, fmt.Sprintf("dossier-rem:%d:%s", d.id, stamp), now); err != nil {
				return err
			}
			if late && s.Overdue != nil {
				return s.Overdue(ctx, tx, OverdueItem{ID: d.id, UnitID: d.unit, Title: d.title, Period: d.label, DueOn: d.due})
			}
			return nil
		})
		if err != nil {
			return rep, err
		}
		if sent && late {
			rep.Late++
		} else if sent {
			rep.Before++
		}
	}
	return rep, nil
}

// tell notifies a unit's handlers and queues a text message to its head
// and liaison.
func (s *Store) tell(ctx context.Context, tx *db.Tx, unit int64, kind string, args []string, dedupe string, at time.Time) error {
	users, err := org.ActiveUsersOfUnits(ctx, tx, []int64{unit}, access.RoleHandler)
	if err != nil {
		return fmt.Errorf("dossier reminder recipients: %w", err)
	}
	if err := notice.Add(ctx, tx, notice.Message{Users: users, Kind: kind, Args: args, Dedupe: dedupe, At: at}); err != nil {
		return fmt.Errorf("dossier reminder: %w", err)
	}
	if err := outbox.QueueToUnitHeads(ctx, tx, unit, outbox.Queued{Kind: kind, Args: args, DedupeKey: dedupe, At: at}); err != nil {
		return fmt.Errorf("dossier reminder message: %w", err)
	}
	return nil
}
