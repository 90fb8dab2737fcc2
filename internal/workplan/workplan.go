// Package workplan is the campaign's work plan (工作方案) broken into
// tasks (任务分解) with a lead unit (牵头单位), cooperating units (配合单位),
// a responsible leader, a working-day deadline, a measurable target and
// the framework criteria it serves; the units' progress reports on their
// tasks at the plan's rhythm, reviewed by the office; the escalation of
// overdue tasks (督办) like the ledger's cases; the board that ranks the
// units on them (亮晒比); and special campaigns (专项整治) that count the
// ledger's cases in their scope.
//
// It owns the workplan_* tables. Units, people, cases and sites are asked
// of their owners (org, problem, site) through their typed APIs.
package workplan

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/site"
)

// Store runs plans, tasks, reports and campaigns.
type Store struct {
	DB *db.DB
	// Calendar is the working calendar deadlines are counted on.
	Calendar  func(ctx context.Context) (*calendar.Calendar, error)
	Framework *framework.Store
	Problems  *problem.Store
	Sites     *site.Store
	// SiteHistory lists a site's inspection rounds, newest first
	// (inspect.Store.SiteHistory), for a campaign's scores before and after.
	SiteHistory func(ctx context.Context, a access.Actor, siteID int64) ([]inspect.SiteRound, error)
	// Inspections and Hours feed the monthly summary: the month's rounds,
	// and the ledger's handling time.
	Inspections *inspect.Store
	Hours       problem.HoursCounter
	// T translates the drafted text of a monthly summary.
	T   func(key string, args ...any) string
	Now func() time.Time
	// Overdue, when set, is told of a task raised to an escalation level
	// (1 yellow, 2 red) inside the transaction that raises it (group
	// robots and webhooks hear of it through it; nil: nobody).
	Overdue func(ctx context.Context, tx db.Conn, t *Task, level int) error
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// today is the date in Shanghai, YYYY-MM-DD.
func (s *Store) today() string { return s.now().In(calendar.Shanghai()).Format(dateLayout) }

const dateLayout = "2006-01-02"

// State is a task's stored state; overdue is derived (see Task.Status).
type State string

// The stored states of a task.
const (
	NotStarted State = "not_started" // 未开始
	InProgress State = "in_progress" // 推进中
	Review     State = "review"      // 待验收: the lead unit reported it finished
	Done       State = "done"        // 已完成: the office accepted it
	Paused     State = "paused"      // 已暂停
)

// Status is what a task shows: its state, or overdue.
type Status string

// Overdue is the derived status of an open task past its deadline.
const Overdue Status = "overdue"

// Key is the catalogue key of a status's name.
func (st Status) Key() string { return "workplan.state." + string(st) }

// Open reports whether the task is still to be worked (and so can be late).
func (st State) Open() bool { return st == NotStarted || st == InProgress }

// Rhythm is how often the units report on a plan's tasks.
type Rhythm string

// The rhythms.
const (
	Weekly  Rhythm = "weekly"
	Monthly Rhythm = "monthly"
)

// Valid reports whether r is a known rhythm.
func (r Rhythm) Valid() bool { return r == Weekly || r == Monthly }

// Key is the catalogue key of the rhythm's name.
func (r Rhythm) Key() string { return "workplan.rhythm." + string(r) }

// Period is the reporting period of t at the rhythm: 2026-W49 or 2026-12.
func (r Rhythm) Period(t time.Time) string {
	t = t.In(calendar.Shanghai())
	if r == Weekly {
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	}
	return t.Format("2006-01")
}

// ReportState is the state of a progress report.
type ReportState string

// The states of a report.
const (
	Submitted ReportState = "submitted" // 待审核
	Accepted  ReportState = "accepted"  // 已采纳
	Returned  ReportState = "returned"  // 已退回
)

// Key is the catalogue key of the report state's name.
func (st ReportState) Key() string { return "workplan.report_state." + string(st) }

// RedAfterWorkingDays is how long past its deadline an open task turns
// from yellow to red: a case turns red at twice its time limit; a task's
// limit is months long, so a fixed week of working days stands for it.
const RedAfterWorkingDays = 5

// Bounds of the fields.
const (
	MaxTitleLen = 200
	MaxTextLen  = 4000
	MaxNameLen  = 100
	MaxPhotos   = 9
	MaxParts    = 50
)

// MayRun reports whether the actor may make plans and campaigns at all.
func MayRun(a access.Actor) bool { return a.HasAny(access.RoleAdmin, access.RoleOffice) }

// MayOpen reports whether the actor has plans to look at: those who run or
// oversee the campaign, and the units' staff who carry tasks.
func MayOpen(a access.Actor) bool {
	return a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler)
}

// manages: administrators anywhere, the office inside its jurisdiction.
func manages(a access.Actor, region string) bool {
	return a.IsAdmin() || a.Has(access.RoleOffice) && a.Manages(region)
}

// myUnits are the units whose tasks the actor reads as a unit: its own
// and those below it (a street office sees its communities' tasks).
func myUnits(a access.Actor) []int64 {
	if a.UnitID == 0 {
		return nil
	}
	return append([]int64{a.UnitID}, a.SubUnits...)
}

// onTask reports whether unit is the task's lead or one of its cooperating units.
func (t *Task) onTask(unit int64) bool {
	return unit != 0 && (t.LeadUnitID == unit || slices.Contains(t.CoopUnitIDs, unit))
}

// Tone is the badge class a status is shown with.
func (st Status) Tone() string {
	switch st {
	case Overdue:
		return "red"
	case Status(Review):
		return "warn"
	case Status(Done):
		return "ok"
	}
	return ""
}

// Tone is the badge class a report state is shown with.
func (st ReportState) Tone() string {
	switch st {
	case Accepted:
		return "ok"
	case Returned:
		return "red"
	}
	return "warn"
}
