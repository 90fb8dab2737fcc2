package problem

import (
	"time"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
)

// Queue is one of the workbench's to-do lists as a ledger filter
// (?todo=…), so that the count on the workbench and the ledger behind its
// link are the same cases.
type Queue string

// The queues.
const (
	QueueAccept     Queue = "accept"      // dispatched, to accept (待签收)
	QueueDueToday   Queue = "today"       // open, deadline later today (今日到期)
	QueueRework     Queue = "rework"      // in progress again after a failed verification (返工)
	QueueExtension  Queue = "extension"   // an extension request to decide (延期申请)
	QueueReturned   Queue = "returned"    // returned by a unit, to dispatch again (退回)
	QueueRed        Queue = "red"         // open and escalated to red (红色督办)
	QueueVerifyLate Queue = "verify_late" // rectified longer ago than VerifyWithin (核查超时)
)

// Queues lists the queues.
func Queues() []Queue {
	return []Queue{QueueAccept, QueueDueToday, QueueRework, QueueExtension, QueueReturned, QueueRed, QueueVerifyLate}
}

// VerifyWithin is how long a rectified case may wait for its verification
// before the office's workbench calls it late.
const VerifyWithin = 48 * time.Hour

// EndOfDay is the end of now's local day (Asia/Shanghai).
func EndOfDay(now time.Time) time.Time {
	l := now.In(calendar.Shanghai())
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, calendar.Shanghai())
}

// where is the queue's condition on a case (alias p); false for no queue.
func (q Queue) where(now time.Time) (string, []any, bool) {
	open := []any{string(Filed), string(Dispatched), string(InProgress)}
	switch q {
	case QueueAccept:
		return "p.state = ?", []any{string(Dispatched)}, true
	case QueueDueToday:
		return "p.state IN (?, ?, ?) AND p.deadline >= ? AND p.deadline < ?",
			append(open, db.Millis(now), db.Millis(EndOfDay(now))), true
	case QueueRework:
		return "p.state = ? AND p.rework_count > 0", []any{string(InProgress)}, true
	case QueueExtension:
		return "p.state = ? AND p.ext_requested_deadline IS NOT NULL", []any{string(InProgress)}, true
	case QueueReturned:
		return "p.state = ? AND p.return_count > 0", []any{string(Filed)}, true
	case QueueRed:
		return "p.state IN (?, ?, ?) AND p.escalation_level >= 2", open, true
	case QueueVerifyLate:
		return "p.state = ? AND p.rectified_at < ?", []any{string(Rectified), db.Millis(now.Add(-VerifyWithin))}, true
	}
	return "", nil, false
}
