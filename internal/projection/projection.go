// Package projection projects the national evaluation's score (测评预估)
// of the city, a district or a street from what wenming knows, for the
// active framework version, and shows where the points are lost: by
// method, by criterion and by unit. It owns no table; it asks the owners
// (framework, inspect, survey, site, org, region and, through
// DossierSource, the dossier) through their typed read functions, and the
// method weights live in the setting table.
//
// The formula (DESIGN.md, "Evaluation weights and the projected score"):
//
//   - Each method M (实地考察, 问卷调查, 材料审核) carries W_M points of 100
//     (default 40 / 20 / 40 for field / survey / dossier, set by the office).
//   - A criterion c with M among its methods has the part worth
//     W_M × s_c / S_M, where s_c is its full score (1 when the framework
//     gives none, as the inspection score rate counts it) and S_M the sum
//     of s_c over the version's criteria with M. A criterion with two
//     methods has a part in each.
//   - A part's achievement a is: field, passes / (passes + fails) over the
//     latest inspection of each site of the area in a public round of the
//     version (不适用 and 回头看 rounds not counted); survey, the pooled
//     rate of the questions naming the criterion in the newest closed round
//     with approved interviews in the area (知晓、支持、参与: positive /
//     valid; 满意: score / 100); dossier, approved / required items of the
//     dossier round.
//   - The part achieves worth × a points and loses worth × (1 − a).
//   - A part without data (no check counted, no approved answer, no
//     required item, no dossier round) is 无数据: it neither achieves nor
//     loses; its worth is counted as unknown points. The projected total
//     is the points achieved, shown with the range achieved to achieved +
//     unknown (what the parts without data could still bring), so
//     achieved + lost + unknown = 100.
//   - Lost points go to units: a field failure costs its part worth /
//     checks and counts against the site's territorial unit (else its
//     department); a survey part's loss is shared by the communities'
//     territorial units in proportion to their shortfall (Den − Num); a
//     dossier part's by the units' missing items (required − approved).
package projection

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/site"
	"github.com/wenming-civic/wenming/internal/survey"
)

// DossierSource tells the dossier round's completeness (材料审核) of an
// area for a framework version.
type DossierSource interface {
	Dossier(ctx context.Context, versionID int64, regionCode string) (DossierRound, error) // ErrNoDossier when none
}

// DossierRound is a dossier round's completeness by criterion.
type DossierRound struct {
	RoundID   int64
	RoundName string
	Criteria  []DossierCriterion
}

// DossierCriterion is one criterion's required and approved items, by
// unit, and the page that lists its missing items.
type DossierCriterion struct {
	CriterionID        int64
	Required, Approved int
	Units              []DossierUnit
	MissingURL         string
}

// DossierUnit is one unit's share of a criterion's items.
type DossierUnit struct {
	UnitID             int64
	UnitName           string
	Required, Approved int
}

// ErrNoDossier: the area has no dossier round for the version.
var ErrNoDossier = errors.New("projection: no dossier round")

// Store projects scores.
type Store struct {
	DB        *db.DB
	Framework *framework.Store
	// Dossier gives the dossier criteria's completeness; nil: they are 无数据.
	Dossier DossierSource
}

// streetLen is the length of a street's region code (9 digits).
const streetLen = 9

// TopCriteria and TopUnits bound the page's two lists.
const (
	TopCriteria = 20
	TopUnits    = 20
)

// Projection is an area's projected score and where it loses points. All
// points are of the total of 100.
type Projection struct {
	Area, AreaName string
	VersionID      int64
	VersionName    string
	Weights        Weights
	Achieved       float64
	Lost           float64
	Unknown        float64
	Methods        []MethodScore
	// Criteria are every criterion of the version in tree order.
	Criteria []*CriterionScore
	// Units are the units that lost points, most first.
	Units []UnitLoss
	// What produced the figures.
	FieldPlans   []inspect.FieldPlan
	Inspections  int
	SurveyRound  *RoundRef
	DossierRound *RoundRef
}

// RoundRef names a survey or dossier round.
type RoundRef struct {
	ID   int64
	Name string
}

// High is the total if every part without data scored in full.
func (p Projection) High() float64 { return p.Achieved + p.Unknown }

// TopLost are the criteria losing the most points, at most n, most first.
func (p Projection) TopLost(n int) []*CriterionScore {
	var out []*CriterionScore
	for _, c := range p.Criteria {
		if c.Lost > 0 {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b *CriterionScore) int { return cmp.Compare(b.Lost, a.Lost) })
	return out[:min(n, len(out))]
}

// MethodScore is one method's points.
type MethodScore struct {
	Method                  framework.Method
	Weight                  float64
	Criteria, Known         int     // criteria with the method, and with data
	FullScore               float64 // S_M
	Achieved, Lost, Unknown float64
}

// CriterionScore is one criterion's parts and points.
type CriterionScore struct {
	ID                      int64
	Code, Text              string
	Score                   float64 // s_c
	HasScore                bool
	Parts                   []Part
	Achieved, Lost, Unknown float64
	// Units are the units its lost points go to, most first.
	Units []UnitShare
}

// Part is a criterion's share under one method.
type Part struct {
	Method framework.Method
	Worth  float64 // W_M × s_c / S_M
	Known  bool
	// Achievement is Num / Den: passes / checks, positive / valid
	// answers, approved / required items.
	Num, Den       float64
	Achieved, Lost float64
	Links          []Link // what produced the figure
}

// Achievement is Num / Den, 0 without data.
func (p Part) Achievement() float64 {
	if p.Den <= 0 {
		return 0
	}
	return p.Num / p.Den
}

// Link is one thing behind a figure: a failed inspection, a survey
// round's results, a dossier's missing items.
type Link struct {
	Label string // data for the page: a site's or round's name
	URL   string
	Case  string // a failed check's case in the ledger, "" for none
}

// UnitShare is a unit's part of a criterion's lost points.
type UnitShare struct {
	UnitID int64 // 0: no responsible unit known
	Name   string
	Lost   float64
}

// UnitLoss is a unit's lost points over all criteria, by method.
type UnitLoss struct {
	UnitID   int64
	Name     string
	Lost     float64
	ByMethod map[framework.Method]float64
	Criteria int
}

// MayView reports whether the actor has a projection to see: the office,
// leaders and administrators of their area, and a street's handlers of
// their street.
func MayView(a access.Actor) bool {
	return a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader) || streetOf(a) != ""
}

// streetOf is the street a handler works for ("" for anyone else).
func streetOf(a access.Actor) string {
	if a.Has(access.RoleHandler) && len(a.Region) == streetLen {
		return a.Region
	}
	return ""
}

// scope decides the area the actor sees: area, or their own by default.
func scope(a access.Actor, area string) (string, error) {
	if area != "" && (len(area) > streetLen || !isDigits(area)) {
		return "", apperr.Invalid("projection.area_invalid")
	}
	switch {
	case a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader):
		if area == "" {
			return a.Region, nil
		}
		if a.Oversees(area) {
			return area, nil
		}
	case streetOf(a) != "":
		if area == "" || area == streetOf(a) {
			return streetOf(a), nil
		}
	default:
		return "", apperr.Forbidden("projection.forbidden")
	}
	return "", apperr.Forbidden("projection.area_forbidden")
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Project computes the area's projected score (area "" is the actor's own).
func (s *Store) Project(ctx context.Context, a access.Actor, area string) (Projection, error) {
	area, err := scope(a, area)
	if err != nil {
		return Projection{}, err
	}
	v, err := s.Framework.ActiveVersion(ctx)
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return Projection{}, apperr.NotFound("projection.no_active_version")
		}
		return Projection{}, err
	}
	w, err := s.Weights(ctx)
	if err != nil {
		return Projection{}, err
	}
	p := Projection{Area: area, VersionID: v.ID, VersionName: v.Name, Weights: w}
	if area != "" {
		names, err := region.Names(ctx, s.DB, []string{area})
		if err != nil {
			return p, err
		}
		p.AreaName = names[area]
	}
	// The criteria and each method's full score S_M.
	full := map[framework.Method]float64{}
	count := map[framework.Method]int{}
	v.Walk(func(n *framework.Node) {
		if !n.IsCriterion() {
			return
		}
		c := &CriterionScore{ID: n.ID, Code: n.Code, Text: n.Text, Score: 1}
		if n.Score != nil && *n.Score > 0 {
			c.Score, c.HasScore = *n.Score, true
		}
		for _, m := range n.Methods {
			full[m] += c.Score
			count[m]++
			c.Parts = append(c.Parts, Part{Method: m})
		}
		p.Criteria = append(p.Criteria, c)
	})
	for _, c := range p.Criteria {
		for i := range c.Parts {
			m := c.Parts[i].Method
			c.Parts[i].Worth = w.Of(m) * c.Score / full[m]
		}
	}
	// The data of each method.
	field, err := inspect.LatestField(ctx, s.DB, v.ID, area)
	if err != nil {
		return p, err
	}
	p.FieldPlans, p.Inspections = field.Plans, field.Inspections
	rates, err := survey.LatestCriterionRates(ctx, s.DB, area)
	if err != nil {
		return p, err
	}
	if rates != nil {
		p.SurveyRound = &RoundRef{ID: rates.RoundID, Name: rates.RoundName}
	}
	var dossier map[int64]DossierCriterion
	if s.Dossier != nil {
		round, err := s.Dossier.Dossier(ctx, v.ID, area)
		switch {
		case errors.Is(err, ErrNoDossier):
		case err != nil:
			return p, fmt.Errorf("dossier: %w", err)
		default:
			p.DossierRound = &RoundRef{ID: round.RoundID, Name: round.RoundName}
			dossier = map[int64]DossierCriterion{}
			for _, dc := range round.Criteria {
				dossier[dc.CriterionID] = dc
			}
		}
	}
	units := newUnitBook()
	if err := s.fieldParts(ctx, &p, field, units); err != nil {
		return p, err
	}
	if err := s.surveyParts(ctx, &p, rates, area, units); err != nil {
		return p, err
	}
	dossierParts(&p, dossier, units)
	// The totals.
	for _, m := range framework.Methods() {
		ms := MethodScore{Method: m, Weight: w.Of(m), Criteria: count[m], FullScore: full[m]}
		if count[m] == 0 {
			ms.Unknown = w.Of(m) // a method without criteria: its weight cannot be known
		}
		for _, c := range p.Criteria {
			for _, x := range c.Parts {
				if x.Method != m {
					continue
				}
				if x.Known {
					ms.Known++
					ms.Achieved += x.Achieved
					ms.Lost += x.Lost
				} else {
					ms.Unknown += x.Worth
				}
			}
		}
		p.Achieved += ms.Achieved
		p.Lost += ms.Lost
		p.Unknown += ms.Unknown
		p.Methods = append(p.Methods, ms)
	}
	for _, c := range p.Criteria {
		for _, x := range c.Parts {
			c.Achieved += x.Achieved
			c.Lost += x.Lost
			if !x.Known {
				c.Unknown += x.Worth
			}
		}
	}
	if err := units.finish(ctx, s.DB, &p); err != nil {
		return p, err
	}
	return p, nil
}

// fieldParts scores the 实地考察 parts and books each failure against the
// site's responsible unit.
func (s *Store) fieldParts(ctx context.Context, p *Projection, field inspect.FieldResults, units *unitBook) error {
	var sites []int64
	for _, fc := range field.Criteria {
		for _, f := range fc.Fails {
			sites = append(sites, f.SiteID)
		}
	}
	owners, err := site.ResponsibleUnits(ctx, s.DB, sites)
	if err != nil {
		return err
	}
	basics, err := site.Basics(ctx, s.DB, sites)
	if err != nil {
		return err
	}
	for _, c := range p.Criteria {
		for i := range c.Parts {
			x := &c.Parts[i]
			if x.Method != framework.MethodField {
				continue
			}
			fc := field.Criteria[c.ID]
			if fc == nil || fc.Pass+fc.Fail == 0 {
				continue
			}
			x.Known, x.Num, x.Den = true, float64(fc.Pass), float64(fc.Pass+fc.Fail)
			x.Achieved, x.Lost = x.Worth*x.Achievement(), x.Worth*(1-x.Achievement())
			each := x.Worth / x.Den
			for _, f := range fc.Fails {
				units.add(c, framework.MethodField, owners[f.SiteID], "", each)
				l := Link{Label: basics[f.SiteID].Name,
					URL: "/inspections/" + strconv.FormatInt(f.PlanID, 10) + "#site-" + strconv.FormatInt(f.SiteID, 10)}
				if f.ProblemID != 0 {
					l.Case = "/problems/" + strconv.FormatInt(f.ProblemID, 10)
				}
				x.Links = append(x.Links, l)
			}
		}
	}
	return nil
}

// surveyParts scores the 问卷调查 parts and shares each loss among the
// communities' territorial units by their shortfall.
func (s *Store) surveyParts(ctx context.Context, p *Projection, rates *survey.CriterionRates, area string, units *unitBook) error {
	if rates == nil {
		return nil
	}
	territorial := map[string][]org.UnitInfo{} // by district
	unitOf := func(community string) (int64, error) {
		d := community[:min(6, len(community))]
		list, ok := territorial[d]
		if !ok {
			var err error
			if list, err = org.UnitsInArea(ctx, s.DB, d, org.KindTerritorial); err != nil {
				return 0, err
			}
			territorial[d] = list
		}
		var best org.UnitInfo
		for _, u := range list {
			if access.InSubtree(community, u.RegionCode) && len(u.RegionCode) > len(best.RegionCode) {
				best = u
			}
		}
		return best.ID, nil
	}
	link := "/surveys/rounds/" + strconv.FormatInt(rates.RoundID, 10) + "/results"
	if area != "" {
		link += "?area=" + area
	}
	for _, c := range p.Criteria {
		for i := range c.Parts {
			x := &c.Parts[i]
			if x.Method != framework.MethodSurvey {
				continue
			}
			byCommunity := rates.ByCriterion[c.Code]
			var short float64
			codes := make([]string, 0, len(byCommunity))
			for code, r := range byCommunity {
				x.Num += r.Num
				x.Den += r.Den
				short += r.Den - r.Num
				codes = append(codes, code)
			}
			if x.Den <= 0 {
				x.Num, x.Den = 0, 0
				continue
			}
			x.Known = true
			x.Achieved, x.Lost = x.Worth*x.Achievement(), x.Worth*(1-x.Achievement())
			x.Links = []Link{{Label: rates.RoundName, URL: link}}
			if short <= 0 {
				continue
			}
			slices.Sort(codes)
			for _, code := range codes {
				r := byCommunity[code]
				if r.Den-r.Num <= 0 {
					continue
				}
				uid, err := unitOf(code)
				if err != nil {
					return err
				}
				units.add(c, framework.MethodSurvey, uid, "", x.Lost*(r.Den-r.Num)/short)
			}
		}
	}
	return nil
}

// dossierParts scores the 材料审核 parts and shares each loss among the
// units by their missing items.
func dossierParts(p *Projection, dossier map[int64]DossierCriterion, units *unitBook) {
	for _, c := range p.Criteria {
		for i := range c.Parts {
			x := &c.Parts[i]
			if x.Method != framework.MethodDossier {
				continue
			}
			dc, ok := dossier[c.ID]
			if !ok || dc.Required <= 0 {
				continue
			}
			approved := min(max(dc.Approved, 0), dc.Required)
			x.Known, x.Num, x.Den = true, float64(approved), float64(dc.Required)
			x.Achieved, x.Lost = x.Worth*x.Achievement(), x.Worth*(1-x.Achievement())
			if dc.MissingURL != "" && approved < dc.Required {
				x.Links = []Link{{URL: dc.MissingURL}}
			}
			var missing int
			for _, u := range dc.Units {
				missing += max(u.Required-u.Approved, 0)
			}
			for _, u := range dc.Units {
				if n := max(u.Required-u.Approved, 0); n > 0 {
					units.add(c, framework.MethodDossier, u.UnitID, u.UnitName, x.Lost*float64(n)/float64(missing))
				}
			}
		}
	}
}

// unitBook collects the lost points by unit and criterion.
type unitBook struct {
	byUnit map[int64]*UnitLoss
	names  map[int64]string
	shares map[*CriterionScore]map[int64]float64
}

func newUnitBook() *unitBook {
	return &unitBook{byUnit: map[int64]*UnitLoss{}, names: map[int64]string{}, shares: map[*CriterionScore]map[int64]float64{}}
}

func (b *unitBook) add(c *CriterionScore, m framework.Method, unit int64, name string, lost float64) {
	if lost <= 0 {
		return
	}
	u := b.byUnit[unit]
	if u == nil {
		u = &UnitLoss{UnitID: unit, ByMethod: map[framework.Method]float64{}}
		b.byUnit[unit] = u
	}
	u.Lost += lost
	u.ByMethod[m] += lost
	if name != "" {
		b.names[unit] = name
	}
	sh := b.shares[c]
	if sh == nil {
		sh = map[int64]float64{}
		b.shares[c] = sh
	}
	if _, seen := sh[unit]; !seen {
		u.Criteria++
	}
	sh[unit] += lost
}

// finish names the units and orders the lists.
func (b *unitBook) finish(ctx context.Context, c db.Conn, p *Projection) error {
	ids := make([]int64, 0, len(b.byUnit))
	for id := range b.byUnit {
		ids = append(ids, id)
	}
	names, err := org.UnitNames(ctx, c, ids)
	if err != nil {
		return err
	}
	name := func(id int64) string {
		if n, ok := names[id]; ok {
			return n
		}
		return b.names[id]
	}
	for id, u := range b.byUnit {
		u.Name = name(id)
		p.Units = append(p.Units, *u)
	}
	byLoss := func(x, y float64, i, j int64) int {
		if d := cmp.Compare(y, x); d != 0 {
			return d
		}
		return cmp.Compare(i, j)
	}
	slices.SortFunc(p.Units, func(x, y UnitLoss) int { return byLoss(x.Lost, y.Lost, x.UnitID, y.UnitID) })
	for crit, sh := range b.shares {
		for id, lost := range sh {
			crit.Units = append(crit.Units, UnitShare{UnitID: id, Name: name(id), Lost: lost})
		}
		slices.SortFunc(crit.Units, func(x, y UnitShare) int { return byLoss(x.Lost, y.Lost, x.UnitID, y.UnitID) })
	}
	return nil
}
