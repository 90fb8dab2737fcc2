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

// batchOut is one numbered run of cases, ready to insert.
type batchOut struct {
	rows  *problem.BulkRows
	stats stats
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
	restore, err := c.db.BulkMode(ctx)
	if err != nil {
		return err
	}
	defer restore()

	writers := 1
	if c.db.Dialect() == db.Postgres {
		writers = 2
	}
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
			next = b.rows.NumberEvents(next)
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
			w := problem.NewBulkWriter()
			for b := range writes {
				err := c.db.InTx(wctx, func(tx *db.Tx) error { return w.Write(wctx, tx, b.rows) })
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
	if err := problem.LinkDuplicates(ctx, c.db, total.dups); err != nil {
		return err
	}
	rep.Problems, rep.Events, rep.Overdue, rep.Escalated = total.problems, total.events, total.overdue, total.escalated
	rep.States, rep.Extra = total.states, total.extra
	// Cases reported later on a generated day continue after its serials.
	last := make(map[string]int, len(codes.last))
	for k, v := range codes.last {
		last[k] = int(v)
	}
	return problem.FinishBulk(ctx, c.db, last)
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

// build makes the rows of plan[from:to], numbered from base.
func (s *sim) build(plan []planned, from, to int, base int64, codes *coder) batchOut {
	c := s.c
	end := c.timeline.end
	out := batchOut{
		rows:  problem.NewBulkRows(to-from, (to-from)*6),
		stats: stats{states: map[problem.State]int{}, extra: map[string]int{}},
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
		out.rows.AddCase(&problem.BulkCase{ID: id, Code: codes.code(pos), Source: sp.source, CategoryID: ct.id,
			Description: text.description, Address: text.address, Lng: at.Lng, Lat: at.Lat, RegionCode: g.code,
			State: r.state, UnitID: r.unit, RouteNote: r.route, ReporterID: sp.reporter, ReporterName: text.reporterName,
			ReporterPhone: text.reporterPhone, LimitAmount: ct.limitAmount, LimitUnit: string(ct.limitUnit),
			Deadline: r.deadline, ReportedAt: r.reportedAt, FiledAt: r.filedAt, DispatchedAt: r.dispatchedAt,
			AcceptedAt: r.acceptedAt, RectifiedAt: r.rectifiedAt, ClosedAt: r.closedAt, ParkedUntil: r.parkedUntil,
			ParkPlan: r.parkPlan, ExtRequestedDeadline: r.extReq, ExtReason: r.extReason, ReworkCount: r.rework,
			ReturnCount: r.returns, ExtensionCount: r.extensions, EscalationLevel: r.level, EscalatedAt: r.escalatedAt,
			NotifiedOn: r.notifiedOn, RectifiedBy: r.rectifiedBy, Version: r.version, UpdatedAt: r.updatedAt,
			VerifyPasses: r.passes})
		for i := range evs {
			e := &evs[i]
			data = eventData(data[:0], e, dupOf)
			out.rows.AddEvent(&problem.BulkEvent{ProblemID: id, At: e.at, ActorID: e.actor, Action: e.action, From: e.from,
				To: e.to, Note: e.note, Data: string(data)})
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
