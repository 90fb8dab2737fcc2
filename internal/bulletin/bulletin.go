// Package bulletin builds the office's bulletins (通报): for a scope (a
// region subtree or a group of units) and a period, the figures of
// DESIGN.md's metric definitions in total, by source, by category and for
// every responsible unit, grouped and ranked by a configurable composite
// score with red and black lists (红黑榜), the overdue and repeatedly failed
// cases by name, inspection score rates and the change against the previous
// period. An issued bulletin is frozen (its figures stored as they were),
// numbered per issuing office and year (〔2026〕第12期) and never changed;
// re-issuing makes a new number. Schedules issue bulletins by themselves,
// once even with several servers.
package bulletin

import (
	"context"
	"log/slog"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/survey"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

// Store keeps bulletins, their configuration and their schedules. Only DB
// is required; the other fields may stay nil.
type Store struct {
	DB *db.DB
	// Problems is the ledger the bulletins count.
	Problems *problem.Store
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Hours counts working hours for the mean handling time (nil: the mean
	// is left out).
	Hours problem.HoursCounter
	// Log receives the schedule's failures (nil: not logged).
	Log *slog.Logger
	// T writes the number and title a notice of issue carries (nil: the
	// built-in zh-CN catalogue).
	T T
	// WorkReports counts the units' work reports (信息报送) adopted in
	// [from, to) and the highlights among them, by unit, for the
	// assessment's work-report line (nil: none).
	WorkReports func(ctx context.Context, from, to time.Time) (map[int64]WorkReportCount, error)
	// DossierOverdue counts each unit's evidence dossier items (材料审核)
	// still owed past their due date at a time, for the dossier line (nil: none).
	DossierOverdue func(ctx context.Context, at time.Time) (map[int64]int, error)
	// CountCases makes every bulletin count the period's cases instead of
	// reading the ledger's tally where it can: the reference the tally is
	// held to in tests and benchmarks.
	CountCases bool
	// Volunteers adds a 志愿服务 section to a region's bulletin (nil:
	// none).
	Volunteers *volunteer.Store
	// Issued, when set, is told of every bulletin issued, inside the
	// transaction that stores it (group robots and webhooks hear of it
	// through it; nil: nobody).
	Issued func(ctx context.Context, tx db.Conn, b *Bulletin) error
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Weighted are a unit's counts for the composite score, each case counted
// with its weight (Config.DoubleFactor for media and superior cases, else 1).
type Weighted struct {
	Filed              float64 `json:"filed"`
	Closed             float64 `json:"closed"`
	ClosedOnTime       float64 `json:"closed_on_time"`
	Parked             float64 `json:"parked"`
	Dispatched         float64 `json:"dispatched"`
	Extended           float64 `json:"extended"`
	Returned           float64 `json:"returned"`
	Verifications      float64 `json:"verifications"`
	VerifyFailed       float64 `json:"verify_failed"`
	Falsified          float64 `json:"falsified"`
	UnjustifiedReturns float64 `json:"unjustified_returns"`
	// The unit's work reports (信息报送) adopted in the period, and the
	// highlights among them: counted once each, not by source.
	WorkAdopted    float64 `json:"work_adopted,omitempty"`
	WorkHighlights float64 `json:"work_highlights,omitempty"`
	// The unit's dossier items overdue at the end of the period: counted
	// once each, not by source.
	DossierOverdue float64 `json:"dossier_overdue,omitempty"`
}

// WorkReportCount is a unit's adopted work reports in a period.
type WorkReportCount struct {
	Adopted, Highlights int
}

// Parts show how a composite score was made, in points.
type Parts struct {
	OnTime      float64 `json:"on_time"`
	Closure     float64 `json:"closure"`
	Rework      float64 `json:"rework"`
	Return      float64 `json:"return"`
	Extension   float64 `json:"extension"`
	Failed      float64 `json:"failed"` // deducted
	Falsified   float64 `json:"falsified"`
	Unjustified float64 `json:"unjustified"`
	Adopted     float64 `json:"adopted,omitempty"` // added
	Highlights  float64 `json:"highlights,omitempty"`
	Dossier     float64 `json:"dossier,omitempty"` // deducted for overdue dossier items
}

// The groups units are ranked in.
const (
	GroupDepartment = "department" // 职能部门
	GroupStreet     = "street"     // 街道（乡镇）: territorial, 9-digit region
	GroupCommunity  = "community"  // 社区（村）: territorial, 12-digit region
	GroupOther      = "other"      // sponsors, property companies and the rest
)

// Groups lists the group keys in display order.
func Groups() []string { return []string{GroupDepartment, GroupStreet, GroupCommunity, GroupOther} }

// Why a unit is listed apart instead of ranked.
const (
	ApartFew      = "few"      // fewer cases than the minimum sample
	ApartExcluded = "excluded" // excluded by the office's configuration
)

// UnitRow is one responsible unit's figures and assessment.
type UnitRow struct {
	UnitID  int64       `json:"unit_id"`
	Name    string      `json:"name"`
	Kind    string      `json:"kind"`
	Region  string      `json:"region"`
	Group   string      `json:"group"`
	Cases   int         `json:"cases"` // its cases in the period: with it now, or returned by it
	Figures problem.KPI `json:"figures"`
	// Falsified counts its rectifications the office marked falsified;
	// UnjustifiedReturns its returns the office marked unjustified.
	Falsified          int      `json:"falsified"`
	UnjustifiedReturns int      `json:"unjustified_returns"`
	Weighted           Weighted `json:"weighted"`
	Score              float64  `json:"score"`
	Parts              Parts    `json:"parts"`
	Rank               int      `json:"rank"`            // 1 best; 0 not ranked
	Apart              string   `json:"apart,omitempty"` // why not ranked
	Red                bool     `json:"red,omitempty"`   // 红榜
	Black              bool     `json:"black,omitempty"` // 黑榜
	PrevScore          float64  `json:"prev_score"`
	HasPrev            bool     `json:"has_prev"` // ranked in the previous period too
}

// Ranked reports whether the unit took part in the ranking.
func (u UnitRow) Ranked() bool { return u.Rank > 0 }

// ScoreChange is the score's change against the previous period.
func (u UnitRow) ScoreChange() float64 { return u.Score - u.PrevScore }

// Group is the units of one group: the ranked first, best first, then
// those listed apart.
type Group struct {
	Key   string    `json:"key"`
	Units []UnitRow `json:"units"`
}

// RedList is the group's red list, best first.
func (g Group) RedList() []UnitRow {
	var out []UnitRow
	for _, u := range g.Units {
		if u.Red {
			out = append(out, u)
		}
	}
	return out
}

// BlackList is the group's black list, worst first.
func (g Group) BlackList() []UnitRow {
	var out []UnitRow
	for i := len(g.Units) - 1; i >= 0; i-- {
		if g.Units[i].Black {
			out = append(out, g.Units[i])
		}
	}
	return out
}

// Apart lists the units not ranked, with the reason in each row.
func (g Group) Apart() []UnitRow {
	var out []UnitRow
	for _, u := range g.Units {
		if !u.Ranked() {
			out = append(out, u)
		}
	}
	return out
}

// SourceRow is the figures of one source.
type SourceRow struct {
	Source  problem.Source `json:"source"`
	Figures problem.KPI    `json:"figures"`
}

// CategoryRow is one of the categories with the most cases.
type CategoryRow struct {
	CategoryID int64       `json:"category_id"`
	Name       string      `json:"name"`
	Top        string      `json:"top"`
	Figures    problem.KPI `json:"figures"`
}

// CaseRow names one case in a list of the bulletin.
type CaseRow struct {
	ID          int64     `json:"id"`
	Code        string    `json:"code"`
	Description string    `json:"description"`
	Category    string    `json:"category"`
	Unit        string    `json:"unit"`
	Region      string    `json:"region"`
	State       string    `json:"state"`
	Source      string    `json:"source"`
	Deadline    time.Time `json:"deadline"`
	OverdueDays int       `json:"overdue_days"` // whole or started days past the deadline
	Rework      int       `json:"rework"`
	Escalation  int       `json:"escalation"`
}

// ScoreRate is the mean inspection score rate of a set of inspections.
type ScoreRate struct {
	Key         string  `json:"key"`
	Name        string  `json:"name"`
	Inspections int     `json:"inspections"`
	Mean        float64 `json:"mean"`
}

// Inspections are the inspection score rates of the period: inspections
// submitted in it at sites in the scope (covert rounds once published).
type Inspections struct {
	Count     int         `json:"count"`
	Mean      float64     `json:"mean"`
	ByType    []ScoreRate `json:"by_type"`
	ByStreet  []ScoreRate `json:"by_street"`
	PrevCount int         `json:"prev_count"`
	PrevMean  float64     `json:"prev_mean"`
}

// Change is the mean's change against the previous period, in points.
func (i Inspections) Change() float64 { return (i.Mean - i.PrevMean) * 100 }

// Scope is what a bulletin covers: a region subtree, or a group of units.
type Scope struct {
	Region     string   `json:"region,omitempty"`
	RegionName string   `json:"region_name,omitempty"`
	Units      []int64  `json:"units,omitempty"`
	UnitNames  []string `json:"unit_names,omitempty"`
}

// IsUnits reports whether the scope is a group of units.
func (s Scope) IsUnits() bool { return s.Region == "" }

// Content is everything a bulletin shows; an issued bulletin stores it as
// JSON and never computes it again.
type Content struct {
	Scope      Scope         `json:"scope"`
	Period     Period        `json:"period"`
	Previous   Period        `json:"previous"`
	TakenAt    time.Time     `json:"taken_at"` // when the figures were taken
	Config     Config        `json:"config"`   // the assessment used
	Totals     problem.KPI   `json:"totals"`
	PrevTotals problem.KPI   `json:"prev_totals"`
	BySource   []SourceRow   `json:"by_source"`
	Categories []CategoryRow `json:"categories"`
	Groups     []Group       `json:"groups"`
	Overdue    []CaseRow     `json:"overdue"`
	// OverdueMore counts overdue cases beyond those listed.
	OverdueMore int         `json:"overdue_more"`
	Repeated    []CaseRow   `json:"repeated"` // failed verification twice or more
	Inspections Inspections `json:"inspections"`
	// Surveys are the household survey rounds (入户调查) of the period in
	// the scope, with their 三率一度 from approved interviews.
	Surveys []survey.RoundFigures `json:"surveys,omitempty"`
	// Volunteer is the period's volunteering (志愿服务) of a region scope
	// with volunteer data; nil otherwise (and in bulletins issued before).
	Volunteer *VolunteerSection `json:"volunteer,omitempty"`
}

// VolunteerSection is the 志愿服务 part of a bulletin, frozen with it.
type VolunteerSection struct {
	Registered int            `json:"registered"`
	Active     int            `json:"active"`
	Teams      int            `json:"teams"`
	Activities int            `json:"activities"`
	Minutes    int64          `json:"minutes"`
	TopTeams   []VolunteerRow `json:"top_teams,omitempty"`
}

// VolunteerRow is a team and its hours in the period.
type VolunteerRow struct {
	Name    string `json:"name"`
	Minutes int64  `json:"minutes"`
}

// Bulletin is an issued bulletin, or a draft when Draft is set (computed
// now, not stored, without a number).
type Bulletin struct {
	ID           int64     `json:"-"`
	Draft        bool      `json:"-"`
	IssuerRegion string    `json:"-"`
	IssuerUnitID int64     `json:"-"`
	IssuerName   string    `json:"-"`
	Year         int       `json:"-"`
	Seq          int       `json:"-"`
	Title        string    `json:"-"` // "": the standard title
	IssuedAt     time.Time `json:"-"`
	IssuedBy     int64     `json:"-"`
	IssuedByName string    `json:"-"`
	ScheduleID   int64     `json:"-"`
	ReissueOf    int64     `json:"-"`
	// ReissuedAs is the newer bulletin that re-issued this one, if any.
	ReissuedAs int64 `json:"-"`
	Content
}

// Summary is one line of the archive.
type Summary struct {
	ID         int64
	Year, Seq  int
	Title      string
	IssuerName string
	Scope      Scope
	Period     Period
	IssuedAt   time.Time
	Scheduled  bool
	ReissueOf  int64
}
