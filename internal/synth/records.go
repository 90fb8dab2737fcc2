package synth

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/problem"
)

// planned is a case placed in time, before it is numbered.
type planned struct {
	at    int64 // reported_at, unix ms
	idx   int32 // the case's number, which seeds its randomness
	state int8  // index into problem.States() of where it stands at End
}

func stateIndex(s problem.State) int8 { return int8(slices.Index(problem.States(), s)) }

func workers() int { return max(1, min(runtime.GOMAXPROCS(0), 8)) }

// plan places every case in time. Cases are numbered by report time
// afterwards, as the live system numbers them, so their times must be
// known first.
func (c *city) plan(ctx context.Context) ([]planned, error) {
	n := c.opts.Problems
	out := make([]planned, n)
	const chunk = 5000
	jobs := make(chan int)
	done := make(chan int)
	var wg sync.WaitGroup
	for range workers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := c.newSim()
			for from := range jobs {
				to := min(n, from+chunk)
				for i := from; i < to; i++ {
					sp := s.spec(i)
					t0 := s.place(&sp, i)
					s.run(&sp, i, t0)
					_, st := cut(s.ev, c.timeline.end)
					out[i] = planned{at: t0, idx: int32(i), state: stateIndex(st)}
				}
				done <- to - from
			}
		}()
	}
	go func() {
		defer close(jobs)
		for from := 0; from < n; from += chunk {
			select {
			case jobs <- from:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(done)
	}()
	finished := 0
	for k := range done {
		finished += k
		c.opts.progress(StagePlan, finished, n)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b planned) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.idx, b.idx)) })
	return out, nil
}

// The columns written. Ids are given: events refer to their case's, and
// the cities of two runs must be the same row for row.
var (
	problemCols = []string{"id", "code", "source", "category_id", "description", "address", "lng", "lat", "region_code",
		"state", "unit_id", "route_note", "reporter_id", "reporter_name", "reporter_phone", "duplicate_of", "limit_amount",
		"limit_unit", "deadline", "reported_at", "filed_at", "dispatched_at", "accepted_at", "rectified_at", "closed_at",
		"parked_until", "park_plan", "ext_requested_deadline", "ext_reason", "rework_count", "return_count",
		"extension_count", "escalation_level", "escalated_at", "notified_on", "rectified_by", "version", "updated_at",
		"verify_passes"}
	eventCols = []string{"id", "problem_id", "at", "actor_id", "action", "from_state", "to_state", "note", "data"}
)

// batchOut is one numbered run of cases, ready to insert.
type batchOut struct {
	problems, events []any
	stats            stats
}

type stats struct {
	problems, events, overdue, escalated int
	states                               map[problem.State]int
	extra                                map[string]int
	dups                                 []int64 // pairs: a duplicate's id and its original's
}

func (st *stats) add(o stats) {
	st.problems += o.problems
	st.events += o.events
	st.overdue += o.overdue
	st.escalated += o.escalated
	for k, v := range o.states {
		st.states[k] += v
	}
	for k, v := range o.extra {
		st.extra[k] += v
	}
	st.dups = append(st.dups, o.dups...)
}

// linkDuplicates sets duplicate_of, pairs of (duplicate, original) ids.
func linkDuplicates(ctx context.Context, d *db.DB, pairs []int64) error {
	return problem.LinkDuplicates(ctx, d, pairs)
}

// writeCases numbers the planned cases in time order, builds their rows in
// parallel and writes them, one transaction per batch. SQLite has one
// writer; PostgreSQL takes two batches at once, which keeps both cores
// busy (ids are assigned before, so the order of commits does not matter).
func (c *city) writeCases(ctx context.Context, plan []planned, rep *Report) error {
	base, eventBase, err := problem.NextIDs(ctx, c.db)
	if err != nil {
		return err
	}
	codes := newCoder(plan)
	restore, err := bulkMode(ctx, c.db)
	if err != nil {
		return err
	}
	defer restore()

	writers := 1
	if c.db.Dialect() == db.Postgres {
		writers = 2
	}
	problemsT := newTable("problem", "", problemCols...)
	const chunk = 20_000
	n := len(plan)
	nChunks := (n + chunk - 1) / chunk
	results := make([]chan batchOut, nChunks)
	for i := range results {
		results[i] = make(chan batchOut, 1)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var firstErr error
	var errOnce sync.Once
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err })
		cancel()
	}
	// At most a few batches are in memory at once.
	slots := make(chan struct{}, workers()+writers)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := c.newSim()
			for k := range jobs {
				from, to := k*chunk, min(n, (k+1)*chunk)
				results[k] <- s.build(plan, from, to, base, codes)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for k := range nChunks {
			select {
			case slots <- struct{}{}:
			case <-wctx.Done():
				return
			}
			select {
			case jobs <- k:
			case <-wctx.Done():
				return
			}
		}
	}()
	// Batches come out in order, so that event ids follow the cases.
	writes := make(chan batchOut)
	go func() {
		defer close(writes)
		next := eventBase
		for k := range nChunks {
			var b batchOut
			select {
			case b = <-results[k]:
			case <-wctx.Done():
				return
			}
			for i := 0; i < len(b.events); i += len(eventCols) {
				b.events[i] = next
				next++
			}
			select {
			case writes <- b:
			case <-wctx.Done():
				return
			}
		}
	}()
	done := make(chan stats)
	var ww sync.WaitGroup
	for range writers {
		ww.Add(1)
		go func() {
			defer ww.Done()
			eventsT := newTable("problem_event", "", eventCols...)
			problemsT := problemsT.clone()
			for b := range writes {
				err := c.db.InTx(wctx, func(tx *db.Tx) error {
					if err := problemsT.insert(wctx, tx, b.problems); err != nil {
						return err
					}
					return eventsT.insert(wctx, tx, b.events)
				})
				if err != nil {
					fail(err)
					return
				}
				done <- b.stats
			}
		}()
	}
	go func() {
		ww.Wait()
		close(done)
	}()
	total := stats{states: map[problem.State]int{}, extra: map[string]int{}}
	for st := range done {
		<-slots
		total.add(st)
		c.opts.progress(StageProblems, total.problems, n)
	}
	cancel()
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if total.problems != n {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fmt.Errorf("wrote %d of %d cases", total.problems, n)
	}
	if err := linkDuplicates(ctx, c.db, total.dups); err != nil {
		return err
	}
	rep.Problems, rep.Events, rep.Overdue, rep.Escalated = total.problems, total.events, total.overdue, total.escalated
	rep.States, rep.Extra = total.states, total.extra
	if err := codes.store(ctx, c.db); err != nil {
		return err
	}
	if c.db.Dialect() == db.Postgres {
		// Ids were given explicitly, so the identity sequences have not
		// moved.
		for _, t := range []string{"problem", "problem_event"} {
			if _, err := c.db.Exec(ctx, "SELECT setval(pg_get_serial_sequence('"+t+"', 'id'), (SELECT MAX(id) FROM "+t+"))"); err != nil {
				return fmt.Errorf("advance %s ids: %w", t, err)
			}
		}
	}
	return nil
}

// bulkMode speeds SQLite up for the load and returns what undoes it. The
// db package keeps a single writer connection on SQLite, so connection
// settings made through Exec hold for the transactions that follow.
// Foreign keys are not checked during the load: the generator writes only
// ids it read or made (the tests run PRAGMA foreign_key_check); a bigger
// page cache keeps the secondary indexes in memory.
func bulkMode(ctx context.Context, d *db.DB) (func(), error) {
	if d.Dialect() != db.SQLite {
		return func() {}, nil
	}
	if _, err := d.Exec(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return nil, fmt.Errorf("bulk mode: %w", err)
	}
	if _, err := d.Exec(ctx, "PRAGMA cache_size = -262144"); err != nil {
		return nil, fmt.Errorf("bulk mode: %w", err)
	}
	return func() {
		ctx := context.WithoutCancel(ctx)
		d.Exec(ctx, "PRAGMA cache_size = -2000") //nolint:errcheck // the default again; failure only costs memory
		d.Exec(ctx, "PRAGMA foreign_keys = ON")  //nolint:errcheck // as db.Open sets it
	}, nil
}

// coder gives each case its code, day-serial-numbered in report order like
// problem.Store.Report does, and records the last serial of each day.
type coder struct {
	day    []string // per position, the Shanghai day yyyymmdd
	serial []int32
	last   map[string]int32
}

func newCoder(plan []planned) *coder {
	c := &coder{day: make([]string, len(plan)), serial: make([]int32, len(plan)), last: map[string]int32{}}
	names := map[int64]string{}
	const offset = 8 * hour // Asia/Shanghai has kept UTC+8 since 1991
	for i, p := range plan {
		k := (p.at + offset) / day
		name, ok := names[k]
		if !ok {
			name = time.UnixMilli(k * day).UTC().Format("20060102")
			names[k] = name
		}
		c.last[name]++
		c.day[i], c.serial[i] = name, c.last[name]
	}
	return c
}

func (c *coder) code(i int) string {
	s := strconv.Itoa(int(c.serial[i]))
	for len(s) < 5 {
		s = "0" + s
	}
	return c.day[i] + "-" + s
}

// store sets problem_seq so that cases reported later on a generated day
// continue after the generated serials.
func (c *coder) store(ctx context.Context, d *db.DB) error {
	days := make([]string, 0, len(c.last))
	for k := range c.last {
		days = append(days, k)
	}
	slices.Sort(days)
	args := make([]any, 0, 2*len(days))
	for _, k := range days {
		args = append(args, k, c.last[k])
	}
	t := newTable("problem_seq", " ON CONFLICT (day) DO UPDATE SET n = CASE WHEN problem_seq.n > excluded.n THEN problem_seq.n ELSE excluded.n END", "day", "n")
	return d.InTx(ctx, func(tx *db.Tx) error { return t.insert(ctx, tx, args) })
}

// build makes the rows of plan[from:to], numbered from base.
func (s *sim) build(plan []planned, from, to int, base int64, codes *coder) batchOut {
	c := s.c
	end := c.timeline.end
	out := batchOut{
		problems: make([]any, 0, (to-from)*len(problemCols)),
		events:   make([]any, 0, (to-from)*6*len(eventCols)),
		stats:    stats{states: map[problem.State]int{}, extra: map[string]int{}},
	}
	var data []byte
	for pos := from; pos < to; pos++ {
		p := plan[pos]
		idx := int(p.idx)
		id := base + int64(pos)
		sp := s.spec(idx)
		var dupOf int64
		var origAt geo.Point
		if sp.target == problem.Duplicate {
			// The same problem reported again: the grid and category of an
			// earlier case that still counts, a few metres away.
			if q, ok := original(plan, pos, idx); ok {
				osp := s.spec(int(plan[q].idx))
				sp.grid, sp.cat = osp.grid, osp.cat
				dupOf = base + int64(q)
				_, origAt = s.where(int(plan[q].idx), &osp)
			} else {
				sp.target = problem.Rejected // nothing earlier to merge into
			}
		}
		text, at := s.where(idx, &sp)
		if dupOf != 0 {
			at = c.near(s.aux, origAt, sp.grid)
		}
		s.run(&sp, idx, p.at)
		n, _ := cut(s.ev, end)
		evs := s.ev[:n]
		r := reduce(evs, end)
		if r.state == problem.Duplicate {
			// Set after every batch is in: the original may be in a batch
			// another writer has not committed yet.
			out.stats.dups = append(out.stats.dups, id, dupOf)
		}
		ct := &c.cats[sp.cat]
		g := &c.grids[sp.grid]
		out.problems = append(out.problems, id, codes.code(pos), string(sp.source), ct.id, text.description, text.address,
			at.Lng, at.Lat, g.code, string(r.state), nullInt(r.unit), r.route, nullInt(sp.reporter), text.reporterName,
			text.reporterPhone, nil, ct.limitAmount, string(ct.limitUnit), nullInt(r.deadline), r.reportedAt,
			nullInt(r.filedAt), nullInt(r.dispatchedAt), nullInt(r.acceptedAt), nullInt(r.rectifiedAt), nullInt(r.closedAt),
			nullInt(r.parkedUntil), r.parkPlan, nullInt(r.extReq), r.extReason, r.rework, r.returns, r.extensions,
			r.level, nullInt(r.escalatedAt), nullText(r.notifiedOn), nullInt(r.rectifiedBy), r.version, r.updatedAt, r.passes)
		for i := range evs {
			e := &evs[i]
			data = eventData(data[:0], e, dupOf)
			out.events = append(out.events, nil, id, e.at, nullInt(e.actor), string(e.action), string(e.from), string(e.to), e.note, string(data))
		}
		st := &out.stats
		st.problems++
		st.events += len(evs)
		st.states[r.state]++
		if r.state.Open() && r.deadline != 0 && r.deadline < end {
			st.overdue++
		}
		if r.level > 0 {
			st.escalated++
		}
		for i := range evs {
			switch evs[i].action {
			case problem.ActReturn, problem.ActApproveExtension, problem.ActRefuseExtension, problem.ActPark,
				problem.ActVerifyFail, problem.ActFixOnSpot, problem.ActEscalate:
				st.extra[string(evs[i].action)]++
			}
		}
	}
	return out
}

// original picks the earlier case that duplicate pos repeats: a recent one
// that was neither rejected nor itself merged, chosen by the duplicate's
// number so that the choice is the same on every run.
func original(plan []planned, pos, idx int) (int, bool) {
	rejected, duplicate := stateIndex(problem.Rejected), stateIndex(problem.Duplicate)
	q := pos - 1 - idx%min(max(pos, 1), 300)
	for ; q >= 0 && pos-q <= 2000; q-- {
		if st := plan[q].state; st != rejected && st != duplicate && plan[q].at < plan[pos].at {
			return q, true
		}
	}
	return 0, false
}

// eventData is the JSON problem.Store writes for an action's details (a
// problem.EventData with its omitempty fields), built without reflection
// for five million events.
func eventData(b []byte, e *event, dupOf int64) []byte {
	num := func(b []byte, key string, v int64) []byte {
		b = append(b, '"')
		b = append(b, key...)
		b = append(b, `":`...)
		return strconv.AppendInt(b, v, 10)
	}
	b = append(b, '{')
	switch e.action {
	case problem.ActFile:
		b = num(b, "category_id", e.category)
	case problem.ActMerge:
		if dupOf != 0 {
			b = num(b, "duplicate_of", dupOf)
		}
	case problem.ActDispatch:
		b = num(b, "unit_id", e.unit)
		b = append(b, `,"unit_name":`...)
		b = append(b, e.unitJS...)
		b = append(b, `,"route_note":`...)
		b = append(b, e.routeJS...)
		b = append(b, ',')
		b = num(b, "deadline", e.deadline)
	case problem.ActReturn:
		b = num(b, "unit_id", e.unit)
	case problem.ActRequestExtension, problem.ActApproveExtension, problem.ActPark, problem.ActResume, problem.ActVerifyFail:
		b = num(b, "deadline", e.deadline)
	case problem.ActEscalate:
		b = num(b, "level", int64(e.level))
	}
	return append(b, '}')
}

// caseRow is a problem row as the events leave it.
type caseRow struct {
	state                                                   problem.State
	unit                                                    int64
	route                                                   string
	deadline, reportedAt, filedAt, dispatchedAt, acceptedAt int64
	rectifiedAt, closedAt, parkedUntil, extReq, escalatedAt int64
	rectifiedBy, updatedAt                                  int64
	parkPlan, extReason, notifiedOn                         string
	rework, returns, extensions, level, version, passes     int
}

// reduce applies the events to an empty row exactly as problem.Store's
// Report, Move and Escalate change it, so that row and timeline agree.
func reduce(evs []event, end int64) caseRow {
	var r caseRow
	// notify is whether the escalation job is still telling the unit every
	// day (the case is overdue and open since its last escalation).
	notify := false
	for i := range evs {
		e := &evs[i]
		if e.action == problem.ActEscalate {
			r.level, r.escalatedAt = e.level, e.at
			r.version++
			r.notifiedOn, notify = shanghaiDay(e.at), true
			continue
		}
		if notify {
			r.notifiedOn = shanghaiDay(e.at)
		}
		switch e.action {
		case problem.ActReport:
			r.reportedAt = e.at
			r.version = 0 // becomes 1 below: a new case starts at version 1
		case problem.ActFile:
			r.filedAt = e.at
		case problem.ActDispatch:
			r.unit, r.route, r.dispatchedAt, r.deadline = e.unit, e.route, e.at, e.deadline
			r.acceptedAt, r.level, r.escalatedAt = 0, 0, 0
		case problem.ActAccept:
			r.acceptedAt = e.at
		case problem.ActReturn:
			r.unit, r.deadline, r.extReq, r.extReason = 0, 0, 0, ""
			r.returns++
		case problem.ActRequestExtension:
			r.extReq, r.extReason = e.deadline, e.note
		case problem.ActApproveExtension:
			r.deadline, r.level, r.escalatedAt = r.extReq, 0, 0
			r.extensions++
			r.extReq, r.extReason = 0, ""
		case problem.ActRefuseExtension:
			r.extReq, r.extReason = 0, ""
		case problem.ActPark:
			r.parkedUntil, r.parkPlan = e.deadline, e.note
		case problem.ActResume, problem.ActVerifyFail:
			r.deadline, r.parkedUntil, r.level, r.escalatedAt = e.deadline, 0, 0, 0
			if e.action == problem.ActVerifyFail {
				r.rework++
			}
		case problem.ActRectify, problem.ActFixOnSpot:
			r.rectifiedAt, r.rectifiedBy, r.parkedUntil = e.at, e.actor, 0
			if e.action == problem.ActFixOnSpot && r.filedAt == 0 {
				r.filedAt = e.at
			}
		case problem.ActVerifyPass:
			r.closedAt = e.at
			r.passes++
		}
		r.state, r.updatedAt = e.to, e.at
		r.version++
		// The daily notices stop when the case leaves the escalated
		// states or gets a new deadline.
		switch e.action {
		case problem.ActDispatch, problem.ActApproveExtension, problem.ActResume, problem.ActVerifyFail:
			notify = false
		}
		if e.to != problem.Dispatched && e.to != problem.InProgress {
			notify = false
		}
	}
	if notify {
		r.notifiedOn = shanghaiDay(end - 1)
	}
	return r
}

// shanghaiDay is the yyyymmdd of t in Asia/Shanghai (UTC+8 since 1991).
func shanghaiDay(t int64) string {
	return time.UnixMilli(t + 8*hour).UTC().Format("20060102")
}
