// Package routing sends each case to its responsible unit (属地管理、条块结合、
// 以块为主): ordered rules first, then the category's default owner — events
// to the territorial unit of the smallest region holding the place,
// components to their line department — and, when nothing fits, the
// district office's queue. Every decision says which rule made it.
package routing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

// Owners tells the default owner rule of a category: "territorial" or
// "line:<line>".
type Owners interface {
	OwnerRule(ctx context.Context, categoryID int64) (string, error)
}

// Store holds the rules and makes decisions.
type Store struct {
	DB     *db.DB
	Owners Owners
	Now    func() time.Time
	// nearest keeps the smallest unit over a place (smallest), for the
	// reference data's generation the request read: every dispatch asks,
	// and units and region names count the generation up as they change.
	nearest org.GenCache[nearestKey, nearestUnit]
}

type nearestKey struct {
	region, line string
	kind         org.UnitKind
}

type nearestUnit struct {
	d  Decision
	ok bool
}

// Rule is one ordered routing rule.
type Rule struct {
	ID           int64
	Position     int
	CategoryID   int64 // 0: any category
	CategoryName string
	RegionCode   string // "": anywhere
	RegionName   string
	UnitID       int64
	UnitName     string
	Note         string
	Enabled      bool
	// Editable says whether the actor who listed the rule may change it.
	Editable bool
}

// How a decision was made; stored at the head of the case's route note.
const (
	ByRule      = "rule"
	ByTerritory = "territorial"
	ByLine      = "line"
	ByOffice    = "office"
	ByHand      = "hand"
)

// Decision is where a case goes and why.
type Decision struct {
	UnitID   int64
	UnitName string
	By       string // one of the By… constants
	Detail   string // rule id and note, region or line
}

// Note is the stored form of a decision: "by|detail".
func (d Decision) Note() string { return d.By + "|" + d.Detail }

// ParseNote splits a stored route note.
func ParseNote(note string) (by, detail string) {
	by, detail, _ = strings.Cut(note, "|")
	return by, detail
}

// Route decides the unit of a case of a category at a region.
func (s *Store) Route(ctx context.Context, categoryID int64, regionCode string) (int64, string, error) {
	d, err := s.Decide(ctx, categoryID, regionCode)
	if err != nil {
		return 0, "", err
	}
	return d.UnitID, d.Note(), nil
}

// Decide is Route with the unit's name, for the preview.
func (s *Store) Decide(ctx context.Context, categoryID int64, regionCode string) (Decision, error) {
	rules, err := s.rules(ctx, true, false)
	if err != nil {
		return Decision{}, err
	}
	for _, r := range rules {
		if r.CategoryID != 0 && r.CategoryID != categoryID {
			continue
		}
		if r.RegionCode != "" && !access.InSubtree(regionCode, r.RegionCode) {
			continue
		}
		names, err := org.UnitNames(ctx, s.DB, []int64{r.UnitID})
		if err != nil {
			return Decision{}, err
		}
		return Decision{UnitID: r.UnitID, UnitName: names[r.UnitID], By: ByRule, Detail: strconv.FormatInt(r.ID, 10) + "|" + r.Note}, nil
	}
	owner := "territorial"
	if categoryID != 0 {
		if owner, err = s.Owners.OwnerRule(ctx, categoryID); err != nil {
			return Decision{}, err
		}
	}
	if line, isLine := strings.CutPrefix(owner, "line:"); isLine {
		if d, ok, err := s.smallest(ctx, regionCode, org.KindDepartment, line); err != nil || ok {
			d.By, d.Detail = ByLine, line
			return d, err
		}
	} else if d, ok, err := s.smallest(ctx, regionCode, org.KindTerritorial, ""); err != nil || ok {
		d.By = ByTerritory
		return d, err
	}
	d, ok, err := s.smallest(ctx, regionCode, org.KindOffice, "")
	if err != nil {
		return Decision{}, err
	}
	if !ok {
		return Decision{}, apperr.Conflict("routing.no_unit", regionCode)
	}
	d.By = ByOffice
	return d, nil
}

// smallest finds the unit of a kind whose jurisdiction is the smallest
// region holding regionCode.
func (s *Store) smallest(ctx context.Context, regionCode string, kind org.UnitKind, line string) (Decision, bool, error) {
	x, err := s.nearest.Load(ctx, nearestKey{region: regionCode, line: line, kind: kind}, func() (nearestUnit, error) {
		d, ok, err := s.readSmallest(ctx, regionCode, kind, line)
		return nearestUnit{d: d, ok: ok}, err
	})
	return x.d, x.ok, err
}

// readSmallest finds the smallest unit of kind (and line) over regionCode.
func (s *Store) readSmallest(ctx context.Context, regionCode string, kind org.UnitKind, line string) (Decision, bool, error) {
	u, ok, err := org.SmallestUnit(ctx, s.DB, regionCode, kind, line)
	if err != nil || !ok {
		return Decision{}, false, err
	}
	names, err := region.Names(ctx, s.DB, []string{u.RegionCode})
	if err != nil {
		return Decision{}, false, fmt.Errorf("route: %w", err)
	}
	return Decision{UnitID: u.ID, UnitName: u.Name, Detail: names[u.RegionCode]}, true, nil
}

const ruleColumns = `x.id, x.position, COALESCE(x.category_id, 0), COALESCE(x.region_code, ''), x.unit_id, x.note, x.enabled`

func scanRule(sc interface{ Scan(...any) error }) (Rule, error) {
	var r Rule
	err := sc.Scan(&r.ID, &r.Position, &r.CategoryID, &r.RegionCode, &r.UnitID, &r.Note, &r.Enabled)
	return r, err
}

// rules reads the rules in order; withNames fills the category, region and
// unit names (one query per owner), which deciding a case does not need.
func (s *Store) rules(ctx context.Context, enabledOnly, withNames bool) ([]Rule, error) {
	q := "SELECT " + ruleColumns + " FROM routing_rule x"
	if enabledOnly {
		q += " WHERE x.enabled = TRUE"
	}
	rows, err := s.DB.Query(ctx, q+" ORDER BY x.position, x.id")
	if err != nil {
		return nil, fmt.Errorf("read routing rules: %w", err)
	}
	defer rows.Close()
	var out []Rule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("read routing rules: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read routing rules: %w", err)
	}
	if withNames {
		if err := s.fillNames(ctx, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) fillNames(ctx context.Context, rules []Rule) error {
	var cats, units []int64
	var regions []string
	for _, r := range rules {
		cats, units, regions = append(cats, r.CategoryID), append(units, r.UnitID), append(regions, r.RegionCode)
	}
	catNames, err := category.Names(ctx, s.DB, cats)
	if err != nil {
		return err
	}
	unitNames, err := org.UnitNames(ctx, s.DB, units)
	if err != nil {
		return err
	}
	regionNames, err := region.Names(ctx, s.DB, regions)
	if err != nil {
		return err
	}
	for i := range rules {
		r := &rules[i]
		r.CategoryName, r.UnitName, r.RegionName = catNames[r.CategoryID], unitNames[r.UnitID], regionNames[r.RegionCode]
	}
	return nil
}

// mayView: the rules are read by the office, leaders and administrators.
func mayView(a access.Actor) error {
	if !a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader) {
		return apperr.Forbidden("routing.forbidden")
	}
	return nil
}

// CanCreate reports whether a may add rules (inside its jurisdiction):
// the office and administrators.
func CanCreate(a access.Actor) bool { return a.IsAdmin() || a.Has(access.RoleOffice) }

// mayEdit: administrators change any rule; the office the rules of a
// region in its jurisdiction, never the installation-wide ones.
func mayEdit(a access.Actor, x Rule) bool {
	return a.IsAdmin() || (x.RegionCode != "" && a.Manages(x.RegionCode))
}

// Rules lists every rule in order, for the office's editor, each marked
// with whether the actor may change it.
func (s *Store) Rules(ctx context.Context, a access.Actor) ([]Rule, error) {
	if err := mayView(a); err != nil {
		return nil, err
	}
	rules, err := s.rules(ctx, false, true)
	for i := range rules {
		rules[i].Editable = mayEdit(a, rules[i])
	}
	return rules, err
}

// Rule returns a rule for the actor to edit: forbidden outside its
// jurisdiction.
func (s *Store) Rule(ctx context.Context, a access.Actor, id int64) (Rule, error) {
	if err := mayView(a); err != nil {
		return Rule{}, err
	}
	x, err := s.rule(ctx, id)
	if err != nil {
		return Rule{}, err
	}
	if !mayEdit(a, x) {
		return Rule{}, apperr.Forbidden("routing.outside_scope")
	}
	x.Editable = true
	return x, nil
}

// NewRule proposes the input of a new rule: enabled, after the last rule,
// in the actor's region unless an administrator adds it.
func (s *Store) NewRule(ctx context.Context, a access.Actor) (RuleInput, error) {
	if !CanCreate(a) {
		return RuleInput{}, apperr.Forbidden("routing.forbidden")
	}
	rules, err := s.rules(ctx, false, false)
	if err != nil {
		return RuleInput{}, err
	}
	in := RuleInput{Position: 10, Enabled: true}
	for _, x := range rules {
		in.Position = max(in.Position, x.Position+10)
	}
	if !a.IsAdmin() {
		in.RegionCode = a.Region
	}
	return in, nil
}

// RuleInput is what the office enters for a rule.
type RuleInput struct {
	Position   int
	CategoryID int64
	RegionCode string
	UnitID     int64
	Note       string
	Enabled    bool
}

func (s *Store) checkRule(ctx context.Context, c db.Conn, a access.Actor, in RuleInput) error {
	in.RegionCode = strings.TrimSpace(in.RegionCode)
	switch {
	case !a.IsAdmin() && (in.RegionCode == "" || !a.Manages(in.RegionCode)):
		return apperr.Forbidden("routing.outside_scope")
	case in.UnitID == 0:
		return apperr.Invalid("routing.unit_required")
	case len([]rune(in.Note)) > 200:
		return apperr.Invalid("routing.note_too_long")
	}
	if ok, err := org.UnitExists(ctx, c, in.UnitID); err != nil {
		return fmt.Errorf("check unit: %w", err)
	} else if !ok {
		return apperr.Invalid("routing.unit_required")
	}
	if in.RegionCode != "" {
		if ok, err := region.Exists(ctx, c, in.RegionCode); err != nil {
			return fmt.Errorf("check region: %w", err)
		} else if !ok {
			return apperr.Invalid("routing.region_unknown", in.RegionCode)
		}
	}
	if in.CategoryID != 0 {
		if ok, err := category.Exists(ctx, c, in.CategoryID); err != nil {
			return fmt.Errorf("check category: %w", err)
		} else if !ok {
			return apperr.Invalid("routing.category_unknown")
		}
	}
	return nil
}

// CreateRule adds a rule; the office may only route inside its jurisdiction.
func (s *Store) CreateRule(ctx context.Context, a access.Actor, in RuleInput) (int64, error) {
	if err := s.checkRule(ctx, s.DB, a, in); err != nil {
		return 0, err
	}
	now := db.Millis(s.Now())
	var id int64
	err := s.DB.ExecReturning(ctx, `INSERT INTO routing_rule (position, category_id, region_code, unit_id, note, enabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Position, db.NullID(in.CategoryID), nullString(strings.TrimSpace(in.RegionCode)),
		in.UnitID, strings.TrimSpace(in.Note), in.Enabled, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create rule: %w", err)
	}
	return id, nil
}

// UpdateRule changes a rule inside the actor's jurisdiction.
func (s *Store) UpdateRule(ctx context.Context, a access.Actor, id int64, in RuleInput) error {
	cur, err := s.rule(ctx, id)
	if err != nil {
		return err
	}
	if !mayEdit(a, cur) {
		return apperr.Forbidden("routing.outside_scope")
	}
	if err := s.checkRule(ctx, s.DB, a, in); err != nil {
		return err
	}
	_, err = s.DB.Exec(ctx, `UPDATE routing_rule SET position = ?, category_id = ?, region_code = ?, unit_id = ?, note = ?,
		enabled = ?, updated_at = ? WHERE id = ?`, in.Position, db.NullID(in.CategoryID), nullString(strings.TrimSpace(in.RegionCode)),
		in.UnitID, strings.TrimSpace(in.Note), in.Enabled, db.Millis(s.Now()), id)
	if err != nil {
		return fmt.Errorf("update rule %d: %w", id, err)
	}
	return nil
}

// DeleteRule removes a rule inside the actor's jurisdiction.
func (s *Store) DeleteRule(ctx context.Context, a access.Actor, id int64) error {
	cur, err := s.rule(ctx, id)
	if err != nil {
		return err
	}
	if !mayEdit(a, cur) {
		return apperr.Forbidden("routing.outside_scope")
	}
	if _, err := s.DB.Exec(ctx, "DELETE FROM routing_rule WHERE id = ?", id); err != nil {
		return fmt.Errorf("delete rule %d: %w", id, err)
	}
	return nil
}

func (s *Store) rule(ctx context.Context, id int64) (Rule, error) {
	r, err := scanRule(s.DB.QueryRow(ctx, "SELECT "+ruleColumns+" FROM routing_rule x WHERE x.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Rule{}, apperr.NotFound("routing.rule_not_found")
	}
	if err != nil {
		return Rule{}, fmt.Errorf("read rule %d: %w", id, err)
	}
	rs := []Rule{r}
	if err := s.fillNames(ctx, rs); err != nil {
		return Rule{}, err
	}
	return rs[0], nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
