package bulletin

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
)

// Config is the composite assessment (综合考核) of an office's
// jurisdiction. The score of a unit, in points out of 100, is
//
//	OnTime × 按期结案率 + Closure × 结案率 + Rework × (1 − 返工率)
//	+ Return × (1 − 退回率) + Extension × (1 − 延期率)
//	− PerFailed × failed verifications − PerFalsified × falsified rectifications
//	− PerUnjustified × unjustified returns
//	+ PerAdopted × work reports adopted + PerHighlight × highlights
//	− PerDossierOverdue × dossier items overdue at the period's end
//
// (the units' work reports, 信息报送, adopted by the office in the period;
// 0 by default: an office that rewards reporting sets the points)
//
// where every count (in the rates and the penalties alike) counts a case
// whose source is media exposure or a superior's assignment DoubleFactor
// times. The score is not clamped: penalties may take it below zero. Units
// with fewer than MinSample cases are listed apart, not ranked; ListSize is
// the length of each red and black list.
type Config struct {
	OnTime         float64 `json:"on_time"`
	Closure        float64 `json:"closure"`
	Rework         float64 `json:"rework"`
	Return         float64 `json:"return"`
	Extension      float64 `json:"extension"`
	PerFailed      float64 `json:"per_failed"`
	PerFalsified   float64 `json:"per_falsified"`
	PerUnjustified float64 `json:"per_unjustified"`
	PerAdopted     float64 `json:"per_adopted,omitempty"`
	PerHighlight   float64 `json:"per_highlight,omitempty"`
	// PerDossierOverdue is deducted per evidence dossier item (材料审核)
	// the unit still owes past its due date; 0 by default.
	PerDossierOverdue float64 `json:"per_dossier_overdue,omitempty"`
	DoubleFactor      float64 `json:"double_factor"`
	MinSample         int     `json:"min_sample"`
	ListSize          int     `json:"list_size"`
	Excluded          []int64 `json:"excluded,omitempty"`
}

// DefaultConfig is modelled on published city rules (e.g. the monthly
// assessments of 创城 offices): on-time closure and closure weighted most
// (40 and 30 points), rework, returns and extensions 10 points each; 2
// points off per failed verification, 5 per falsified rectification, 1 per
// unjustified return; media and superior cases count double; at least 5
// cases to be ranked; red and black lists of 3.
func DefaultConfig() Config {
	return Config{OnTime: 40, Closure: 30, Rework: 10, Return: 10, Extension: 10,
		PerFailed: 2, PerFalsified: 5, PerUnjustified: 1, DoubleFactor: 2, MinSample: 5, ListSize: 3}
}

// Weight is how many times a case of this source counts in the assessment.
func (c Config) Weight(source string) float64 {
	if source == string(problem.SourceMedia) || source == string(problem.SourceSuperior) {
		return c.DoubleFactor
	}
	return 1
}

// Excludes reports whether the unit is excluded from the ranking.
func (c Config) Excludes(unitID int64) bool {
	for _, id := range c.Excluded {
		if id == unitID {
			return true
		}
	}
	return false
}

// Score computes a unit's composite score from its weighted counts.
func (c Config) Score(w Weighted) (float64, Parts) {
	den := w.Filed - w.Parked
	p := Parts{
		OnTime:      c.OnTime * problem.Ratio(w.ClosedOnTime, den),
		Closure:     c.Closure * problem.Ratio(w.Closed, den),
		Rework:      c.Rework * (1 - problem.Ratio(w.VerifyFailed, w.Verifications)),
		Return:      c.Return * (1 - problem.Ratio(w.Returned, w.Dispatched)),
		Extension:   c.Extension * (1 - problem.Ratio(w.Extended, w.Dispatched)),
		Failed:      c.PerFailed * w.VerifyFailed,
		Falsified:   c.PerFalsified * w.Falsified,
		Unjustified: c.PerUnjustified * w.UnjustifiedReturns,
		Adopted:     c.PerAdopted * w.WorkAdopted,
		Highlights:  c.PerHighlight * w.WorkHighlights,
		Dossier:     c.PerDossierOverdue * w.DossierOverdue,
	}
	score := p.OnTime + p.Closure + p.Rework + p.Return + p.Extension - p.Failed - p.Falsified - p.Unjustified +
		p.Adopted + p.Highlights - p.Dossier
	return score, p
}

// ConfigInput is the configuration as typed into the form.
type ConfigInput struct {
	OnTime, Closure, Rework, Return, Extension string
	PerFailed, PerFalsified, PerUnjustified    string
	PerAdopted, PerHighlight                   string // may be left empty: 0
	PerDossierOverdue                          string // may be left empty: 0
	DoubleFactor, MinSample, ListSize          string
	// Excluded lists units by code or id, separated by commas, spaces or
	// new lines.
	Excluded string
}

// Input gives the form's values of a configuration.
func (c Config) Input(codes map[int64]string) ConfigInput {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	var ex []string
	for _, id := range c.Excluded {
		if code, ok := codes[id]; ok {
			ex = append(ex, code)
		} else {
			ex = append(ex, strconv.FormatInt(id, 10))
		}
	}
	return ConfigInput{OnTime: f(c.OnTime), Closure: f(c.Closure), Rework: f(c.Rework), Return: f(c.Return), Extension: f(c.Extension),
		PerFailed: f(c.PerFailed), PerFalsified: f(c.PerFalsified), PerUnjustified: f(c.PerUnjustified),
		PerAdopted: f(c.PerAdopted), PerHighlight: f(c.PerHighlight), PerDossierOverdue: f(c.PerDossierOverdue),
		DoubleFactor: f(c.DoubleFactor), MinSample: strconv.Itoa(c.MinSample), ListSize: strconv.Itoa(c.ListSize),
		Excluded: strings.Join(ex, "\n")}
}

// parseNumber reads a number as people type it: 40, 2.5, 40%, full-width
// digits.
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '．':
			return '.'
		case r == '％':
			return '%'
		}
		return r
	}, s))
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	if s == "" {
		return 0, apperr.Invalid("bulletin.config_number_required")
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, apperr.Invalid("bulletin.config_number_invalid", s)
	}
	return x, nil
}

// parse checks the typed values; the excluded units are resolved apart.
func (in ConfigInput) parse() (Config, error) {
	var c Config
	nums := []struct {
		s string
		p *float64
	}{{in.OnTime, &c.OnTime}, {in.Closure, &c.Closure}, {in.Rework, &c.Rework}, {in.Return, &c.Return}, {in.Extension, &c.Extension},
		{in.PerFailed, &c.PerFailed}, {in.PerFalsified, &c.PerFalsified}, {in.PerUnjustified, &c.PerUnjustified}, {in.DoubleFactor, &c.DoubleFactor}}
	for _, n := range nums {
		x, err := parseNumber(n.s)
		if err != nil {
			return c, err
		}
		*n.p = x
	}
	for _, w := range []float64{c.OnTime, c.Closure, c.Rework, c.Return, c.Extension} {
		if w < 0 || w > 100 {
			return c, apperr.Invalid("bulletin.config_weight_range", strconv.FormatFloat(w, 'f', -1, 64))
		}
	}
	if sum := c.OnTime + c.Closure + c.Rework + c.Return + c.Extension; math.Abs(sum-100) > 1e-6 {
		return c, apperr.Invalid("bulletin.config_weight_sum", strconv.FormatFloat(sum, 'f', -1, 64))
	}
	for _, n := range []struct {
		s string
		p *float64
	}{{in.PerAdopted, &c.PerAdopted}, {in.PerHighlight, &c.PerHighlight}, {in.PerDossierOverdue, &c.PerDossierOverdue}} {
		if strings.TrimSpace(n.s) == "" {
			continue // the work-report line is optional
		}
		x, err := parseNumber(n.s)
		if err != nil {
			return c, err
		}
		*n.p = x
	}
	for _, p := range []float64{c.PerFailed, c.PerFalsified, c.PerUnjustified, c.PerAdopted, c.PerHighlight, c.PerDossierOverdue} {
		if p < 0 || p > 100 {
			return c, apperr.Invalid("bulletin.config_penalty_range", strconv.FormatFloat(p, 'f', -1, 64))
		}
	}
	if c.DoubleFactor < 1 || c.DoubleFactor > 10 {
		return c, apperr.Invalid("bulletin.config_factor_range")
	}
	minSample, err := parseNumber(in.MinSample)
	if err != nil {
		return c, err
	}
	if minSample != math.Trunc(minSample) || minSample < 1 || minSample > 1000 {
		return c, apperr.Invalid("bulletin.config_min_sample_range")
	}
	listSize, err := parseNumber(in.ListSize)
	if err != nil {
		return c, err
	}
	if listSize != math.Trunc(listSize) || listSize < 1 || listSize > 50 {
		return c, apperr.Invalid("bulletin.config_list_size_range")
	}
	c.MinSample, c.ListSize = int(minSample), int(listSize)
	return c, nil
}

// prefixes lists the codes of a region and its ancestors, longest first.
func prefixes(code string) []any {
	out := make([]any, 0, len(code)+1)
	for n := len(code); n >= 0; n-- {
		out = append(out, code[:n])
	}
	return out
}

// LoadConfig returns the assessment for a region: its own, else that of
// the nearest region above it with one, else the default.
func (s *Store) LoadConfig(ctx context.Context, region string) (Config, error) {
	ps := prefixes(region)
	rows, err := s.DB.Query(ctx, "SELECT region_code, body FROM bulletin_config WHERE region_code IN ("+db.Placeholders(len(ps))+")", ps...)
	if err != nil {
		return Config{}, fmt.Errorf("read bulletin config: %w", err)
	}
	defer rows.Close()
	best, body := -1, ""
	for rows.Next() {
		var code, b string
		if err := rows.Scan(&code, &b); err != nil {
			return Config{}, fmt.Errorf("read bulletin config: %w", err)
		}
		if len(code) > best {
			best, body = len(code), b
		}
	}
	if err := rows.Err(); err != nil {
		return Config{}, fmt.Errorf("read bulletin config: %w", err)
	}
	if best < 0 {
		return DefaultConfig(), nil
	}
	c := DefaultConfig()
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		return Config{}, fmt.Errorf("bulletin config of %s: %w", region, err)
	}
	return c, nil
}

// ConfigFor returns the assessment of a region the actor oversees.
func (s *Store) ConfigFor(ctx context.Context, a access.Actor, region string) (Config, error) {
	if !a.SignedIn() {
		return Config{}, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	if !oversees(a, region) {
		return Config{}, apperr.Forbidden("bulletin.config_forbidden")
	}
	return s.LoadConfig(ctx, region)
}

// oversees is access.Oversees that also lets an administrator without a
// jurisdiction mean the whole country by "".
func oversees(a access.Actor, region string) bool {
	if a.IsAdmin() {
		return true
	}
	return region != "" && a.Oversees(region)
}

func manages(a access.Actor, region string) bool {
	if a.IsAdmin() {
		return true
	}
	return region != "" && a.Has(access.RoleOffice) && a.Manages(region)
}

// SaveConfig checks and stores the assessment of the office's region.
// Numbers that do not parse, weights outside 0–100 or not summing to 100,
// negative penalties and unknown excluded units are refused with a reason.
func (s *Store) SaveConfig(ctx context.Context, a access.Actor, region string, in ConfigInput) (Config, error) {
	if !a.SignedIn() {
		return Config{}, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	if !manages(a, region) {
		return Config{}, apperr.Forbidden("bulletin.config_forbidden")
	}
	c, err := in.parse()
	if err != nil {
		return c, err
	}
	if c.Excluded, err = s.resolveUnits(ctx, region, in.Excluded); err != nil {
		return c, err
	}
	body, err := json.Marshal(c)
	if err != nil {
		return c, fmt.Errorf("bulletin config: %w", err)
	}
	var by any
	if a.UserID > 0 {
		by = a.UserID
	}
	_, err = s.DB.Exec(ctx, `INSERT INTO bulletin_config (region_code, body, updated_by, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (region_code) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		region, string(body), by, db.Millis(s.now()))
	if err != nil {
		return c, fmt.Errorf("save bulletin config: %w", err)
	}
	return c, nil
}

// resolveUnits turns a typed list of unit codes or ids into ids of units
// whose jurisdiction lies in region; anything else is refused by name.
func (s *Store) resolveUnits(ctx context.Context, region, list string) ([]int64, error) {
	tokens := strings.FieldsFunc(list, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == '　'
	})
	var out []int64
	seen := map[int64]bool{}
	for _, tok := range tokens {
		id, err := org.UnitIDByCode(ctx, s.DB, tok)
		if err != nil {
			return nil, fmt.Errorf("find unit %s: %w", tok, err)
		}
		if id == 0 {
			id, _ = strconv.ParseInt(tok, 10, 64)
		}
		units, err := org.UnitInfos(ctx, s.DB, []int64{id})
		if err != nil {
			return nil, fmt.Errorf("find unit %s: %w", tok, err)
		}
		u, known := units[id]
		if !known {
			return nil, apperr.Invalid("bulletin.config_unit_unknown", tok)
		}
		if region != "" && !access.InSubtree(u.RegionCode, region) {
			return nil, apperr.Invalid("bulletin.config_unit_unknown", tok)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}
