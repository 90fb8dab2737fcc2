package workplan

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

// Plan is a work plan (工作方案) for a year or a campaign cycle.
type Plan struct {
	ID         int64
	Name       string
	RegionCode string
	Rhythm     Rhythm
	StartsOn   string
	EndsOn     string
	CreatedAt  time.Time
	Tasks      int // tasks the actor sees
}

// CanManage reports whether the actor may change the plan.
func (p Plan) CanManage(a access.Actor) bool { return manages(a, p.RegionCode) }

// Task is one task of a plan.
type Task struct {
	ID           int64
	PlanID       int64
	ParentID     int64
	CampaignID   int64
	Seq          string
	Position     int
	Depth        int // 0 for a top-level task (a group of the plan)
	Title        string
	Description  string
	LeadUnitID   int64
	LeadUnitName string
	CoopUnitIDs  []int64
	CoopNames    []string
	Leader       string
	StartsOn     string
	DueText      string
	DueOn        string
	DueAt        time.Time
	Target       sql.NullFloat64
	TargetUnit   string
	Progress     float64
	Budget       sql.NullFloat64
	Spent        float64
	State        State
	ClaimedAt    time.Time
	DoneAt       time.Time
	Escalation   int
	Criteria     []string // framework criterion codes
	RegionCode   string   // the plan's
	Rhythm       Rhythm   // the plan's
	PlanName     string
	CreatedAt    time.Time
	Version      int
}

// Status is the task's state, or overdue when open past its deadline.
func (t *Task) Status(now time.Time) Status {
	if t.State.Open() && t.DueAt.Before(now) {
		return Overdue
	}
	return Status(t.State)
}

// Late reports whether the task was or is late: open past its deadline,
// or finished (claimed) after it.
func (t *Task) Late(now time.Time) bool {
	switch t.State {
	case Done, Review:
		return t.finishedAt().After(t.DueAt)
	case Paused:
		return false
	}
	return t.DueAt.Before(now)
}

// finishedAt is when the task was finished: when the lead unit said so,
// or when the office accepted it without a claim.
func (t *Task) finishedAt() time.Time {
	if !t.ClaimedAt.IsZero() {
		return t.ClaimedAt
	}
	return t.DoneAt
}

// Share is the progress against the target, 0..1; -1 when no target.
func (t *Task) Share() float64 {
	if !t.Target.Valid || t.Target.Float64 <= 0 {
		if t.State == Done {
			return 1
		}
		return -1
	}
	return min(1, t.Progress/t.Target.Float64)
}

// Percent is Share as a whole percentage for a bar (0 when no target).
func (t *Task) Percent() int { return int(max(0, t.Share())*100 + 0.5) }

// TargetText is the target as written: 68个, 1.3万处.
func (t *Task) TargetText() string {
	if !t.Target.Valid {
		return ""
	}
	return FormatAmount(t.Target.Float64) + t.TargetUnit
}

// ProgressText is the progress in the target's unit.
func (t *Task) ProgressText() string { return FormatAmount(t.Progress) + t.TargetUnit }

// FormatAmount writes a figure to at most two decimals and without
// needless ones: 68, 1.3, 3200, 33.09 (sums of decimals carry float noise).
func FormatAmount(x float64) string { return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64) }

// CanManage reports whether the actor may change the task (the plan's office).
func (t *Task) CanManage(a access.Actor) bool { return manages(a, t.RegionCode) }

// CanReport reports whether the actor may file a progress report on it.
func (t *Task) CanReport(a access.Actor) bool {
	return a.Has(access.RoleHandler) && t.onTask(a.UnitID) && t.State != Done && t.State != Paused
}

// IsLead reports whether the actor's unit leads the task.
func (t *Task) IsLead(a access.Actor) bool { return a.UnitID != 0 && a.UnitID == t.LeadUnitID }

// PlanInput is a new plan.
type PlanInput struct {
	Name       string
	RegionCode string // "": the office's jurisdiction
	Rhythm     Rhythm
	StartsOn   string
	EndsOn     string
}

// TaskInput is a new task, typed by hand or read from a sheet. Units are
// ids; the importer resolves names first.
type TaskInput struct {
	Seq         string // "": next top-level number
	ParentSeq   string // derived from Seq when empty
	Title       string
	Description string
	LeadUnitID  int64
	CoopUnitIDs []int64
	Leader      string
	StartsOn    string // "": the plan's start
	Due         string // a date or "N个工作日"
	Target      *float64
	TargetUnit  string
	Budget      *float64
	Criteria    []string // criterion codes of the active framework
	CampaignID  int64
	// failed names the fields the sheet's reader refused already, so the
	// checks here do not report them twice.
	failed map[string]bool
}

func (in *PlanInput) check(a access.Actor) error {
	in.Name = strings.TrimSpace(in.Name)
	if in.RegionCode == "" {
		in.RegionCode = a.Region
	}
	switch {
	case in.Name == "" || len([]rune(in.Name)) > MaxNameLen:
		return apperr.Invalid("workplan.name_invalid")
	case !manages(a, in.RegionCode):
		return apperr.Forbidden("workplan.forbidden")
	case !in.Rhythm.Valid():
		return apperr.Invalid("workplan.rhythm_invalid")
	}
	start, ok1 := ParseDate(in.StartsOn)
	end, ok2 := ParseDate(in.EndsOn)
	if !ok1 || !ok2 {
		return apperr.Invalid("workplan.dates_invalid")
	}
	if end.Before(start) {
		return apperr.Invalid("workplan.period_backwards")
	}
	in.StartsOn, in.EndsOn = start.Format(dateLayout), end.Format(dateLayout)
	return nil
}

// CreatePlan makes a plan with its tasks in one transaction: a task that
// fails leaves nothing behind. The task errors come back by index.
func (s *Store) CreatePlan(ctx context.Context, a access.Actor, in PlanInput, tasks []TaskInput) (Plan, []TaskError, error) {
	return s.createPlan(ctx, a, in, tasks, false)
}

func (s *Store) createPlan(ctx context.Context, a access.Actor, in PlanInput, tasks []TaskInput, rollback bool) (Plan, []TaskError, error) {
	if err := in.check(a); err != nil {
		return Plan{}, nil, err
	}
	env, err := s.taskEnv(ctx, tasks)
	if err != nil {
		return Plan{}, nil, err
	}
	var id int64
	var terrs []TaskError
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO workplan_plan (name, region_code, rhythm, starts_on, ends_on, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Name, in.RegionCode, string(in.Rhythm), in.StartsOn, in.EndsOn,
			db.NullID(a.UserID), db.Millis(s.now())).Scan(&id)
		if err != nil {
			return fmt.Errorf("create plan: %w", err)
		}
		p := Plan{ID: id, RegionCode: in.RegionCode, StartsOn: in.StartsOn, EndsOn: in.EndsOn, Rhythm: in.Rhythm}
		terrs, err = s.addTasks(ctx, tx, a, p, tasks, env)
		if err == nil && (len(terrs) > 0 || rollback) {
			return errTaskErrors
		}
		return err
	})
	if errors.Is(err, errTaskErrors) {
		return Plan{}, terrs, nil
	}
	if err != nil {
		return Plan{}, nil, err
	}
	p, err := s.Plan(ctx, a, id)
	return p, nil, err
}

// errTaskErrors rolls back a transaction whose tasks had errors.
var errTaskErrors = errors.New("tasks have errors")

// TaskError is a refused task of a batch: its index and the reason.
type TaskError struct {
	Index int
	Field string // the column: seq, title, lead, coop, due, target, start, criteria, budget
	Code  string
	Args  []any
}

// AddTasks adds tasks to a plan, all or none.
func (s *Store) AddTasks(ctx context.Context, a access.Actor, planID int64, tasks []TaskInput) ([]TaskError, error) {
	return s.addTasksTx(ctx, a, planID, tasks, false)
}

func (s *Store) addTasksTx(ctx context.Context, a access.Actor, planID int64, tasks []TaskInput, rollback bool) ([]TaskError, error) {
	p, err := s.Plan(ctx, a, planID)
	if err != nil {
		return nil, err
	}
	if !p.CanManage(a) {
		return nil, apperr.Forbidden("workplan.forbidden")
	}
	env, err := s.taskEnv(ctx, tasks)
	if err != nil {
		return nil, err
	}
	var terrs []TaskError
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		terrs, err = s.addTasks(ctx, tx, a, p, tasks, env)
		if err == nil && (len(terrs) > 0 || rollback) {
			return errTaskErrors
		}
		return err
	})
	if errors.Is(err, errTaskErrors) {
		return terrs, nil
	}
	return nil, err
}

// taskEnv is what checking tasks needs besides the transaction: the
// working calendar and the framework's criteria, read before it opens (a
// SQLite transaction holds the one writer connection).
type taskEnv struct {
	cal      *calendar.Calendar
	criteria map[string]int64
}

func (s *Store) taskEnv(ctx context.Context, tasks []TaskInput) (taskEnv, error) {
	var env taskEnv
	if len(tasks) == 0 {
		return env, nil
	}
	var err error
	if env.cal, err = s.Calendar(ctx); err != nil {
		return env, err
	}
	env.criteria, err = s.criteriaByCode(ctx)
	return env, err
}

func (s *Store) addTasks(ctx context.Context, tx *db.Tx, a access.Actor, p Plan, tasks []TaskInput, env taskEnv) ([]TaskError, error) {
	if len(tasks) == 0 {
		return nil, nil
	}
	// Existing tasks: their numbers, for parents and duplicates.
	seqs := map[string]int64{}
	var pos, tops int
	rows, err := tx.Query(ctx, "SELECT id, seq, position, parent_id FROM workplan_task WHERE plan_id = ?", p.ID)
	if err != nil {
		return nil, fmt.Errorf("plan tasks: %w", err)
	}
	for rows.Next() {
		var id int64
		var seq string
		var n int
		var parent sql.NullInt64
		if err := rows.Scan(&id, &seq, &n, &parent); err != nil {
			rows.Close()
			return nil, fmt.Errorf("plan tasks: %w", err)
		}
		seqs[seq] = id
		pos = max(pos, n)
		if !parent.Valid {
			tops++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("plan tasks: %w", err)
	}
	var errs []TaskError
	for i, in := range tasks {
		fail := func(field, code string, args ...any) {
			if !in.failed[field] {
				errs = append(errs, TaskError{Index: i, Field: field, Code: code, Args: args})
			}
		}
		in.Title = strings.TrimSpace(in.Title)
		in.Seq = normSeq(in.Seq)
		if in.Seq == "" {
			tops++
			in.Seq = strconv.Itoa(tops)
			for seqs[in.Seq] != 0 {
				tops++
				in.Seq = strconv.Itoa(tops)
			}
		}
		n0 := len(errs)
		if !validSeq(in.Seq) {
			fail("seq", "workplan.seq_invalid", in.Seq)
		} else if seqs[in.Seq] != 0 {
			fail("seq", "workplan.seq_taken", in.Seq)
		}
		var parent int64
		if ps := parentSeq(in.Seq); ps != "" && validSeq(in.Seq) {
			if parent = seqs[ps]; parent == 0 {
				fail("seq", "workplan.parent_missing", ps)
			}
		} else if !strings.Contains(in.Seq, ".") {
			tops = max(tops, atoiOr(in.Seq, tops))
		}
		checked, err := s.checkTask(ctx, tx, a, p, &in, env, fail)
		if err != nil {
			return nil, err
		}
		coops, nodes, due := checked.coops, checked.nodes, checked.due
		if len(errs) > n0 || len(in.failed) > 0 {
			// A refused row still claims its number, so later rows that
			// name it as their parent report the row, not a missing parent.
			seqs[in.Seq] = -1
			continue
		}
		pos++
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO workplan_task (plan_id, parent_id, campaign_id, seq, position, title, description,
			lead_unit_id, leader, starts_on, due_text, due_on, due_at, target, target_unit, budget, state, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			p.ID, db.NullID(parent), db.NullID(in.CampaignID), in.Seq, pos, in.Title, strings.TrimSpace(in.Description),
			in.LeadUnitID, strings.TrimSpace(in.Leader), in.StartsOn, strings.TrimSpace(in.Due), due.On, db.Millis(due.At),
			nullFloat(in.Target), strings.TrimSpace(in.TargetUnit), nullFloat(in.Budget), string(NotStarted), db.Millis(s.now())).Scan(&id)
		if err != nil {
			return nil, fmt.Errorf("add task: %w", err)
		}
		seqs[in.Seq] = id
		for _, u := range coops {
			if _, err := tx.Exec(ctx, "INSERT INTO workplan_task_unit (task_id, unit_id) VALUES (?, ?)", id, u); err != nil {
				return nil, fmt.Errorf("task unit: %w", err)
			}
		}
		for _, n := range dedupe(nodes) {
			if _, err := tx.Exec(ctx, "INSERT INTO workplan_task_criterion (task_id, node_id) VALUES (?, ?)", id, n); err != nil {
				return nil, fmt.Errorf("task criterion: %w", err)
			}
		}
		if err := addEvent(ctx, tx, id, a, s.now(), "created", "", 0); err != nil {
			return nil, err
		}
	}
	return errs, nil
}

// checkedTask is what checking a task's fields finds: its cooperating
// units (without the lead), its criteria's nodes and its deadline.
type checkedTask struct {
	coops, nodes []int64
	due          Due
}

// checkTask checks the fields of a new or edited task (all but its
// number), trimming them in place, and reports each refusal through fail.
func (s *Store) checkTask(ctx context.Context, tx *db.Tx, a access.Actor, p Plan, in *TaskInput, env taskEnv,
	fail func(field, code string, args ...any)) (checkedTask, error) {
	var c checkedTask
	var err error
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" || len([]rune(in.Title)) > MaxTitleLen {
		fail("title", "workplan.title_invalid", MaxTitleLen)
	}
	if len([]rune(in.Description)) > MaxTextLen || len([]rune(in.Leader)) > MaxNameLen {
		fail("title", "workplan.text_too_long", MaxTextLen)
	}
	if in.LeadUnitID == 0 {
		fail("lead", "workplan.lead_missing")
	} else if code, name, err := unitInArea(ctx, tx, in.LeadUnitID, p.RegionCode); err != nil {
		return c, err
	} else if code != "" {
		fail("lead", code, name)
	}
	c.coops = dedupe(in.CoopUnitIDs)
	c.coops = slices.DeleteFunc(c.coops, func(u int64) bool { return u == in.LeadUnitID })
	for _, u := range c.coops {
		if code, name, err := unitInArea(ctx, tx, u, p.RegionCode); err != nil {
			return c, err
		} else if code != "" {
			fail("coop", code, name)
		}
	}
	if strings.TrimSpace(in.StartsOn) == "" {
		in.StartsOn = p.StartsOn
	}
	if st, ok := ParseDate(in.StartsOn); !ok {
		fail("start", "workplan.start_invalid")
	} else {
		in.StartsOn = st.Format(dateLayout)
		if strings.TrimSpace(in.Due) == "" {
			fail("due", "workplan.due_missing")
		} else if c.due, err = ResolveDue(env.cal, in.StartsOn, in.Due); err != nil {
			e := apperr.As(err)
			if e.Kind != apperr.KindInvalid {
				return c, err
			}
			fail("due", e.Code, e.Args...)
		}
	}
	if in.Target != nil && *in.Target < 0 {
		fail("target", "workplan.target_invalid", FormatAmount(*in.Target))
	}
	if in.Budget != nil && *in.Budget < 0 {
		fail("budget", "workplan.budget_invalid")
	}
	for _, code := range in.Criteria {
		id, ok := env.criteria[code]
		if !ok {
			fail("criteria", "workplan.criterion_unknown", code)
			continue
		}
		c.nodes = append(c.nodes, id)
	}
	if in.CampaignID != 0 {
		var region string
		err := tx.QueryRow(ctx, "SELECT region_code FROM workplan_campaign WHERE id = ?", in.CampaignID).Scan(&region)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !manages(a, region) {
			fail("title", "workplan.campaign_not_found")
		} else if err != nil {
			return c, fmt.Errorf("task campaign: %w", err)
		}
	}
	return c, nil
}

// unitInArea checks that a unit may take a part in a plan or campaign of
// area: a unit of the area, of a level above it (the city's office), or
// one without a jurisdiction; it returns the refusal's code, "" when fine.
func unitInArea(ctx context.Context, c db.Conn, unit int64, area string) (code, name string, err error) {
	_, reg, ok, err := org.UnitKindRegion(ctx, c, unit)
	switch {
	case err != nil:
		return "", "", err
	case !ok:
		return "workplan.unit_unknown", strconv.FormatInt(unit, 10), nil
	case reg != "" && !access.InSubtree(reg, area) && !access.InSubtree(area, reg):
		name, err := org.UnitName(ctx, c, unit)
		return "workplan.unit_outside", name, err
	}
	return "", "", nil
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

// normSeq reads a 序号 as written: "1", "1.2", "1、", "（1）".
func normSeq(s string) string {
	s = strings.TrimSpace(s)
	s = strings.NewReplacer("．", ".", "。", ".", "、", "", "（", "", "）", "", "(", "", ")", "", " ", "").Replace(s)
	return strings.Trim(s, ".")
}

func validSeq(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if n, err := strconv.Atoi(part); err != nil || n <= 0 {
			return false
		}
	}
	return true
}

func parentSeq(s string) string {
	if i := strings.LastIndexByte(s, '.'); i > 0 {
		return s[:i]
	}
	return ""
}

func nullFloat(p *float64) sql.NullFloat64 {
	if p == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *p, Valid: true}
}

func dedupe(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(slices.DeleteFunc(out, func(x int64) bool { return x <= 0 }))
}

// criteriaByCode maps the active framework's criterion codes to their nodes.
func (s *Store) criteriaByCode(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	if s.Framework == nil {
		return out, nil
	}
	v, err := s.Framework.ActiveVersion(ctx)
	if errors.Is(err, apperr.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	var walk func([]*framework.Node)
	walk = func(ns []*framework.Node) {
		for _, n := range ns {
			if n.IsCriterion() && n.Code != "" {
				out[n.Code] = n.ID
			}
			walk(n.Children)
		}
	}
	walk(v.Items)
	return out, nil
}

// addEvent appends one entry to a task's timeline.
func addEvent(ctx context.Context, c db.Conn, task int64, a access.Actor, at time.Time, action, note string, level int) error {
	var actor any
	if a.UserID > 0 {
		actor = a.UserID
	}
	if _, err := c.Exec(ctx, "INSERT INTO workplan_task_event (task_id, at, actor_id, action, note, level) VALUES (?, ?, ?, ?, ?, ?)",
		task, db.Millis(at), actor, action, note, level); err != nil {
		return fmt.Errorf("task event: %w", err)
	}
	return nil
}

// planScope limits plan rows (alias w) to what the actor may see: the
// whole plan for those who oversee its area, else the plans with a task
// of the actor's units.
func planScope(a access.Actor) (string, []any) {
	if a.IsAdmin() {
		return "1 = 1", nil
	}
	var parts []string
	var args []any
	if a.HasAny(access.RoleOffice, access.RoleLeader) && a.Region != "" {
		cond, cargs := region.SubtreeSQL("w.region_code", a.Region)
		parts, args = append(parts, cond), append(args, cargs...)
	}
	if units := myUnits(a); len(units) > 0 {
		parts = append(parts, "EXISTS (SELECT 1 FROM workplan_task t WHERE t.plan_id = w.id AND "+unitCond(units, &args)+")")
	}
	if len(parts) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// unitCond is the condition that a task (alias t) is led by or shared
// with one of units. It names the tasks through the two unit indexes
// rather than testing every task of a plan.
func unitCond(units []int64, args *[]any) string {
	for range 2 {
		for _, u := range units {
			*args = append(*args, u)
		}
	}
	ph := db.Placeholders(len(units))
	return "t.id IN (SELECT l.id FROM workplan_task l WHERE l.lead_unit_id IN (" + ph + ") UNION SELECT x.task_id FROM workplan_task_unit x WHERE x.unit_id IN (" + ph + "))"
}

// taskScope limits task rows (alias t, with its plan as w) to what the
// actor may see.
func taskScope(a access.Actor) (string, []any) {
	if a.IsAdmin() {
		return "1 = 1", nil
	}
	var parts []string
	var args []any
	if a.HasAny(access.RoleOffice, access.RoleLeader) && a.Region != "" {
		cond, cargs := region.SubtreeSQL("w.region_code", a.Region)
		parts, args = append(parts, cond), append(args, cargs...)
	}
	if units := myUnits(a); len(units) > 0 {
		parts = append(parts, unitCond(units, &args))
	}
	if len(parts) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

const planColumns = "w.id, w.name, w.region_code, w.rhythm, w.starts_on, w.ends_on, w.created_at"

func scanPlan(r interface{ Scan(...any) error }) (Plan, error) {
	var p Plan
	var created int64
	err := r.Scan(&p.ID, &p.Name, &p.RegionCode, &p.Rhythm, &p.StartsOn, &p.EndsOn, &created)
	p.CreatedAt = db.FromMillis(created)
	return p, err
}

// Plans lists the plans the actor may see, newest first, with the number
// of their tasks the actor sees.
func (s *Store) Plans(ctx context.Context, a access.Actor) ([]Plan, error) {
	if !MayOpen(a) {
		return nil, apperr.Forbidden("workplan.forbidden")
	}
	where, args := planScope(a)
	rows, err := s.DB.Query(ctx, "SELECT "+planColumns+" FROM workplan_plan w WHERE "+where+" ORDER BY w.starts_on DESC, w.id DESC", args...)
	plans, err := db.Collect(rows, err, func(r *sql.Rows) (Plan, error) { return scanPlan(r) })
	if err != nil {
		return nil, fmt.Errorf("plans: %w", err)
	}
	tw, targs := taskScope(a)
	for i := range plans {
		n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM workplan_task t JOIN workplan_plan w ON w.id = t.plan_id WHERE t.plan_id = ? AND "+tw,
			append([]any{plans[i].ID}, targs...)...)
		if err != nil {
			return nil, err
		}
		plans[i].Tasks = n
	}
	return plans, nil
}

// Plan returns a plan the actor may see.
func (s *Store) Plan(ctx context.Context, a access.Actor, id int64) (Plan, error) {
	where, args := planScope(a)
	p, err := scanPlan(s.DB.QueryRow(ctx, "SELECT "+planColumns+" FROM workplan_plan w WHERE w.id = ? AND "+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return Plan{}, apperr.NotFound("workplan.plan_not_found")
	}
	if err != nil {
		return Plan{}, fmt.Errorf("plan %d: %w", id, err)
	}
	return p, nil
}

const taskColumns = `t.id, t.plan_id, COALESCE(t.parent_id, 0), COALESCE(t.campaign_id, 0), t.seq, t.position, t.title, t.description,
	t.lead_unit_id, t.leader, t.starts_on, t.due_text, t.due_on, t.due_at, t.target, t.target_unit, t.progress, t.budget, t.spent,
	t.state, t.claimed_at, t.done_at, t.escalation_level, t.created_at, t.version, w.region_code, w.rhythm, w.name`

const taskFrom = " FROM workplan_task t JOIN workplan_plan w ON w.id = t.plan_id"

func scanTask(r interface{ Scan(...any) error }) (*Task, error) {
	var t Task
	var due, created int64
	var claimed, done sql.NullInt64
	err := r.Scan(&t.ID, &t.PlanID, &t.ParentID, &t.CampaignID, &t.Seq, &t.Position, &t.Title, &t.Description,
		&t.LeadUnitID, &t.Leader, &t.StartsOn, &t.DueText, &t.DueOn, &due, &t.Target, &t.TargetUnit, &t.Progress, &t.Budget, &t.Spent,
		&t.State, &claimed, &done, &t.Escalation, &created, &t.Version, &t.RegionCode, &t.Rhythm, &t.PlanName)
	t.DueAt, t.CreatedAt = db.FromMillis(due), db.FromMillis(created)
	t.ClaimedAt, t.DoneAt = db.FromNullMillis(claimed), db.FromNullMillis(done)
	t.Depth = strings.Count(t.Seq, ".")
	return &t, err
}

// TaskFilter picks tasks.
type TaskFilter struct {
	PlanID     int64
	CampaignID int64
	UnitID     int64  // led by or shared with this unit
	Status     Status // "" all; a state or overdue
	Mine       bool   // only the tasks of the actor's units, even for an overseer
}

// Tasks lists the tasks the actor may see, in plan order.
func (s *Store) Tasks(ctx context.Context, a access.Actor, f TaskFilter) ([]*Task, error) {
	if !MayOpen(a) {
		return nil, apperr.Forbidden("workplan.forbidden")
	}
	where, args := taskScope(a)
	if f.PlanID != 0 {
		where += " AND t.plan_id = ?"
		args = append(args, f.PlanID)
	}
	if f.CampaignID != 0 {
		where += " AND t.campaign_id = ?"
		args = append(args, f.CampaignID)
	}
	if f.UnitID != 0 {
		where += " AND " + unitCond([]int64{f.UnitID}, &args)
	}
	if f.Mine {
		units := myUnits(a)
		if len(units) == 0 {
			return nil, nil
		}
		where += " AND " + unitCond(units, &args)
	}
	now := db.Millis(s.now())
	switch f.Status {
	case "":
	case Overdue:
		where += " AND t.state IN (?, ?) AND t.due_at < ?"
		args = append(args, string(NotStarted), string(InProgress), now)
	case Status(NotStarted), Status(InProgress):
		where += " AND t.state = ? AND t.due_at >= ?"
		args = append(args, string(f.Status), now)
	default:
		where += " AND t.state = ?"
		args = append(args, string(f.Status))
	}
	rows, err := s.DB.Query(ctx, "SELECT "+taskColumns+taskFrom+" WHERE "+where+" ORDER BY t.plan_id, t.position", args...)
	tasks, err := db.Collect(rows, err, func(r *sql.Rows) (*Task, error) { return scanTask(r) })
	if err != nil {
		return nil, fmt.Errorf("tasks: %w", err)
	}
	return tasks, s.fillTasks(ctx, tasks)
}

// Task returns a task the actor may see.
func (s *Store) Task(ctx context.Context, a access.Actor, id int64) (*Task, error) {
	where, args := taskScope(a)
	t, err := scanTask(s.DB.QueryRow(ctx, "SELECT "+taskColumns+taskFrom+" WHERE t.id = ? AND "+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("workplan.task_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("task %d: %w", id, err)
	}
	return t, s.fillTasks(ctx, []*Task{t})
}

// fillTasks adds the cooperating units, criteria and unit names.
func (s *Store) fillTasks(ctx context.Context, tasks []*Task) error {
	if len(tasks) == 0 {
		return nil
	}
	byID := make(map[int64]*Task, len(tasks))
	ids := make([]int64, 0, len(tasks))
	for _, t := range tasks {
		byID[t.ID] = t
		ids = append(ids, t.ID)
	}
	type pair struct {
		task int64
		unit int64
	}
	pairs, err := db.CollectIn(ctx, s.DB, "SELECT task_id, unit_id FROM workplan_task_unit WHERE task_id IN ("+db.ListMarker+") ORDER BY task_id, unit_id",
		ids, func(r *sql.Rows) (pair, error) {
			var p pair
			return p, r.Scan(&p.task, &p.unit)
		})
	if err != nil {
		return fmt.Errorf("task units: %w", err)
	}
	unitIDs := map[int64]bool{}
	for _, t := range tasks {
		unitIDs[t.LeadUnitID] = true
	}
	for _, p := range pairs {
		byID[p.task].CoopUnitIDs = append(byID[p.task].CoopUnitIDs, p.unit)
		unitIDs[p.unit] = true
	}
	crits, err := db.CollectIn(ctx, s.DB, "SELECT task_id, node_id FROM workplan_task_criterion WHERE task_id IN ("+
		db.ListMarker+") ORDER BY task_id, node_id", ids, func(r *sql.Rows) (pair, error) {
		var c pair
		return c, r.Scan(&c.task, &c.unit)
	})
	if err != nil {
		return fmt.Errorf("task criteria: %w", err)
	}
	if len(crits) > 0 {
		byCode, err := s.criteriaByCode(ctx)
		if err != nil {
			return err
		}
		codes := make(map[int64]string, len(byCode))
		for c, id := range byCode {
			codes[id] = c
		}
		for _, c := range crits {
			if code, ok := codes[c.unit]; ok {
				byID[c.task].Criteria = append(byID[c.task].Criteria, code)
			}
		}
		for _, t := range tasks {
			slices.Sort(t.Criteria)
		}
	}
	names, err := org.UnitNames(ctx, s.DB, keys(unitIDs))
	if err != nil {
		return err
	}
	for _, t := range tasks {
		t.LeadUnitName = names[t.LeadUnitID]
		t.CoopNames = t.CoopNames[:0]
		for _, u := range t.CoopUnitIDs {
			t.CoopNames = append(t.CoopNames, names[u])
		}
	}
	return nil
}

func keys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Event is one entry of a task's timeline.
type Event struct {
	At        time.Time
	ActorName string
	Action    string
	Note      string
	Level     int
}

// Key is the catalogue key of the event's action.
func (e Event) Key() string {
	if e.Action == "escalated" {
		if e.Level >= 2 {
			return "workplan.event.escalated_red"
		}
		return "workplan.event.escalated_yellow"
	}
	return "workplan.event." + e.Action
}

// Timeline lists a task's events, oldest first.
func (s *Store) Timeline(ctx context.Context, a access.Actor, id int64) ([]Event, error) {
	if _, err := s.Task(ctx, a, id); err != nil {
		return nil, err
	}
	type row struct {
		e     Event
		actor int64
	}
	rows, err := s.DB.Query(ctx, "SELECT at, COALESCE(actor_id, 0), action, note, level FROM workplan_task_event WHERE task_id = ? ORDER BY id", id)
	list, err := db.Collect(rows, err, func(r *sql.Rows) (row, error) {
		var x row
		var at int64
		err := r.Scan(&at, &x.actor, &x.e.Action, &x.e.Note, &x.e.Level)
		x.e.At = db.FromMillis(at)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("task timeline: %w", err)
	}
	var ids []int64
	for _, x := range list {
		if x.actor > 0 {
			ids = append(ids, x.actor)
		}
	}
	names, err := org.DisplayNames(ctx, s.DB, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Event, len(list))
	for i, x := range list {
		x.e.ActorName = names[x.actor]
		out[i] = x.e
	}
	return out, nil
}

// BudgetText is the money planned in 万元, "" when none.
func (t *Task) BudgetText() string {
	if !t.Budget.Valid {
		return ""
	}
	return FormatAmount(t.Budget.Float64)
}

// SpentText is the money spent in 万元.
func (t *Task) SpentText() string { return FormatAmount(t.Spent) }

// HasTarget reports whether the task has a measurable target.
func (t *Task) HasTarget() bool { return t.Target.Valid && t.Target.Float64 > 0 }
