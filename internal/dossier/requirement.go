package dossier

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/org"
)

// Requirement is one evidence requirement (材料清单) of a round.
type Requirement struct {
	ID            int64
	RoundID       int64
	CriterionID   int64
	CriterionCode string
	CriterionText string
	Position      int
	Title         string
	Description   string
	Types         []MaterialType
	Frequency     Frequency
	PeriodFrom    string // YYYY-MM
	PeriodTo      string
	DueDays       int
	DueOn         string // once only, or ""
	LeadUnitID    int64
	LeadUnitName  string
	CoopUnitIDs   []int64
	CoopNames     []string
}

// Units are the responsible units, the lead first.
func (q *Requirement) Units() []int64 {
	out := []int64{}
	if q.LeadUnitID != 0 {
		out = append(out, q.LeadUnitID)
	}
	for _, u := range q.CoopUnitIDs {
		if u != q.LeadUnitID && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// Instances are the requirement's instances for each unit.
func (q *Requirement) Instances() []Instance {
	return Instances(q.Frequency, q.PeriodFrom, q.PeriodTo, q.DueDays, q.DueOn)
}

// TypeNames are the material types in Chinese, joined.
func (q *Requirement) TypeNames() string {
	var out []string
	for _, t := range q.Types {
		out = append(out, typeNames[t])
	}
	return strings.Join(out, "、")
}

// RequirementInput is a requirement typed in or read from a sheet.
type RequirementInput struct {
	CriterionCode string
	Title         string
	Description   string
	Types         []MaterialType
	Frequency     Frequency
	PeriodFrom    string // "": the default period of the round
	PeriodTo      string
	DueDays       *int   // nil: 10
	DueOn         string // once only
	LeadUnitID    int64
	CoopUnitIDs   []int64
}

// DefaultDueDays is how many days after its period an instance is due.
const DefaultDueDays = 10

// dossierCriteria maps the codes of a version's 材料审核 criteria to their nodes.
func (s *Store) dossierCriteria(ctx context.Context, versionID int64) (map[string]*framework.Node, framework.Version, error) {
	v, err := s.Framework.Version(ctx, access.System(), versionID)
	if err != nil {
		return nil, v, err
	}
	out := map[string]*framework.Node{}
	v.Walk(func(n *framework.Node) {
		if n.IsCriterion() {
			out[n.Code] = n
		}
	})
	return out, v, nil
}

// requirementChecker checks inputs against a round.
type requirementChecker struct {
	round    Round
	criteria map[string]*framework.Node
	units    map[int64]org.UnitInfo
}

func (s *Store) checker(ctx context.Context, r Round, unitIDs []int64) (*requirementChecker, error) {
	crit, _, err := s.dossierCriteria(ctx, r.VersionID)
	if err != nil {
		return nil, err
	}
	units, err := org.UnitInfos(ctx, s.DB, unitIDs)
	if err != nil {
		return nil, err
	}
	return &requirementChecker{round: r, criteria: crit, units: units}, nil
}

// fieldError is a refusal naming the field (for the sheet's column).
type fieldError struct {
	field string
	err   *apperr.Error
}

// check validates in and returns the requirement, or the refusals by field.
func (c *requirementChecker) check(in RequirementInput) (*Requirement, []fieldError) {
	var errs []fieldError
	fail := func(field, code string, args ...any) {
		errs = append(errs, fieldError{field, apperr.Invalid(code, args...)})
	}
	q := &Requirement{RoundID: c.round.ID, Title: strings.TrimSpace(in.Title), Description: strings.TrimSpace(in.Description),
		Frequency: in.Frequency, DueOn: strings.TrimSpace(in.DueOn), LeadUnitID: in.LeadUnitID, DueDays: DefaultDueDays}
	code := strings.TrimSpace(in.CriterionCode)
	n, ok := c.criteria[code]
	switch {
	case code == "" || !ok:
		fail("criterion", "dossier.criterion_unknown", code)
	case !n.HasMethod(framework.MethodDossier):
		fail("criterion", "dossier.criterion_not_dossier", code)
	default:
		q.CriterionID, q.CriterionCode, q.CriterionText = n.ID, n.Code, n.Text
	}
	if q.Title == "" || utf8.RuneCountInString(q.Title) > MaxTitleLen {
		fail("title", "dossier.title_invalid", MaxTitleLen)
	}
	if utf8.RuneCountInString(q.Description) > MaxTextLen {
		fail("description", "dossier.text_too_long", MaxTextLen)
	}
	for _, t := range in.Types {
		if !t.Valid() {
			fail("types", "dossier.type_invalid")
			break
		}
		if !slices.Contains(q.Types, t) {
			q.Types = append(q.Types, t)
		}
	}
	if len(q.Types) == 0 && len(errs) == 0 {
		fail("types", "dossier.type_required")
	}
	slices.SortFunc(q.Types, func(a, b MaterialType) int {
		return slices.Index(MaterialTypes(), a) - slices.Index(MaterialTypes(), b)
	})
	if !q.Frequency.Valid() {
		fail("frequency", "dossier.freq_invalid")
	}
	defFrom, defTo := DefaultPeriod(c.round.EvaluationOn)
	q.PeriodFrom, q.PeriodTo = defFrom, defTo
	if strings.TrimSpace(in.PeriodFrom) != "" {
		if t, ok := ParseMonth(in.PeriodFrom); ok {
			q.PeriodFrom = t.Format(monthLayout)
		} else {
			fail("period_from", "dossier.month_invalid")
		}
	}
	if strings.TrimSpace(in.PeriodTo) != "" {
		if t, ok := ParseMonth(in.PeriodTo); ok {
			q.PeriodTo = t.Format(monthLayout)
		} else {
			fail("period_to", "dossier.month_invalid")
		}
	}
	if q.PeriodTo < q.PeriodFrom {
		fail("period_to", "dossier.period_backwards")
	}
	if in.DueDays != nil {
		if *in.DueDays < 0 || *in.DueDays > MaxDueDays {
			fail("due_days", "dossier.due_days_invalid", MaxDueDays)
		}
		q.DueDays = *in.DueDays
	}
	if q.DueOn != "" {
		t, ok := ParseDate(q.DueOn)
		switch {
		case !ok:
			fail("due_on", "dossier.date_invalid")
		case q.Frequency != Once:
			fail("due_on", "dossier.due_on_once_only")
		default:
			q.DueOn = t.Format(dateLayout)
		}
	}
	unit := func(field string, id int64) (org.UnitInfo, bool) {
		u, ok := c.units[id]
		if !ok {
			fail(field, "dossier.unit_unknown")
			return u, false
		}
		if u.RegionCode != "" && !strings.HasPrefix(u.RegionCode, c.round.RegionCode) && !strings.HasPrefix(c.round.RegionCode, u.RegionCode) {
			fail(field, "dossier.unit_outside", u.Name)
			return u, false
		}
		return u, true
	}
	if in.LeadUnitID == 0 {
		fail("lead", "dossier.lead_required")
	} else if u, ok := unit("lead", in.LeadUnitID); ok {
		q.LeadUnitName = u.Name
	}
	for _, id := range in.CoopUnitIDs {
		if id == q.LeadUnitID || slices.Contains(q.CoopUnitIDs, id) {
			continue
		}
		if u, ok := unit("coop", id); ok {
			q.CoopUnitIDs = append(q.CoopUnitIDs, id)
			q.CoopNames = append(q.CoopNames, u.Name)
		}
	}
	return q, errs
}

// AddRequirement adds a requirement to a round; in an open round its
// instances are generated at once.
func (s *Store) AddRequirement(ctx context.Context, a access.Actor, roundID int64, in RequirementInput) (*Requirement, error) {
	r, err := s.Round(ctx, a, roundID)
	if err != nil {
		return nil, err
	}
	if !r.CanManage(a) {
		return nil, apperr.Forbidden("dossier.forbidden")
	}
	c, err := s.checker(ctx, r, append([]int64{in.LeadUnitID}, in.CoopUnitIDs...))
	if err != nil {
		return nil, err
	}
	q, errs := c.check(in)
	if len(errs) > 0 {
		return nil, errs[0].err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := s.insertRequirement(ctx, tx, roundID, q); err != nil {
			return err
		}
		if r.State == RoundOpen {
			_, err := generate(ctx, tx, roundID, q)
			return err
		}
		return nil
	})
	return q, err
}

func joinTypes(ts []MaterialType) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return strings.Join(out, ",")
}

func (s *Store) insertRequirement(ctx context.Context, tx *db.Tx, roundID int64, q *Requirement) (int64, error) {
	err := tx.QueryRow(ctx, `INSERT INTO dossier_requirement (round_id, criterion_id, position, title, description, material_types,
		frequency, period_from, period_to, due_days, due_on, created_at)
		VALUES (?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM dossier_requirement WHERE round_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		roundID, q.CriterionID, roundID, q.Title, q.Description, joinTypes(q.Types), string(q.Frequency), q.PeriodFrom, q.PeriodTo,
		q.DueDays, q.DueOn, db.Millis(s.now())).Scan(&q.ID)
	if err != nil {
		return 0, fmt.Errorf("insert dossier requirement: %w", err)
	}
	q.RoundID = roundID
	for _, u := range q.Units() {
		if _, err := tx.Exec(ctx, "INSERT INTO dossier_requirement_unit (requirement_id, unit_id, lead) VALUES (?, ?, ?)",
			q.ID, u, u == q.LeadUnitID); err != nil {
			return 0, fmt.Errorf("insert dossier requirement unit: %w", err)
		}
	}
	return q.ID, nil
}

// Requirements lists a round's requirements in framework code order.
func (s *Store) Requirements(ctx context.Context, a access.Actor, roundID int64) ([]*Requirement, error) {
	if _, err := s.Round(ctx, a, roundID); err != nil {
		return nil, err
	}
	return s.requirements(ctx, roundID)
}

func (s *Store) requirements(ctx context.Context, roundID int64) ([]*Requirement, error) {
	rows, err := s.DB.Query(ctx, `SELECT id, criterion_id, position, title, description, material_types, frequency, period_from, period_to,
		due_days, due_on FROM dossier_requirement WHERE round_id = ? ORDER BY position, id`, roundID)
	list, err := db.Collect(rows, err, func(r *sql.Rows) (*Requirement, error) {
		q := &Requirement{RoundID: roundID}
		var types string
		err := r.Scan(&q.ID, &q.CriterionID, &q.Position, &q.Title, &q.Description, &types, &q.Frequency, &q.PeriodFrom, &q.PeriodTo,
			&q.DueDays, &q.DueOn)
		for _, t := range strings.Split(types, ",") {
			if t != "" {
				q.Types = append(q.Types, MaterialType(t))
			}
		}
		return q, err
	})
	if err != nil {
		return nil, fmt.Errorf("list dossier requirements: %w", err)
	}
	if len(list) == 0 {
		return list, nil
	}
	byID := map[int64]*Requirement{}
	var crit []int64
	for _, q := range list {
		byID[q.ID] = q
		crit = append(crit, q.CriterionID)
	}
	type link struct {
		req, unit int64
		lead      bool
	}
	links, err := db.CollectIn(ctx, s.DB, "SELECT requirement_id, unit_id, lead FROM dossier_requirement_unit WHERE requirement_id IN ("+db.ListMarker+") ORDER BY unit_id",
		keys(byID), func(r *sql.Rows) (link, error) {
			var l link
			return l, r.Scan(&l.req, &l.unit, &l.lead)
		})
	if err != nil {
		return nil, fmt.Errorf("dossier requirement units: %w", err)
	}
	var unitIDs []int64
	for _, l := range links {
		unitIDs = append(unitIDs, l.unit)
	}
	names, err := org.UnitNames(ctx, s.DB, unitIDs)
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		q := byID[l.req]
		if l.lead {
			q.LeadUnitID, q.LeadUnitName = l.unit, names[l.unit]
		} else {
			q.CoopUnitIDs, q.CoopNames = append(q.CoopUnitIDs, l.unit), append(q.CoopNames, names[l.unit])
		}
	}
	texts, err := framework.NodeTexts(ctx, s.DB, crit)
	if err != nil {
		return nil, err
	}
	for _, q := range list {
		q.CriterionCode, q.CriterionText = texts[q.CriterionID].Code, texts[q.CriterionID].Body
	}
	slices.SortStableFunc(list, func(a, b *Requirement) int { return compareCodes(a.CriterionCode, b.CriterionCode) })
	return list, nil
}

func keys[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// compareCodes orders framework codes numerically by part: 1.2.10 after 1.2.9.
func compareCodes(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, ex := strconv.Atoi(pa[i])
		y, ey := strconv.Atoi(pb[i])
		if ex == nil && ey == nil {
			if x != y {
				return x - y
			}
			continue
		}
		if c := strings.Compare(pa[i], pb[i]); c != 0 {
			return c
		}
	}
	return len(pa) - len(pb)
}

// CriterionChoices lists the version's criteria checked by 材料审核, for
// the requirement form.
func (s *Store) CriterionChoices(ctx context.Context, versionID int64) ([]*framework.Node, error) {
	crit, _, err := s.dossierCriteria(ctx, versionID)
	if err != nil {
		return nil, err
	}
	var out []*framework.Node
	for _, n := range crit {
		if n.HasMethod(framework.MethodDossier) {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b *framework.Node) int { return compareCodes(a.Code, b.Code) })
	return out, nil
}
