package robot

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
)

// DigestCase is one case a daily digest lists.
type DigestCase struct {
	Code     string
	Category string
	Deadline time.Time
	URL      string // a path on the platform
}

// DigestData is what a robot's daily digest says of its unit or region:
// the counts and the cases due today and overdue (a few of each).
type DigestData struct {
	Open, DueToday, Overdue int
	DueCases, OverdueCases  []DigestCase
	ListURL                 string // the ledger filtered to the scope
}

// DigestSource reads the digest of a unit (unitID) or of a region.
type DigestSource func(ctx context.Context, unitID int64, region string, now time.Time) (DigestData, error)

// QueueDigests queues the daily digest (每日汇总) of every robot whose
// digest time has come today and whose digest was not yet queued. Every
// server runs it; the day is claimed by a conditional write, in the
// transaction that queues the message, so each robot gets one a day.
func (s *Store) QueueDigests(ctx context.Context) (int, error) {
	if s.Digest == nil {
		return 0, nil
	}
	now := s.now()
	local := now.In(calendar.Shanghai())
	today, clock := local.Format("20060102"), local.Format("15:04")
	rows, err := s.DB.Query(ctx, `SELECT id, COALESCE(unit_id, 0), region_code FROM robot WHERE enabled AND digest_at <> ''
		AND digest_at <= ? AND digest_on <> ? AND events LIKE ? ORDER BY id`, clock, today, "%,"+DailyDigest+",%")
	type due struct {
		id, unit int64
		region   string
	}
	list, err := db.Collect(rows, err, func(rows *sql.Rows) (due, error) {
		var d due
		err := rows.Scan(&d.id, &d.unit, &d.region)
		return d, err
	})
	if err != nil {
		return 0, fmt.Errorf("due digests: %w", err)
	}
	queued := 0
	for _, d := range list {
		data, err := s.Digest(ctx, d.unit, d.region, now)
		if err != nil {
			return queued, fmt.Errorf("digest of robot %d: %w", d.id, err)
		}
		e := s.digestEvent(data, local)
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			res, err := tx.Exec(ctx, "UPDATE robot SET digest_on = ? WHERE id = ? AND digest_on <> ?", today, d.id, today)
			if err != nil {
				return fmt.Errorf("claim digest: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // another server queued it
			}
			queued++
			return s.queueOne(ctx, tx, d.id, e)
		})
		if err != nil {
			return queued, err
		}
	}
	return queued, nil
}

// queueOne queues an event for one robot only (a digest is its own).
func (s *Store) queueOne(ctx context.Context, c db.Conn, robotID int64, e Event) error {
	return s.enqueueRobots(ctx, c, []int64{robotID}, e, eventID(e.Key))
}

// digestEvent writes the digest's message.
func (s *Store) digestEvent(d DigestData, local time.Time) Event {
	var b strings.Builder
	b.WriteString(s.T("robot.digest_counts", d.Open, d.DueToday, d.Overdue) + "\n")
	section := func(title string, cs []DigestCase) {
		if len(cs) == 0 {
			return
		}
		b.WriteString("\n" + title + "\n")
		for _, c := range cs {
			line := c.Code + " " + c.Category + " " + s.T("robot.digest_deadline", c.Deadline.In(calendar.Shanghai()).Format("01-02 15:04"))
			if c.URL != "" {
				line = "[" + line + "](" + s.absolute(c.URL) + ")"
			}
			b.WriteString("- " + line + "\n")
		}
	}
	section(s.T("robot.digest_overdue"), d.OverdueCases)
	section(s.T("robot.digest_due_today"), d.DueCases)
	return Event{Type: DailyDigest, Title: s.T("robot.digest_title", local.Format("2006-01-02")), Markdown: b.String(),
		URL: d.ListURL, At: s.now()}
}
