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
	QueueFile       Queue = "file"        // reported, to file (待立案)
	QueueVerify     Queue = "verify"      // rectified, to verify (待核查)
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
	return []Queue{QueueFile, QueueVerify, QueueAccept, QueueDueToday, QueueRework, QueueExtension, QueueReturned, QueueRed, QueueVerifyLate}
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
// The states and the thresholds are written as literals: SQLite uses a
// partial index (migration 0017) only for a query whose terms repeat the
// index's own condition.
func (q Queue) where(now time.Time) (string, []any, bool) {
	const open = "p.state IN ('filed', 'dispatched', 'in_progress')"
	switch q {
	case QueueFile:
		return "p.state = 'reported'", nil, true
	case QueueVerify:
		return "p.state = 'rectified'", nil, true
	case QueueAccept:
		return "p.state = 'dispatched'", nil, true
	case QueueDueToday:
		return open + " AND p.deadline >= ? AND p.deadline < ?", []any{db.Millis(now), db.Millis(EndOfDay(now))}, true
	case QueueRework:
		return "p.state = 'in_progress' AND p.rework_count > 0", nil, true
	case QueueExtension:
		return "p.state = 'in_progress' AND p.ext_requested_deadline IS NOT NULL", nil, true
	case QueueReturned:
		return "p.state = 'filed' AND p.return_count > 0", nil, true
	case QueueRed:
		return open + " AND p.escalation_level >= 2", nil, true
	case QueueVerifyLate:
		return "p.state = 'rectified' AND p.rectified_at < ?", []any{db.Millis(now.Add(-VerifyWithin))}, true
	}
	return "", nil, false
}

func (q Queue) valid() bool {
	_, _, ok := q.where(time.Time{})
	return ok
}

// index is the partial index of migration 0017 that holds the queue's
// cases; "" for the queues of one unit, which its own index finds.
func (q Queue) index() string {
	switch q {
	case QueueFile:
		return "problem_queue_reported"
	case QueueVerify, QueueVerifyLate:
		return "problem_queue_rectified"
	case QueueExtension:
		return "problem_queue_extension"
	case QueueReturned:
		return "problem_queue_returned"
	case QueueRed:
		return "problem_queue_red"
	}
	return ""
}

// from is the FROM clause of the cases of f: a queue of an area is read
// through its partial index on SQLite, which otherwise prefers an index
// with statistics that reads every case in the queue's states (0.4 s for
// the red cases of a district of a million).
func (f Filter) from(hints db.Hints) string {
	if ix := f.Queue.index(); ix != "" && f.UnitID == 0 && !f.Mine {
		return " FROM " + hints.IndexedBy("problem p", ix)
	}
	return caseFrom
}
