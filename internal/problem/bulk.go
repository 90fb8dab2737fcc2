package problem

// Bulk writes for generators (the synthetic city, the demo): they write
// many cases at once, so they skip the one-case-at-a-time API.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/wenming-civic/wenming/internal/db"
)

// LinkDuplicates sets duplicate_of in bulk from pairs of (duplicate,
// original) ids, 500 cases a statement: the synthetic city links its
// duplicates this way after writing them.
func LinkDuplicates(ctx context.Context, d db.Conn, pairs []int64) error {
	const step = 500
	for from := 0; from < len(pairs); from += 2 * step {
		part := pairs[from:min(len(pairs), from+2*step)]
		var cases strings.Builder
		args := make([]any, 0, len(part)+len(part)/2)
		for i := 0; i < len(part); i += 2 {
			cases.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
			args = append(args, part[i], part[i+1])
		}
		for i := 0; i < len(part); i += 2 {
			args = append(args, part[i])
		}
		q := "UPDATE problem SET duplicate_of = CASE id" + cases.String() + " END WHERE id IN (" + db.Placeholders(len(part)/2) + ")"
		if _, err := d.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("link duplicates: %w", err)
		}
	}
	return nil
}

// NextIDs returns the next free case and event ids, for a generator that
// assigns ids before writing rows in parallel.
func NextIDs(ctx context.Context, c db.Conn) (caseID, eventID int64, err error) {
	if err := c.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM problem").Scan(&caseID); err != nil {
		return 0, 0, fmt.Errorf("next problem id: %w", err)
	}
	if err := c.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM problem_event").Scan(&eventID); err != nil {
		return 0, 0, fmt.Errorf("next event id: %w", err)
	}
	return caseID, eventID, nil
}

// BulkCase is a case row for BulkRows, as its events leave it (the
// generator derives it from them as Report, Move and Escalate would).
// Times are unix milliseconds and ids positive; 0 stands for none.
// DuplicateOf is set afterwards by LinkDuplicates.
type BulkCase struct {
	ID                          int64
	Code                        string
	Source                      Source
	CategoryID                  int64
	Description, Address        string
	Lng, Lat                    float64
	RegionCode                  string
	State                       State
	UnitID                      int64
	RouteNote                   string
	ReporterID                  int64
	ReporterName, ReporterPhone string
	LimitAmount                 int
	LimitUnit                   string
	Deadline, ReportedAt        int64
	FiledAt, DispatchedAt       int64
	AcceptedAt, RectifiedAt     int64
	ClosedAt, ParkedUntil       int64
	ParkPlan                    string
	ExtRequestedDeadline        int64
	ExtReason                   string
	ReworkCount, ReturnCount    int
	ExtensionCount              int
	EscalationLevel             int
	EscalatedAt                 int64
	NotifiedOn                  string // yyyymmdd, "" for none
	RectifiedBy                 int64
	Version                     int
	UpdatedAt                   int64
	VerifyPasses                int
}

// BulkEvent is a timeline row for BulkRows; Data is the JSON of an
// EventData. An ID of 0 is given by BulkRows.NumberEvents.
type BulkEvent struct {
	ID, ProblemID, At, ActorID int64
	Action                     Action
	From, To                   State
	Note, Data                 string
}

// The columns bulk writes fill. Ids are given: events refer to their
// case's, and two runs of a generator must write the same rows.
var (
	bulkCaseCols = []string{"id", "code", "source", "category_id", "description", "address", "lng", "lat", "region_code",
		"state", "unit_id", "route_note", "reporter_id", "reporter_name", "reporter_phone", "duplicate_of", "limit_amount",
		"limit_unit", "deadline", "reported_at", "filed_at", "dispatched_at", "accepted_at", "rectified_at", "closed_at",
		"parked_until", "park_plan", "ext_requested_deadline", "ext_reason", "rework_count", "return_count",
		"extension_count", "escalation_level", "escalated_at", "notified_on", "rectified_by", "version", "updated_at",
		"verify_passes"}
	bulkEventCols = []string{"id", "problem_id", "at", "actor_id", "action", "from_state", "to_state", "note", "data"}
)

// BulkRows collects cases and events for one BulkWriter.Write, already
// as statement arguments, so that generators build them in parallel.
type BulkRows struct {
	cases, events []any
}

// NewBulkRows makes room for about cases cases and events events.
func NewBulkRows(cases, events int) *BulkRows {
	return &BulkRows{cases: make([]any, 0, cases*len(bulkCaseCols)), events: make([]any, 0, events*len(bulkEventCols))}
}

// bulkNull is an optional id or time: 0 is NULL.
func bulkNull(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// AddCase appends a case.
func (r *BulkRows) AddCase(c *BulkCase) {
	var notified any
	if c.NotifiedOn != "" {
		notified = c.NotifiedOn
	}
	r.cases = append(r.cases, c.ID, c.Code, string(c.Source), c.CategoryID, c.Description, c.Address, c.Lng, c.Lat,
		c.RegionCode, string(c.State), bulkNull(c.UnitID), c.RouteNote, bulkNull(c.ReporterID), c.ReporterName,
		c.ReporterPhone, nil, c.LimitAmount, c.LimitUnit, bulkNull(c.Deadline), c.ReportedAt, bulkNull(c.FiledAt),
		bulkNull(c.DispatchedAt), bulkNull(c.AcceptedAt), bulkNull(c.RectifiedAt), bulkNull(c.ClosedAt),
		bulkNull(c.ParkedUntil), c.ParkPlan, bulkNull(c.ExtRequestedDeadline), c.ExtReason, c.ReworkCount, c.ReturnCount,
		c.ExtensionCount, c.EscalationLevel, bulkNull(c.EscalatedAt), notified, bulkNull(c.RectifiedBy), c.Version,
		c.UpdatedAt, c.VerifyPasses)
}

// AddEvent appends an event.
func (r *BulkRows) AddEvent(e *BulkEvent) {
	r.events = append(r.events, bulkNull(e.ID), e.ProblemID, e.At, bulkNull(e.ActorID), string(e.Action), string(e.From),
		string(e.To), e.Note, e.Data)
}

// Cases and Events count the rows added.
func (r *BulkRows) Cases() int  { return len(r.cases) / len(bulkCaseCols) }
func (r *BulkRows) Events() int { return len(r.events) / len(bulkEventCols) }

// NumberEvents gives the events, in the order added, the ids from next on,
// and returns the next free id: batches built in parallel are numbered in
// the order they are written.
func (r *BulkRows) NumberEvents(next int64) int64 {
	for i := 0; i < len(r.events); i += len(bulkEventCols) {
		r.events[i] = next
		next++
	}
	return next
}

// BulkWriter writes BulkRows; one a goroutine.
type BulkWriter struct {
	cases, events *db.Batch
}

// NewBulkWriter returns a writer with its own statement cache.
func NewBulkWriter() *BulkWriter {
	return &BulkWriter{cases: db.NewBatch("problem", "", bulkCaseCols...), events: db.NewBatch("problem_event", "", bulkEventCols...)}
}

// Write inserts the rows in tx, cases first. Every event must have an id.
func (w *BulkWriter) Write(ctx context.Context, tx *db.Tx, r *BulkRows) error {
	if err := w.cases.Insert(ctx, tx, r.cases); err != nil {
		return err
	}
	return w.events.Insert(ctx, tx, r.events)
}

// FinishBulk ends a bulk load: lastSerial holds, per day (yyyymmdd), the
// last serial number given to a generated case code, so that cases
// reported later that day continue after it; and the id sequences are
// moved past the ids given explicitly.
func FinishBulk(ctx context.Context, d *db.DB, lastSerial map[string]int) error {
	days := make([]string, 0, len(lastSerial))
	for k := range lastSerial {
		days = append(days, k)
	}
	slices.Sort(days)
	args := make([]any, 0, 2*len(days))
	for _, k := range days {
		args = append(args, k, lastSerial[k])
	}
	t := db.NewBatch("problem_seq", " ON CONFLICT (day) DO UPDATE SET n = CASE WHEN problem_seq.n > excluded.n THEN problem_seq.n ELSE excluded.n END", "day", "n")
	if err := d.InTx(ctx, func(tx *db.Tx) error { return t.Insert(ctx, tx, args) }); err != nil {
		return fmt.Errorf("finish bulk load: %w", err)
	}
	for _, table := range []string{"problem", "problem_event"} {
		if err := db.AdvanceIdentity(ctx, d, table); err != nil {
			return fmt.Errorf("finish bulk load: %w", err)
		}
	}
	return nil
}
