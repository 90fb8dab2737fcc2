// Package category is the problem category catalogue (问题分类): top
// categories (大类) and the sub-categories (小类) that cases are filed
// under, each with its kind, working-time limit, filing and closing
// conditions and the rule that picks the responsible unit. Categories are
// deactivated, never deleted, because cases refer to them.
package category

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/org"
)

// Kind says whether a sub-category is about an event or a component.
type Kind string

// The kinds of sub-category.
const (
	KindEvent     Kind = "event"     // 事件: something happening or done, e.g. 占道经营
	KindComponent Kind = "component" // 部件: a facility with an owner, e.g. 井盖
)

// Kinds lists the kinds in display order.
func Kinds() []Kind { return []Kind{KindEvent, KindComponent} }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds(), k) }

// Key is the catalogue key of the kind's name.
func (k Kind) Key() string { return "category.kind." + string(k) }

// OwnerRule says which unit a case of the category goes to: the
// territorial unit (street/community) of its place, or the department of a
// line (条线), written "line:urban_management".
type OwnerRule string

// Territorial sends cases to the street or community of their place (属地).
const Territorial OwnerRule = "territorial"

const linePrefix = "line:"

// LineOwner is the rule that sends cases to the department of line.
func LineOwner(line string) OwnerRule { return OwnerRule(linePrefix + line) }

// DefaultOwner is the usual rule of a kind: events go to the territorial
// unit, components to the department of their line. It returns "" for a
// component without a line, which must then be chosen.
func DefaultOwner(k Kind, line string) OwnerRule {
	if k == KindComponent {
		if line == "" {
			return ""
		}
		return LineOwner(line)
	}
	return Territorial
}

// Line returns the line of a line rule, "" for the territorial rule.
func (r OwnerRule) Line() string {
	line, ok := strings.CutPrefix(string(r), linePrefix)
	if !ok {
		return ""
	}
	return line
}

// IsTerritorial reports whether the rule is the territorial one.
func (r OwnerRule) IsTerritorial() bool { return r == Territorial }

// Valid reports whether r is territorial or names a line of org.Lines.
func (r OwnerRule) Valid() bool {
	if r == Territorial {
		return true
	}
	line := r.Line()
	return line != "" && slices.Contains(org.Lines(), line)
}

// Key is the catalogue key of the rule's description; for a line rule it
// takes the line's name (org.LineKey) as argument.
func (r OwnerRule) Key() string {
	if r.IsTerritorial() {
		return "category.owner.territorial"
	}
	return "category.owner.line"
}

// Limit is a time limit in working time.
type Limit struct {
	Amount int
	Unit   calendar.Unit
}

// Bounds of a limit.
const (
	MaxHours = 999
	MaxDays  = 365
)

// Validate checks the unit and the amount's range.
func (l Limit) Validate() error {
	switch l.Unit {
	case calendar.UnitHour:
		if l.Amount < 1 || l.Amount > MaxHours {
			return apperr.Invalid("category.limit_hours_range", MaxHours)
		}
	case calendar.UnitDay:
		if l.Amount < 1 || l.Amount > MaxDays {
			return apperr.Invalid("category.limit_days_range", MaxDays)
		}
	default:
		return apperr.Invalid("category.limit_unit_invalid")
	}
	return nil
}

// Deadline is the deadline of a case of this limit filed at start.
func (l Limit) Deadline(c *calendar.Calendar, start time.Time) time.Time {
	return c.Deadline(start, l.Amount, l.Unit)
}

// Top is a top category (大类) with its sub-categories in position order.
type Top struct {
	ID        int64
	Code      string
	Name      string
	Position  int
	Active    bool
	Subs      []Sub
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Sub is a sub-category (小类), the category a case is filed under.
type Sub struct {
	ID               int64
	TopID            int64
	TopCode          string
	TopName          string
	TopActive        bool
	Code             string // stable; also the Open311 service_code
	Name             string
	Kind             Kind
	Limit            Limit
	FilingCondition  string // 立案条件
	ClosingCondition string // 结案条件
	Owner            OwnerRule
	Position         int
	Active           bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Usable reports whether new cases may be filed under the sub-category:
// it and its top category are both active.
func (s Sub) Usable() bool { return s.Active && s.TopActive }

// Lengths and formats of the fields.
const (
	maxNameLen      = 50
	maxConditionLen = 1000
)

// codePattern: capital letters and digits, a letter first, e.g. SR or SR01.
var codePattern = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,11}$`)

// NormalizeCode trims and upper-cases a code as entered.
func NormalizeCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// TopInput is what a person enters for a top category.
type TopInput struct {
	Code     string // fixed once created
	Name     string
	Position int // 0: at the end (create) or unchanged (update)
}

func (in *TopInput) normalize() {
	in.Code = NormalizeCode(in.Code)
	in.Name = strings.TrimSpace(in.Name)
}

func (in TopInput) validate() error {
	switch {
	case !codePattern.MatchString(in.Code):
		return apperr.Invalid("category.code_invalid")
	case in.Name == "" || len([]rune(in.Name)) > maxNameLen:
		return apperr.Invalid("category.name_invalid", maxNameLen)
	case in.Position < 0:
		return apperr.Invalid("category.position_invalid")
	}
	return nil
}

// SubInput is what a person enters for a sub-category.
type SubInput struct {
	TopID            int64
	Code             string // fixed once created
	Name             string
	Kind             Kind
	Limit            Limit
	FilingCondition  string
	ClosingCondition string
	Owner            OwnerRule // "" for an event: territorial
	Position         int       // 0: at the end (create, or a move to another top) or unchanged (update)
}

func (in *SubInput) normalize() {
	in.Code = NormalizeCode(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	in.FilingCondition = strings.TrimSpace(in.FilingCondition)
	in.ClosingCondition = strings.TrimSpace(in.ClosingCondition)
	in.Owner = OwnerRule(strings.TrimSpace(string(in.Owner)))
	if in.Owner == "" {
		in.Owner = DefaultOwner(in.Kind, "")
	}
}

func (in SubInput) validate() error {
	switch {
	case !codePattern.MatchString(in.Code):
		return apperr.Invalid("category.code_invalid")
	case in.Name == "" || len([]rune(in.Name)) > maxNameLen:
		return apperr.Invalid("category.name_invalid", maxNameLen)
	case !in.Kind.Valid():
		return apperr.Invalid("category.kind_invalid")
	case in.Position < 0:
		return apperr.Invalid("category.position_invalid")
	case len([]rune(in.FilingCondition)) > maxConditionLen || len([]rune(in.ClosingCondition)) > maxConditionLen:
		return apperr.Invalid("category.condition_too_long", maxConditionLen)
	case in.Owner == "":
		return apperr.Invalid("category.owner_line_required")
	case !in.Owner.Valid():
		return apperr.Invalid("category.owner_invalid", string(in.Owner))
	}
	return in.Limit.Validate()
}
