package problem

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/workbench"
)

// Workbench is the ledger's part of the workbench (a workbench.Source):
// the office's queues (待立案, 退回, 延期申请, 红色督办, 核查超时) and the
// day's figures, a unit's queues (待签收, 今日到期, 已超期, 返工) with the
// working time left, an inspector's cases to verify, a leader's figures
// and black list (黑榜), a citizen's own reports. Every queue is a ledger Filter:
// its count is Count of that filter and its link opens the same filter in
// the ledger, so the two always agree.
type Workbench struct {
	Store *Store
	Hours HoursCounter // working time left before deadlines; nil: the deadline alone
}

// BlackListMin is how many cases (filed − parked) a unit needs in the week
// to be put on the black list (黑榜): one late case of one is no ranking.
const BlackListMin = 3

// Items implements workbench.Source.
func (w Workbench) Items(ctx context.Context, a access.Actor) ([]workbench.Item, error) {
	var out []workbench.Item
	add := func(items []workbench.Item, err error) error {
		out = append(out, items...)
		return err
	}
	regional := a.IsAdmin() || a.HasAny(access.RoleOffice, access.RoleLeader, access.RoleInspector) && a.Region != ""
	area := a.Region
	if a.IsAdmin() {
		area = ""
	}
	if a.IsAdmin() || a.Has(access.RoleOffice) && a.Region != "" {
		if err := add(w.officeQueues(ctx, a, area)); err != nil {
			return nil, err
		}
	}
	if a.Has(access.RoleHandler) && a.UnitID != 0 {
		if err := add(w.unitQueues(ctx, a)); err != nil {
			return nil, err
		}
	}
	if a.Has(access.RoleInspector) && a.Region != "" {
		f := Filter{Region: a.Region, Queue: QueueVerify, Sort: "rectified"}
		note := w.rectifiedNote
		if lng, lat, ok := workbench.PositionOf(ctx); ok {
			// On the phone, with its position: the nearest first, each
			// with how far it is.
			here := geo.Point{Lng: lng, Lat: lat}
			f.Near = &here
			note = func(ctx context.Context, c *Case, now time.Time) (workbench.Text, workbench.Tone, error) {
				t, tone, err := w.rectifiedNote(ctx, c, now)
				if err != nil || !c.HasPlace {
					return t, tone, err
				}
				km := geo.DistanceMeters(here, geo.Point{Lng: c.Lng, Lat: c.Lat}) / 1000
				return workbench.T("workbench.note.rectified_near", shortTime(c.RectifiedAt), km), tone, nil
			}
		}
		if err := add(w.queue(ctx, a, "problem/verify", "workbench.problem.verify", f, workbench.Warn, note)); err != nil {
			return nil, err
		}
	}
	if a.Has(access.RoleLeader) && a.Region != "" && !a.Has(access.RoleOffice) {
		f := Filter{Region: a.Region, Queue: QueueRed, Sort: "due"}
		if err := add(w.queue(ctx, a, "problem/red", "workbench.problem.red", f, workbench.Danger, w.deadlineNote)); err != nil {
			return nil, err
		}
		if err := add(w.blackList(ctx, area)); err != nil {
			return nil, err
		}
	}
	if regional && a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader) {
		if err := add(w.figures(ctx, area)); err != nil {
			return nil, err
		}
	}
	if !a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler, access.RoleInspector) {
		mine, err := w.queue(ctx, a, "problem/mine", "workbench.problem.mine", Filter{Mine: true}, workbench.Normal, stateNote)
		if err != nil {
			return nil, err
		}
		for i := range mine {
			mine[i].Section = workbench.SectionMine
		}
		out = append(out, mine...)
	}
	return out, nil
}

// caseNote writes the line under one case of a queue.
type caseNote func(context.Context, *Case, time.Time) (workbench.Text, workbench.Tone, error)

// queueSpec is one queue of a workbench: its kind, title, cases and tone.
type queueSpec struct {
	kind, title string
	f           Filter
	tone        workbench.Tone
	note        caseNote
}

// queues makes the items of specs, in order.
func (w Workbench) queues(ctx context.Context, a access.Actor, specs []queueSpec) ([]workbench.Item, error) {
	var out []workbench.Item
	for _, sp := range specs {
		items, err := w.queue(ctx, a, sp.kind, sp.title, sp.f, sp.tone, sp.note)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// officeQueues are the decisions waiting for the office of area ("" for
// everywhere): the region filter keeps the cases it reported elsewhere
// out, so the ledger behind each link shows exactly the counted cases.
func (w Workbench) officeQueues(ctx context.Context, a access.Actor, area string) ([]workbench.Item, error) {
	return w.queues(ctx, a, []queueSpec{
		{"problem/file", "workbench.problem.file", Filter{Region: area, Queue: QueueFile, Sort: "old"}, workbench.Warn, reportedNote},
		{"problem/returned", "workbench.problem.returned", Filter{Region: area, Queue: QueueReturned, Sort: "old"}, workbench.Warn, returnedNote},
		{"problem/extension", "workbench.problem.extension", Filter{Region: area, Queue: QueueExtension, Sort: "deadline"}, workbench.Warn, extensionNote},
		{"problem/red", "workbench.problem.red", Filter{Region: area, Queue: QueueRed, Sort: "due"}, workbench.Danger, w.deadlineNote},
		{"problem/verify_late", "workbench.problem.verify_late", Filter{Region: area, Queue: QueueVerifyLate, Sort: "rectified"}, workbench.Danger, w.rectifiedNote},
	})
}

// unitQueues are the cases of the handler's own unit to work on, each
// with the working time left before its deadline.
func (w Workbench) unitQueues(ctx context.Context, a access.Actor) ([]workbench.Item, error) {
	u := a.UnitID
	specs := []queueSpec{
		{"problem/accept", "workbench.problem.accept", Filter{UnitID: u, Queue: QueueAccept, Sort: "deadline"}, workbench.Warn, w.deadlineNote},
		{"problem/today", "workbench.problem.today", Filter{UnitID: u, Queue: QueueDueToday, Sort: "deadline"}, workbench.Warn, w.deadlineNote},
		{"problem/overdue", "workbench.problem.overdue", Filter{UnitID: u, Overdue: true, Sort: "deadline"}, workbench.Danger, w.deadlineNote},
		{"problem/rework", "workbench.problem.rework", Filter{UnitID: u, Queue: QueueRework, Sort: "deadline"}, workbench.Warn, w.deadlineNote},
	}
	if SupervisesUnits(a) {
		// Under 属地管理 a street answers for its communities: their
		// overdue cases, read-only to it, to chase.
		specs = append(specs, queueSpec{"problem/below_overdue", "workbench.problem.below_overdue",
			Filter{Below: true, Overdue: true, Sort: "deadline"}, workbench.Danger, w.deadlineNote})
	}
	return w.queues(ctx, a, specs)
}

// queue is one to-do item: the exact count of f, its first cases with a
// note each, and the ledger link of f.
func (w Workbench) queue(ctx context.Context, a access.Actor, kind, title string, f Filter, tone workbench.Tone,
	note caseNote) ([]workbench.Item, error) {
	n, err := w.Store.Count(ctx, a, f)
	if err != nil {
		return nil, err
	}
	it := workbench.Item{Kind: kind, Section: workbench.SectionTodo, Title: workbench.T(title), Count: n, Link: LedgerLink(f),
		Tone: workbench.Normal}
	if n == 0 {
		return []workbench.Item{it}, nil
	}
	it.Tone = tone
	cases, err := w.Store.first(ctx, a, f, workbench.MaxEntries)
	if err != nil {
		return nil, err
	}
	now := w.Store.Now()
	for _, c := range cases {
		e := workbench.Entry{Label: caseLabel(c), Tone: workbench.Normal}
		if CanSee(a, c) {
			e.Link = "/problems/" + strconv.FormatInt(c.ID, 10)
		}
		if e.Note, e.Tone, err = note(ctx, c, now); err != nil {
			return nil, err
		}
		it.Entries = append(it.Entries, e)
	}
	return []workbench.Item{it}, nil
}

// first reads the first cases of f in its order, without counting them:
// the ids from the queue's index first, then those few rows (sorting the
// rows themselves would read every case of the queue).
func (s *Store) first(ctx context.Context, a access.Actor, f Filter, limit int) ([]*Case, error) {
	where, args := f.whereFor(a, s.Now(), s.DB.Dialect(), s.DB.Dialect().Hints())
	rows, err := s.DB.Query(ctx, "SELECT p.id"+f.from(s.DB.Dialect().Hints())+" WHERE "+where+f.order()+" LIMIT ?", append(args, limit)...)
	ids, err := db.Collect(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil || len(ids) == 0 {
		return nil, wrapErr("first problems", err)
	}
	idArgs := make([]any, len(ids))
	for i, id := range ids {
		idArgs[i] = id
	}
	rows, err = s.DB.Query(ctx, "SELECT "+caseColumns+caseFrom+" WHERE p.id IN ("+db.Placeholders(len(ids))+")", idArgs...)
	cases, err := db.Collect(rows, err, func(r *sql.Rows) (*Case, error) { return scanCase(r) })
	if err != nil {
		return nil, fmt.Errorf("first problems: %w", err)
	}
	byID := make(map[int64]*Case, len(cases))
	for _, c := range cases {
		byID[c.ID] = c
	}
	out := make([]*Case, 0, len(ids))
	for _, id := range ids {
		if c := byID[id]; c != nil {
			out = append(out, c)
		}
	}
	return out, s.withNames(ctx, s.DB, out)
}

func wrapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// LedgerLink is the ledger page showing the cases of f (the fields a
// workbench queue uses), read back by the ledger's own filter.
func LedgerLink(f Filter) string {
	q := url.Values{}
	for _, st := range f.States {
		q.Add("state", string(st))
	}
	if f.UnitID != 0 {
		q.Set("unit", strconv.FormatInt(f.UnitID, 10))
	}
	if f.Region != "" {
		q.Set("region", f.Region)
	}
	if f.Queue != "" {
		q.Set("todo", string(f.Queue))
	}
	if f.Overdue {
		q.Set("overdue", "1")
	}
	if f.Below {
		q.Set("below", "1")
	}
	if f.Escalation > 0 {
		q.Set("escalation", strconv.Itoa(f.Escalation))
	}
	if f.Mine {
		q.Set("mine", "1")
	}
	if f.Sort != "" {
		q.Set("sort", f.Sort)
	}
	if len(q) == 0 {
		return "/problems"
	}
	return "/problems?" + q.Encode()
}

// caseLabel is a case's code and the start of its description.
func caseLabel(c *Case) string {
	d := c.Description
	if utf8.RuneCountInString(d) > 24 {
		d = string([]rune(d)[:24]) + "…"
	}
	return c.Code + " " + d
}

// shortTime writes a moment as month-day hour:minute in Beijing time.
func shortTime(t time.Time) string { return t.In(calendar.Shanghai()).Format("01-02 15:04") }

// hoursText writes working hours with one decimal below ten, whole above.
func hoursText(h float64) string {
	if h < 10 {
		return strconv.FormatFloat(h, 'f', 1, 64)
	}
	return strconv.FormatFloat(h, 'f', 0, 64)
}

// deadlineNote counts the working time down to the case's deadline, or
// up since it passed.
func (w Workbench) deadlineNote(ctx context.Context, c *Case, now time.Time) (workbench.Text, workbench.Tone, error) {
	switch {
	case c.Deadline.IsZero():
		return workbench.T("workbench.note.no_deadline"), workbench.Normal, nil
	case w.Hours == nil && c.Deadline.Before(now):
		return workbench.T("workbench.note.overdue_at", shortTime(c.Deadline)), workbench.Danger, nil
	case w.Hours == nil:
		return workbench.T("workbench.note.due_at", shortTime(c.Deadline)), workbench.Normal, nil
	case c.Deadline.Before(now):
		h, err := w.Hours.WorkingHours(ctx, c.Deadline, now)
		if err != nil {
			return workbench.Text{}, "", err
		}
		return workbench.T("workbench.note.overdue_by", hoursText(h), shortTime(c.Deadline)), workbench.Danger, nil
	}
	h, err := w.Hours.WorkingHours(ctx, now, c.Deadline)
	if err != nil {
		return workbench.Text{}, "", err
	}
	tone := workbench.Normal
	if c.Deadline.Before(EndOfDay(now)) {
		tone = workbench.Warn
	}
	return workbench.T("workbench.note.left", hoursText(h), shortTime(c.Deadline)), tone, nil
}

func reportedNote(_ context.Context, c *Case, _ time.Time) (workbench.Text, workbench.Tone, error) {
	return workbench.T("workbench.note.reported_at", shortTime(c.ReportedAt)), workbench.Normal, nil
}

func returnedNote(_ context.Context, c *Case, _ time.Time) (workbench.Text, workbench.Tone, error) {
	return workbench.T("workbench.note.returned", c.ReturnCount), workbench.Normal, nil
}

func extensionNote(_ context.Context, c *Case, _ time.Time) (workbench.Text, workbench.Tone, error) {
	return workbench.T("workbench.note.extension_to", shortTime(c.ExtRequestedDeadline)), workbench.Normal, nil
}

func (w Workbench) rectifiedNote(_ context.Context, c *Case, now time.Time) (workbench.Text, workbench.Tone, error) {
	tone := workbench.Normal
	if c.RectifiedAt.Before(now.Add(-VerifyWithin)) {
		tone = workbench.Danger
	}
	return workbench.T("workbench.note.rectified_at", shortTime(c.RectifiedAt)), tone, nil
}

func stateNote(_ context.Context, c *Case, _ time.Time) (workbench.Text, workbench.Tone, error) {
	return workbench.T(c.State.Key()), workbench.Normal, nil
}

// figures are the area's day from the tally against yesterday (reports,
// closures) and the cases overdue now. An area below a street has no
// tally rows of its own and gets the overdue count alone.
func (w Workbench) figures(ctx context.Context, area string) ([]workbench.Item, error) {
	s := w.Store
	now := s.Now()
	scope := TallyScope{Region: area}
	var out []workbench.Item
	if TallyUsable(area) {
		today := DayOf(now)
		rows, err := s.Tally(ctx, TallyQuery{Scope: scope, From: today - 1, To: today, Dim: DimTotal, ByDay: true})
		if err != nil {
			return nil, err
		}
		var cur, prev Counts
		for _, r := range rows {
			if r.Day == today {
				cur.Add(r.Counts)
			} else {
				prev.Add(r.Counts)
			}
		}
		out = append(out,
			workbench.Item{Kind: "problem/new_today", Section: workbench.SectionFigures, Title: workbench.T("workbench.figures.new"),
				Count: cur.Reported, Note: workbench.T("workbench.figures.yesterday", prev.Reported), Link: "/dashboard", Tone: workbench.Normal},
			workbench.Item{Kind: "problem/closed_today", Section: workbench.SectionFigures, Title: workbench.T("workbench.figures.closed"),
				Count: cur.Closures, Note: workbench.T("workbench.figures.yesterday", prev.Closures), Link: "/dashboard", Tone: workbench.Normal})
	}
	n, err := s.OverdueIn(ctx, scope)
	if err != nil {
		return nil, err
	}
	tone := workbench.Normal
	if n > 0 {
		tone = workbench.Danger
	}
	out = append(out, workbench.Item{Kind: "problem/overdue_now", Section: workbench.SectionFigures, Title: workbench.T("workbench.figures.overdue"),
		Count: n, Link: LedgerLink(Filter{Region: area, Overdue: true, Sort: "deadline"}), Tone: tone})
	return out, nil
}

// blackList is the week's worst units of the area (the last seven days,
// today included, from the tally): the lowest on-time rate over the cases
// filed, among units with at least BlackListMin of them.
func (w Workbench) blackList(ctx context.Context, area string) ([]workbench.Item, error) {
	if !TallyUsable(area) {
		return nil, nil
	}
	s := w.Store
	today := DayOf(s.Now())
	rows, err := s.Tally(ctx, TallyQuery{Scope: TallyScope{Region: area}, From: today - 6, To: today, Dim: DimTotal, ByUnit: true})
	if err != nil {
		return nil, err
	}
	type unit struct {
		id  int64
		kpi KPI
	}
	var units []unit
	for _, r := range rows {
		k := r.Counts.KPI()
		if k.Filed-k.Parked >= BlackListMin {
			units = append(units, unit{r.UnitID, k})
		}
	}
	slices.SortFunc(units, func(x, y unit) int {
		if rx, ry := x.kpi.OnTimeRate(), y.kpi.OnTimeRate(); rx != ry {
			if rx < ry {
				return -1
			}
			return 1
		}
		if x.kpi.Filed != y.kpi.Filed {
			return y.kpi.Filed - x.kpi.Filed
		}
		return cmpInt(x.id, y.id)
	})
	units = units[:min(len(units), workbench.MaxEntries)]
	ids := make([]int64, len(units))
	for i, u := range units {
		ids[i] = u.id
	}
	names, err := org.UnitNames(ctx, s.DB, ids)
	if err != nil {
		return nil, err
	}
	it := workbench.Item{Kind: "problem/black_list", Section: workbench.SectionRanking, Title: workbench.T("workbench.ranking.black"),
		Count: len(units), Link: "/dashboard", Tone: workbench.Normal}
	if len(units) > 0 {
		it.Tone = workbench.Danger
	}
	for _, u := range units {
		it.Entries = append(it.Entries, workbench.Entry{Label: names[u.id], Tone: workbench.Danger,
			Note: workbench.T("workbench.note.on_time", u.kpi.OnTimeText(), u.kpi.Filed-u.kpi.Parked),
			Link: LedgerLink(Filter{UnitID: u.id})})
	}
	return []workbench.Item{it}, nil
}
