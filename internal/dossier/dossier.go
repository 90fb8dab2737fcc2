// Package dossier is the evidence dossier (材料审核 / 创城档案): for each
// criterion of a framework version assessed by 材料审核, the office sets
// requirements (材料清单) — what is needed, its material types, the lead
// and cooperating units, the period and how often; a dossier round (材料申报)
// for an evaluation date and an area generates the instances each
// responsible unit owes (items); the units' handlers upload files, the
// office approves or returns them (退回补充); completeness is counted per
// requirement, criterion, unit and round; reminders go out before and
// after due dates; the whole dossier exports as a ZIP arranged by the
// framework tree with an index.
//
// It owns the dossier_* tables. Files are stored through media.Files;
// units, the framework and notices are asked of their owners.
package dossier

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/media"
)

// Store runs dossier rounds, requirements, items and exports.
type Store struct {
	DB        *db.DB
	Framework *framework.Store
	Files     *media.Files
	// Calendar is the working calendar reminders are counted on.
	Calendar func(ctx context.Context) (*calendar.Calendar, error)
	// RemindDays is how many working days before a due date the unit is
	// reminded (0: the default, 3).
	RemindDays int
	// T writes the texts of the export (folder names are data; the index's
	// headings and states are catalogue texts). nil: the keys.
	T func(key string, args ...any) string
	// Overdue hears, in the reminder's transaction, of an item reminded
	// past its due date (the group robots); nil: nobody else is told.
	Overdue func(ctx context.Context, tx db.Conn, item OverdueItem) error
	Log     *slog.Logger
	Now     func() time.Time
}

// OverdueItem is an item its unit has not submitted by its due date.
type OverdueItem struct {
	ID     int64
	UnitID int64
	Title  string // the requirement's
	Period string // the instance's period, as the pages write it
	DueOn  string
}

// ErrNoRound is returned by Achievement when no dossier round covers the area.
var ErrNoRound = errors.New("dossier: no dossier round")

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Store) today() string { return s.now().In(calendar.Shanghai()).Format(dateLayout) }

func (s *Store) t(key string, args ...any) string {
	if s.T != nil {
		return s.T(key, args...)
	}
	return key
}

func (s *Store) remindDays() int {
	if s.RemindDays > 0 {
		return s.RemindDays
	}
	return DefaultRemindDays
}

// DefaultRemindDays is how many working days before a due date a unit is
// reminded when nothing else is configured.
const DefaultRemindDays = 3

const (
	dateLayout  = "2006-01-02"
	monthLayout = "2006-01"
)

// Bounds of the fields.
const (
	MaxNameLen  = 100
	MaxTitleLen = 200
	MaxTextLen  = 2000
	MaxDueDays  = 366
)

// RoundState is a round's state.
type RoundState string

// The states of a round.
const (
	RoundDraft RoundState = "draft" // 草稿: requirements being set
	RoundOpen  RoundState = "open"  // 申报中: instances generated
)

// Key is the catalogue key of the state's name.
func (st RoundState) Key() string { return "dossier.round_state." + string(st) }

// Frequency is how often a requirement's evidence is due.
type Frequency string

// The frequencies.
const (
	Once      Frequency = "once"      // 一次
	Monthly   Frequency = "monthly"   // 每月
	Quarterly Frequency = "quarterly" // 每季度
)

// Frequencies lists them in display order.
func Frequencies() []Frequency { return []Frequency{Once, Monthly, Quarterly} }

// Valid reports whether f is known.
func (f Frequency) Valid() bool { return slices.Contains(Frequencies(), f) }

// Key is the catalogue key of its name.
func (f Frequency) Key() string { return "dossier.freq." + string(f) }

// MaterialType is a kind of evidence.
type MaterialType string

// The material types.
const (
	TypeDocument MaterialType = "document" // 规范文件
	TypeAccount  MaterialType = "account"  // 情况说明
	TypePhoto    MaterialType = "photo"    // 实景图片
	TypeTable    MaterialType = "table"    // 统计表格
)

// MaterialTypes lists them in display order.
func MaterialTypes() []MaterialType {
	return []MaterialType{TypeDocument, TypeAccount, TypePhoto, TypeTable}
}

// Valid reports whether m is known.
func (m MaterialType) Valid() bool { return slices.Contains(MaterialTypes(), m) }

// Key is the catalogue key of its name.
func (m MaterialType) Key() string { return "dossier.type." + string(m) }

// typeNames are the Chinese names, for sheets.
var typeNames = map[MaterialType]string{TypeDocument: "规范文件", TypeAccount: "情况说明", TypePhoto: "实景图片", TypeTable: "统计表格"}

var freqNames = map[Frequency]string{Once: "一次", Monthly: "每月", Quarterly: "每季度"}

// State is an item's stored state; overdue is derived (Item.Status).
type State string

// The stored states of an item.
const (
	Pending   State = "pending"   // 待提交
	Submitted State = "submitted" // 已提交待审
	Returned  State = "returned"  // 已退回
	Approved  State = "approved"  // 已通过
)

// Status is what an item shows: its state, or overdue.
type Status string

// Overdue is the derived status of a pending item past its due date (逾期未交).
const Overdue Status = "overdue"

// Statuses lists every status in display order.
func Statuses() []Status {
	return []Status{Status(Pending), Overdue, Status(Submitted), Status(Returned), Status(Approved)}
}

// Key is the catalogue key of the status's name.
func (st Status) Key() string { return "dossier.state." + string(st) }

// Tone is the badge class a status is shown with.
func (st Status) Tone() string {
	switch st {
	case Overdue, Status(Returned):
		return "red"
	case Status(Submitted):
		return "warn"
	case Status(Approved):
		return "ok"
	}
	return ""
}

// open reports whether the unit still owes evidence in this state.
func (st State) open() bool { return st == Pending || st == Returned }

// MayOpen reports whether the actor has any dossier pages.
func MayOpen(a access.Actor) bool {
	return a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler)
}

// MayRun reports whether the actor may make rounds at all.
func MayRun(a access.Actor) bool { return a.HasAny(access.RoleAdmin, access.RoleOffice) }

// manages: administrators anywhere, the office inside its jurisdiction.
func manages(a access.Actor, region string) bool {
	return a.IsAdmin() || a.Has(access.RoleOffice) && a.Manages(region)
}

// oversees: those who manage, and leaders inside their jurisdiction.
func oversees(a access.Actor, region string) bool { return manages(a, region) || a.Oversees(region) }

// myUnits are the units whose items the actor reads as a unit: its own
// and those below it.
func myUnits(a access.Actor) []int64 {
	if a.UnitID == 0 || !a.Has(access.RoleHandler) {
		return nil
	}
	return append([]int64{a.UnitID}, a.SubUnits...)
}

// ParseDate reads a date as offices write it: 2026-03-01, 2026/3/1, 2026年3月1日.
func ParseDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	v = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(v)
	for _, layout := range []string{"2006-1-2", dateLayout} {
		if t, err := time.ParseInLocation(layout, v, calendar.Shanghai()); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ParseMonth reads a month: 2026-03, 2026/3, 2026年3月.
func ParseMonth(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	v = strings.TrimSuffix(strings.NewReplacer("年", "-", "月", "", "/", "-", ".", "-").Replace(v), "-")
	for _, layout := range []string{"2006-1", monthLayout} {
		if t, err := time.ParseInLocation(layout, v, calendar.Shanghai()); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// DefaultPeriod is the period a requirement covers by default: the twelve
// months up to the month before the evaluation date (evaluation on
// 2027-03-15: 2026-03 to 2027-02).
func DefaultPeriod(evaluationOn string) (from, to string) {
	t, ok := ParseDate(evaluationOn)
	if !ok {
		return "", ""
	}
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, -12, 0).Format(monthLayout), first.AddDate(0, -1, 0).Format(monthLayout)
}

// Today is the date in Shanghai, YYYY-MM-DD, on the store's clock.
func (s *Store) Today() string { return s.today() }
