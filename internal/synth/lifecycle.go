package synth

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/problem"
)

// Randomness comes in independent streams, so that a change in one kind of
// draw does not reshuffle everything else. Each case has its own streams,
// keyed by its number; the city has a few more.
const (
	streamSpec  uint64 = iota // what and where: target state, source, category, grid, reporter
	streamLife                // the life cycle: delays and decisions
	streamPlace               // where in time the case falls
	streamText                // position, description, address, names
	caseStreams = 8
)

const (
	streamGrids uint64 = 1<<60 + iota
	streamUnits
	streamContacts // unused since demo.AddContacts names the heads; kept so the streams after it keep their numbers
	streamUsers
	streamHandlers
	streamDays
)

// Times are unix milliseconds throughout the generator.
const (
	minute = int64(60_000)
	hour   = 60 * minute
	day    = 24 * hour
)

// stateMix is how the cases stand at End: most are closed, a working
// backlog is open, a few were rejected or merged.
func stateMix() []weighted[problem.State] {
	return []weighted[problem.State]{
		{problem.Closed, 75}, {problem.InProgress, 8}, {problem.Dispatched, 4}, {problem.Rectified, 3},
		{problem.Parked, 2}, {problem.Reported, 3}, {problem.Filed, 2}, {problem.Rejected, 2}, {problem.Duplicate, 1},
	}
}

// sourceMix: most cases come from cadres' snapshots and inspections; the
// hotline and citizens add a third.
func sourceMix() []weighted[problem.Source] {
	return []weighted[problem.Source]{
		{problem.SourceSnapshot, 30}, {problem.SourceInspection, 25}, {problem.SourceCitizen, 14}, {problem.SourceHotline, 15},
		{problem.SourceMedia, 3}, {problem.SourceSuperior, 5}, {problem.SourceCamera, 5}, {problem.SourceAPI, 2}, {problem.SourceOther, 1},
	}
}

type weighted[T any] struct {
	v T
	w float64
}

// chooser picks from weighted values.
type chooser[T any] struct {
	vals []T
	cum  []float64
}

func newChooser[T any](ws []weighted[T]) chooser[T] {
	var c chooser[T]
	sum := 0.0
	for _, w := range ws {
		sum += w.w
		c.vals = append(c.vals, w.v)
		c.cum = append(c.cum, sum)
	}
	return c
}

func (c chooser[T]) pick(rng *rand.Rand) T { return c.vals[pickCum(c.cum, rng)] }

// pickCum returns an index with probability proportional to its weight,
// given cumulative weights.
func pickCum(cum []float64, rng *rand.Rand) int {
	x := rng.Float64() * cum[len(cum)-1]
	i, _ := slices.BinarySearch(cum, x)
	return min(i, len(cum)-1)
}

// spec is what a case is about, drawn before its life cycle.
type spec struct {
	target   problem.State
	source   problem.Source
	cat      int // index into city.cats
	grid     int // index into city.grids
	reporter int64
}

// event is one timeline entry in the making.
type event struct {
	at       int64
	actor    int64
	action   problem.Action
	from, to problem.State
	note     string
	unit     int64  // dispatch: the new unit; return: the unit returning it
	route    string // dispatch: the route note
	routeJS  string // the same as a JSON string
	unitJS   string // dispatch: the unit's name as a JSON string
	deadline int64  // dispatch, extension, park, resume, verify_fail
	category int64  // file
	level    int    // escalate
}

// sim runs the life cycle of one case at a time. Every draw it makes
// depends only on earlier draws, never on the times computed from the
// calendar, so that running a case again from another start time makes the
// same decisions: placing a case in time relies on that.
type sim struct {
	c     *city
	lsrc  *rand.PCG // life-cycle stream
	life  *rand.Rand
	asrc  *rand.PCG // the spec, place and text streams, one at a time
	aux   *rand.Rand
	words *vocab
	ev    []event

	state     problem.State
	limit     int
	limitUnit calendar.Unit
	// The current escalation segment: the case waits in dispatched or
	// in_progress against deadline dl, as the escalation job sees it.
	escOn        bool
	segStart, dl int64
	red          int64 // when the job would raise red: twice the limit
	level        int
	jy, jr       int64 // how long after each threshold the job's next run falls
}

func (c *city) newSim() *sim {
	s := &sim{c: c, lsrc: rand.NewPCG(0, 0), asrc: rand.NewPCG(0, 0), words: newVocab()}
	s.life, s.aux = rand.New(s.lsrc), rand.New(s.asrc)
	return s
}

func (s *sim) seedAux(idx int, stream uint64) {
	s.asrc.Seed(uint64(s.c.opts.Seed), uint64(idx)*caseStreams+stream)
}

// spec draws what case idx is about.
func (s *sim) spec(idx int) spec {
	s.seedAux(idx, streamSpec)
	c, r := s.c, s.aux
	sp := spec{target: c.states.pick(r), source: c.sources.pick(r), cat: pickCum(c.catCum, r), grid: pickCum(c.gridCum, r)}
	who := r.Float64()
	switch sp.source {
	case problem.SourceCitizen:
		// The public form: no account.
	case problem.SourceSnapshot:
		sp.reporter = c.reporters[int(who*float64(len(c.reporters)))]
	case problem.SourceInspection:
		sp.reporter = c.inspectors[int(who*float64(len(c.inspectors)))]
	default:
		// Hotline, media, superior, camera, API: entered by the office.
		sp.reporter = c.office[int(who*float64(len(c.office)))]
	}
	return sp
}

// between draws a duration in [lo, hi).
func (s *sim) between(lo, hi int64) int64 { return lo + s.life.Int64N(hi-lo) }

// mix draws from a few ranges with the given chances: most waits are
// short, a few are long.
func (s *sim) mix(p []float64, ranges [][2]int64) int64 {
	x := s.life.Float64()
	for i, pi := range p {
		if x < pi || i == len(p)-1 {
			return s.between(ranges[i][0], ranges[i][1])
		}
		x -= pi
	}
	return 0
}

func (s *sim) filingDelay() int64 {
	return s.mix([]float64{0.6, 0.3, 0.08, 0.02}, [][2]int64{{5 * minute, hour}, {hour, 8 * hour}, {8 * hour, 3 * day}, {3 * day, 15 * day}})
}

func (s *sim) dispatchDelay() int64 {
	return s.mix([]float64{0.85, 0.12, 0.03}, [][2]int64{{minute, 20 * minute}, {20 * minute, 8 * hour}, {8 * hour, 5 * day}})
}

func (s *sim) acceptDelay() int64 {
	return s.mix([]float64{0.7, 0.25, 0.05}, [][2]int64{{5 * minute, 2 * hour}, {2 * hour, day}, {day, 5 * day}})
}

func (s *sim) verifyDelay() int64 {
	return s.mix([]float64{0.6, 0.35, 0.05}, [][2]int64{{hour, 8 * hour}, {8 * hour, 3 * day}, {3 * day, 10 * day}})
}

func (s *sim) pick(list []string) string { return list[s.life.IntN(len(list))] }

// deadline applies times × the case's limit to from on the working calendar.
func (s *sim) deadline(from int64, times int) int64 {
	return s.c.cal.Deadline(time.UnixMilli(from), s.limit*times, s.limitUnit).UnixMilli()
}

// move records an action, after the escalations the job would have raised
// before it.
func (s *sim) move(at, actor int64, act problem.Action, to problem.State, note string, e event) {
	s.escalateUntil(at)
	e.at, e.actor, e.action, e.from, e.to, e.note = at, actor, act, s.state, to, note
	s.ev = append(s.ev, e)
	s.state = to
	if to != problem.Dispatched && to != problem.InProgress {
		s.escOn = false
	}
}

// startSegment begins waiting against a new deadline: dispatch, approved
// extension, resume and failed verification all reset the level to 0.
func (s *sim) startSegment(at, deadline int64) {
	s.escOn, s.segStart, s.dl, s.level = true, at, deadline, 0
	s.red = s.deadline(deadline, 1)
	s.jy, s.jr = s.between(0, 5*minute), s.between(0, 5*minute)
}

// escalateUntil emits the escalations due before t, as problem.Escalate
// raises them: yellow once the deadline has passed, red once twice the
// limit has (straight to red if the job first sees the case then).
func (s *sim) escalateUntil(t int64) {
	if !s.escOn {
		return
	}
	y := max(s.dl, s.segStart) + s.jy
	if s.level < 1 && y < t {
		lvl := 1
		if y >= s.red {
			lvl = 2
		}
		s.escalate(y, lvl)
	}
	r := max(s.red, s.segStart, y+minute) + s.jr
	if s.level < 2 && r < t {
		s.escalate(r, 2)
	}
}

func (s *sim) escalate(at int64, level int) {
	s.ev = append(s.ev, event{at: at, action: problem.ActEscalate, from: s.state, to: s.state, level: level})
	s.level = level
}

func (s *sim) dispatch(at, actor, unit int64, unitJSON, note, noteJSON string) {
	dl := s.deadline(at, 1)
	s.move(at, actor, problem.ActDispatch, problem.Dispatched, "",
		event{unit: unit, unitJS: unitJSON, route: note, routeJS: noteJSON, deadline: dl})
	s.startSegment(at, dl)
}

// run plays the whole life of case sp reported at t0, up to its closure
// (or rejection, or merger): s.ev holds the events in time order. Where the
// case stands at End is decided afterwards by cutting the timeline.
func (s *sim) run(sp *spec, idx int, t0 int64) {
	s.lsrc.Seed(uint64(s.c.opts.Seed), uint64(idx)*caseStreams+streamLife)
	c, w := s.c, s.words
	ct := &c.cats[sp.cat]
	r := &c.routes[sp.cat][c.grids[sp.grid].comm]
	s.limit, s.limitUnit = ct.limitAmount, ct.limitUnit
	s.ev, s.state, s.escOn = s.ev[:0], "", false
	office := c.office[s.life.IntN(len(c.office))]
	t := t0
	s.move(t, sp.reporter, problem.ActReport, problem.Reported, "", event{})

	switch sp.target {
	case problem.Rejected:
		t += s.filingDelay()
		s.move(t, office, problem.ActReject, problem.Rejected, s.pick(w.rejects), event{})
		return
	case problem.Duplicate:
		fileFirst, d1, d2 := s.life.Float64() < 0.4, s.filingDelay(), s.between(10*minute, day)
		if fileFirst {
			t += d1
			s.move(t, office, problem.ActFile, problem.Filed, "", event{category: ct.id})
		}
		t += d2
		s.move(t, office, problem.ActMerge, problem.Duplicate, "", event{})
		return
	}

	// 立拍立改: an inspector fixes a small problem on the spot.
	if sp.source == problem.SourceInspection && (sp.target == problem.Closed || sp.target == problem.Rectified ||
		sp.target == problem.Reported) && s.life.Float64() < 0.2 {
		t += s.between(2*minute, 30*minute)
		s.move(t, sp.reporter, problem.ActFixOnSpot, problem.Rectified, s.pick(w.rectifies), event{})
		t += s.verifyDelay()
		// The office verifies: the inspector who fixed it may not.
		s.move(t, office, problem.ActVerifyPass, problem.Closed, s.pick(w.passes), event{})
		return
	}

	t += s.filingDelay()
	s.move(t, office, problem.ActFile, problem.Filed, "", event{category: ct.id})
	returned := s.life.Float64() < 0.03
	t += s.dispatchDelay()
	unit, handler := r.unit, r.handler
	s.dispatch(t, office, unit, r.unitJSON, r.note, r.noteJSON)
	if returned {
		t += s.between(10*minute, day)
		s.move(t, handler, problem.ActReturn, problem.Filed, s.pick(w.returns), event{unit: unit})
		t += s.between(10*minute, 6*hour)
		unit, handler = r.altUnit, r.altHandler
		s.dispatch(t, office, unit, r.altJSON, "hand|", `"hand|"`)
	}
	t += s.acceptDelay()
	s.move(t, handler, problem.ActAccept, problem.InProgress, "", event{})

	ext, extOK := s.life.Float64() < 0.05, s.life.Float64() < 0.8
	extPos, extTimes, extWait := s.life.Float64(), 1+s.life.IntN(3), s.between(30*minute, 2*day)
	if ext {
		t += int64((0.2 + 0.6*extPos) * float64(max(s.dl-t, 10*minute)))
		// The new deadline must lie after both the current one and now.
		req := max(s.deadline(s.dl, extTimes), s.deadline(t, 1))
		s.move(t, handler, problem.ActRequestExtension, problem.InProgress, s.pick(w.extensions), event{deadline: req})
		t += extWait
		if extOK {
			s.move(t, office, problem.ActApproveExtension, problem.InProgress, "", event{deadline: req})
			s.startSegment(t, req)
		} else {
			s.move(t, office, problem.ActRefuseExtension, problem.InProgress, s.pick(w.refusals), event{})
		}
	}

	parkDraw := s.life.Float64()
	parkAfter, parkFor, resume, drift := s.between(hour, 3*day), s.between(30*day, 180*day), s.life.Float64() < 0.6, s.between(-10*day, 10*day)
	if sp.target == problem.Parked || parkDraw < 0.015 {
		t += parkAfter
		until := t + parkFor
		s.move(t, handler, problem.ActPark, problem.Parked, s.pick(w.plans), event{deadline: until})
		t = max(t+day, until+drift)
		if resume {
			dl := s.deadline(t, 1)
			s.move(t, handler, problem.ActResume, problem.InProgress, "", event{deadline: dl})
			s.startSegment(t, dl)
		}
	}

	for cycle := 0; ; cycle++ {
		onTime, u, late, wait := s.life.Float64() < 0.85, s.life.Float64(), s.life.ExpFloat64(), s.verifyDelay()
		// Most checks are made before the deadline runs out, for the
		// closure (not the rectification) is what counts as on time.
		prompt, v := s.life.Float64() < 0.9, 0.1+0.8*s.life.Float64()
		// A few cases get stuck for weeks (an owner who cannot be found,
		// a repair that needs a contractor): the old overdue backlog.
		stuck, stuckFor := s.life.Float64() < 0.03, s.between(3*day, 45*day)
		failChance := 0.0
		switch cycle {
		case 0:
			failChance = 0.08
		case 1:
			failChance = 0.04
		}
		fail := s.life.Float64() < failChance
		inspector := c.inspectors[s.life.IntN(len(c.inspectors))]
		var at int64
		switch {
		case s.state == problem.Parked:
			at = t + minute + int64(u*float64(day))
		case stuck && cycle == 0:
			at = max(s.dl, t) + stuckFor
		case onTime && s.dl > t:
			at = t + max(minute, int64(u*float64(s.dl-t)))
		default:
			// Late: some time after the deadline, longer for longer limits.
			window := max(s.dl-s.segStart, 4*hour)
			at = max(s.dl, t) + 10*minute + int64(late*float64(window))
		}
		s.move(at, handler, problem.ActRectify, problem.Rectified, s.pick(w.rectifies), event{})
		t = at + wait
		if prompt && at < s.dl {
			t = at + max(minute, int64(v*float64(s.dl-at)))
		}
		if fail {
			dl := s.deadline(t, 1)
			s.move(t, inspector, problem.ActVerifyFail, problem.InProgress, s.pick(w.fails), event{deadline: dl})
			s.startSegment(t, dl)
			continue
		}
		s.move(t, inspector, problem.ActVerifyPass, problem.Closed, s.pick(w.passes), event{})
		return
	}
}

// cut returns how many events happened before end, and the state then.
func cut(ev []event, end int64) (int, problem.State) {
	n := 0
	for n < len(ev) && ev[n].at < end {
		n++
	}
	if n == 0 {
		return 0, ""
	}
	return n, ev[n-1].to
}

// terminal states end a case's life.
func terminal(s problem.State) bool {
	return s == problem.Closed || s == problem.Rejected || s == problem.Duplicate
}

// dwell finds the k-th (mod their number) time the case enters state st by
// a move, and returns when it entered and when the next move took it on.
func dwell(ev []event, st problem.State, k int) (from, to int64, ok bool) {
	var idx []int
	for i, e := range ev {
		if e.to == st && e.action != problem.ActEscalate {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return 0, 0, false
	}
	i := idx[k%len(idx)]
	for j := i + 1; j < len(ev); j++ {
		if ev[j].action != problem.ActEscalate {
			return ev[i].at, ev[j].at, true
		}
	}
	return ev[i].at, ev[i].at + 30*day, true
}

// place finds the report time of case idx so that at End it stands in its
// target state: a closed case has finished before End; an open one is
// somewhere in its stay in that state, at a uniformly drawn point of it —
// so open cases are as old as the waits that keep them open. Because the
// calendar makes durations depend on the start, the case is run again
// after each shift until it fits (a few runs at most).
func (s *sim) place(sp *spec, idx int) int64 {
	c := s.c
	s.seedAux(idx, streamPlace)
	start, end := c.timeline.start, c.timeline.end
	t0 := c.randomTime(s.aux)
	if terminal(sp.target) {
		for range 6 {
			s.run(sp, idx, t0)
			last := s.ev[len(s.ev)-1].at
			if last < end {
				break
			}
			t0 -= last - end + hour + s.aux.Int64N(5*day)
		}
		return max(t0, start)
	}
	k, f := s.aux.IntN(4), s.aux.Float64()
	t0 = end - 30*day
	for i := range 6 {
		s.run(sp, idx, t0)
		from, to, ok := dwell(s.ev, sp.target, k)
		if !ok {
			break
		}
		if i > 0 && from < end && end <= to {
			break
		}
		t0 += end - (from + int64(f*float64(to-from)))
		if t0 < start {
			// Longer than the whole span (a long-parked case): it was
			// reported at the start.
			return start + s.aux.Int64N(day)
		}
	}
	// Reported before End, whatever happened to the state.
	return min(t0, end-minute)
}
