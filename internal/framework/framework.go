// Package framework holds the national evaluation framework (全国文明城市测评体系)
// as data: versioned trees of items (测评项目), indicators (指标), contents
// (测评内容) and criteria (测评标准), and the site types (点位类型) criteria
// apply to.
//
// A criterion has one or more methods (实地考察, 问卷调查, 材料审核), an
// optional score, the site types it is checked at and the problem
// categories a failure is filed as. Versions live side by side and at most
// one is active: the inspection checklist of a site is the active
// version's criteria for the site's type (Store.Criteria).
//
// The office receives the framework as a spreadsheet, so a version is
// imported from and exported to one flat sheet (XLSX or CSV); see sheet.go
// for the layout.
package framework

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
)

// Level is the depth of a node in the tree, 1 to 4.
type Level int

// The levels of the framework.
const (
	LevelItem      Level = 1 // 测评项目
	LevelIndicator Level = 2 // 测评指标
	LevelContent   Level = 3 // 测评内容
	LevelCriterion Level = 4 // 测评标准
)

// Levels lists the levels from the top.
func Levels() []Level { return []Level{LevelItem, LevelIndicator, LevelContent, LevelCriterion} }

// Valid reports whether l is one of the four levels.
func (l Level) Valid() bool { return l >= LevelItem && l <= LevelCriterion }

// Key is the catalogue key of the level's name.
func (l Level) Key() string {
	switch l {
	case LevelItem:
		return "framework.level.item"
	case LevelIndicator:
		return "framework.level.indicator"
	case LevelContent:
		return "framework.level.content"
	case LevelCriterion:
		return "framework.level.criterion"
	}
	return "framework.level.unknown"
}

// Method is a way a criterion is checked.
type Method string

// The evaluation methods.
const (
	MethodField   Method = "field"   // 实地考察
	MethodSurvey  Method = "survey"  // 问卷调查
	MethodDossier Method = "dossier" // 材料审核
)

// Methods lists the methods in display order.
func Methods() []Method { return []Method{MethodField, MethodSurvey, MethodDossier} }

// Valid reports whether m is a known method.
func (m Method) Valid() bool { return slices.Contains(Methods(), m) }

// Key is the catalogue key of the method's name.
func (m Method) Key() string { return "framework.method." + string(m) }

// SiteType is a kind of inspection site (点位类型), such as 主次干道.
type SiteType struct {
	Code     string // stable, e.g. main_road
	Name     string
	Position int
	Builtin  bool // one of the 26 types of the 2021 operating manual
	Active   bool
}

// Version is one edition of the framework. Tree and the counts are filled
// by Store.Version and Store.ActiveVersion; Store.Versions fills the
// counts only.
type Version struct {
	ID           int64
	Name         string
	Note         string
	IsSample     bool
	Active       bool
	Source       string // sample, empty, copy or import
	SourceDetail string // the copied version's name or the imported file's name
	CreatedAt    time.Time
	CreatedBy    int64 // 0: the system
	UpdatedAt    time.Time
	ActivatedAt  time.Time
	// Counts by level, index 0 unused.
	Counts [5]int
	Items  []*Node
}

// Sources of a version.
const (
	SourceSample = "sample"
	SourceEmpty  = "empty"
	SourceCopy   = "copy"
	SourceImport = "import"
)

// ItemCount is the number of items (测评项目).
func (v Version) ItemCount() int { return v.Counts[LevelItem] }

// IndicatorCount is the number of indicators (测评指标).
func (v Version) IndicatorCount() int { return v.Counts[LevelIndicator] }

// ContentCount is the number of contents (测评内容).
func (v Version) ContentCount() int { return v.Counts[LevelContent] }

// CriterionCount is the number of criteria (测评标准).
func (v Version) CriterionCount() int { return v.Counts[LevelCriterion] }

// Walk calls fn for every node of the tree in tree order, parents first.
func (v Version) Walk(fn func(n *Node)) {
	var walk func(ns []*Node)
	walk = func(ns []*Node) {
		for _, n := range ns {
			fn(n)
			walk(n.Children)
		}
	}
	walk(v.Items)
}

// Node is one entry of the tree. Methods, Score, SiteTypes and Categories
// are set on criteria only.
type Node struct {
	ID         int64
	VersionID  int64
	ParentID   int64 // 0 for an item
	Level      Level
	Code       string
	Text       string
	Position   int
	Methods    []Method // in the order of Methods()
	Score      *float64 // nil: no score given
	SiteTypes  []string // site type codes, in site type order
	Categories []string // problem category codes, sorted
	Children   []*Node
}

// IsCriterion reports whether the node is a criterion (level 4).
func (n *Node) IsCriterion() bool { return n.Level == LevelCriterion }

// ScoreText is the score as written in a sheet, "" when there is none.
func (n *Node) ScoreText() string { return FormatScore(n.Score) }

// HasMethod reports whether the criterion is checked by m.
func (n *Node) HasMethod(m Method) bool { return slices.Contains(n.Methods, m) }

// HasSiteType reports whether the criterion applies to the site type.
func (n *Node) HasSiteType(code string) bool { return slices.Contains(n.SiteTypes, code) }

// FormatScore writes a score the shortest exact way, "" for none.
func FormatScore(s *float64) string {
	if s == nil {
		return ""
	}
	return strconv.FormatFloat(*s, 'f', -1, 64)
}

// Ref names a node on the path to a criterion.
type Ref struct {
	ID   int64
	Code string
	Text string
}

// Criterion is a criterion with the path above it, as the inspection
// checklist lists it.
type Criterion struct {
	Node
	Item      Ref
	Indicator Ref
	Content   Ref
}

// Bounds of the fields.
const (
	MaxCodeLen    = 40
	MaxTextLen    = 2000
	MaxNameLen    = 100
	MaxNoteLen    = 1000
	MaxScore      = 1000
	maxTypeName   = 20
	maxTypeCode   = 40
	scoreDecimals = 2
)

// codePattern: letters, digits, dots, dashes and underscores, starting
// with a letter or digit, e.g. 3.2.1.4 or A01-2.
var codePattern = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._\-]*$`)

// siteTypeCodePattern: lower-case words joined by underscores.
var siteTypeCodePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// ValidCode reports whether code is a well-formed node code.
func ValidCode(code string) bool { return len(code) <= MaxCodeLen && codePattern.MatchString(code) }

// NodeInput is what a person enters for a node.
type NodeInput struct {
	ParentID   int64 // 0: an item; fixed once created
	Code       string
	Text       string
	Position   int // 0: at the end (create) or unchanged (update)
	Methods    []Method
	Score      *float64
	SiteTypes  []string
	Categories []string
}

func (in *NodeInput) normalize() {
	in.Code = strings.TrimSpace(toHalfWidth(in.Code))
	in.Text = strings.TrimSpace(in.Text)
	in.Methods = normMethods(in.Methods)
	in.SiteTypes = dedupe(in.SiteTypes, strings.TrimSpace)
	in.Categories = dedupe(in.Categories, func(s string) string { return strings.ToUpper(strings.TrimSpace(s)) })
	slices.Sort(in.Categories)
}

// validate checks the fields that need no database, for a node of level l.
func (in NodeInput) validate(l Level) error {
	switch {
	case !ValidCode(in.Code):
		return apperr.Invalid("framework.code_invalid", MaxCodeLen)
	case in.Text == "":
		return apperr.Invalid("framework.text_required")
	case utf8.RuneCountInString(in.Text) > MaxTextLen:
		return apperr.Invalid("framework.text_too_long", MaxTextLen)
	case in.Position < 0:
		return apperr.Invalid("framework.position_invalid")
	}
	if l != LevelCriterion {
		if len(in.Methods) > 0 || in.Score != nil || len(in.SiteTypes) > 0 || len(in.Categories) > 0 {
			return apperr.Invalid("framework.criterion_only")
		}
		return nil
	}
	for _, m := range in.Methods {
		if !m.Valid() {
			return apperr.Invalid("framework.method_unknown", string(m))
		}
	}
	if len(in.Methods) == 0 {
		return apperr.Invalid("framework.method_required")
	}
	if in.Score != nil && !validScore(*in.Score) {
		return apperr.Invalid("framework.score_invalid", MaxScore)
	}
	return nil
}

// validScore: 0 to MaxScore with at most two decimals.
func validScore(x float64) bool {
	if math.IsNaN(x) || x < 0 || x > MaxScore {
		return false
	}
	scaled := x * math.Pow10(scoreDecimals)
	return math.Abs(scaled-math.Round(scaled)) < 1e-6
}

// ParseScore reads a score as a person writes it ("2", "1.5", "２"); ""
// is no score. ok is false for anything else, negative numbers and more
// than two decimals included.
func ParseScore(s string) (score *float64, ok bool) {
	s = strings.TrimSpace(toHalfWidth(s))
	s = strings.TrimSuffix(s, "分")
	if s == "" {
		return nil, true
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || !validScore(x) {
		return nil, false
	}
	return &x, true
}

// normMethods puts methods in canonical order without repeats; unknown
// ones stay at the end so that validation reports them.
func normMethods(ms []Method) []Method {
	var out, unknown []Method
	for _, m := range Methods() {
		if slices.Contains(ms, m) {
			out = append(out, m)
		}
	}
	for _, m := range ms {
		if !m.Valid() && m != "" && !slices.Contains(unknown, m) {
			unknown = append(unknown, m)
		}
	}
	return append(out, unknown...)
}

func dedupe(list []string, norm func(string) string) []string {
	var out []string
	for _, s := range list {
		s = norm(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// toHalfWidth turns full-width digits and punctuation (１２．５) into ASCII,
// as Chinese input methods often type them.
func toHalfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '！' && r <= '～' {
			return r - '！' + '!'
		}
		if r == '\u3000' {
			return ' '
		}
		return r
	}, s)
}

// VersionInput is what a person enters for a new version.
type VersionInput struct {
	Name   string
	Note   string
	CopyOf int64 // 0: an empty version; else the version to copy
}

func (in *VersionInput) normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.Note = strings.TrimSpace(in.Note)
}

func (in VersionInput) validate() error {
	switch {
	case in.Name == "" || utf8.RuneCountInString(in.Name) > MaxNameLen:
		return apperr.Invalid("framework.name_invalid", MaxNameLen)
	case utf8.RuneCountInString(in.Note) > MaxNoteLen:
		return apperr.Invalid("framework.note_too_long", MaxNoteLen)
	}
	return nil
}

// canEdit: the framework is the same for the whole installation, so only
// the office and administrators change it. Everyone may read it: the
// inspectors check against it, leaders follow it.
func canEdit(a access.Actor) bool { return a.IsAdmin() || a.Has(access.RoleOffice) }

// CanEdit reports whether the actor may change versions, nodes and site
// types, for pages that hide the forms from the others.
func CanEdit(a access.Actor) bool { return canEdit(a) }

// mayView: the framework is read by those who plan and do inspections:
// the office, leaders, inspectors and administrators.
func mayView(a access.Actor) error {
	if a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleInspector) {
		return nil
	}
	return apperr.Forbidden("framework.view_forbidden")
}

// mayChange: someone who may not even read the framework is told so; a
// reader who may not change it gets code.
func mayChange(a access.Actor, code string) error {
	if err := mayView(a); err != nil {
		return err
	}
	if !canEdit(a) {
		return apperr.Forbidden(code)
	}
	return nil
}
