package dossier

import (
	"context"
	"database/sql"
	"fmt"
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
)

// Count is a completeness figure: approved instances of required ones,
// with the other states beside.
type Count struct {
	Required, Approved, Submitted, Returned, Late int
}

// Rate is approved / required, 0..1; 0 when nothing is required.
func (c Count) Rate() float64 {
	if c.Required == 0 {
		return 0
	}
	return float64(c.Approved) / float64(c.Required)
}

// Percent is the rate as a percentage with one decimal, "—" for none.
func (c Count) Percent() string {
	if c.Required == 0 {
		return "—"
	}
	return strconv.FormatFloat(100*c.Rate(), 'f', 1, 64) + "%"
}

// Whole is the rate as a whole percentage, for bars.
func (c Count) Whole() int { return int(100*c.Rate() + 0.5) }

func (c *Count) add(o Count) {
	c.Required += o.Required
	c.Approved += o.Approved
	c.Submitted += o.Submitted
	c.Returned += o.Returned
	c.Late += o.Late
}

// Line is one row of a completeness table.
type Line struct {
	ID    int64
	Code  string // a criterion's code
	Name  string
	Count Count
}

// Completeness is a round's completeness by requirement, criterion and
// unit, and the round's total.
type Completeness struct {
	Round         Round
	Total         Count
	ByRequirement []Line
	ByCriterion   []Line
	ByUnit        []Line // worst rate first
	Overdue       []Line // units with late items, most first
}

type cell struct {
	req, unit int64
	state     State
	late      bool
	n         int
}

// counts reads the round's items grouped by requirement, unit, state and lateness.
func (s *Store) counts(ctx context.Context, roundID int64, today string) ([]cell, error) {
	rows, err := s.DB.Query(ctx, `SELECT requirement_id, unit_id, state, late, COUNT(*) FROM (
		SELECT requirement_id, unit_id, state, CASE WHEN due_on < ? THEN 1 ELSE 0 END AS late FROM dossier_item WHERE round_id = ?) x
		GROUP BY requirement_id, unit_id, state, late`, today, roundID)
	return db.Collect(rows, err, func(r *sql.Rows) (cell, error) {
		var c cell
		var late int
		err := r.Scan(&c.req, &c.unit, &c.state, &late, &c.n)
		c.late = late == 1
		return c, err
	})
}

func (c cell) count() Count {
	x := Count{Required: c.n}
	switch c.state {
	case Approved:
		x.Approved = c.n
	case Submitted:
		x.Submitted = c.n
	case Returned:
		x.Returned = c.n
	}
	if c.late && c.state.open() {
		x.Late = c.n
	}
	return x
}

// Completeness counts a round's completeness (approved instances /
// required instances) per requirement, criterion, unit and the round, and
// the late items by unit.
func (s *Store) Completeness(ctx context.Context, a access.Actor, roundID int64) (Completeness, error) {
	r, err := s.Round(ctx, a, roundID)
	if err != nil {
		return Completeness{}, err
	}
	out := Completeness{Round: r}
	reqs, err := s.requirements(ctx, roundID)
	if err != nil {
		return out, err
	}
	cells, err := s.counts(ctx, roundID, s.today())
	if err != nil {
		return out, fmt.Errorf("dossier completeness: %w", err)
	}
	byReq, byUnit := map[int64]*Count{}, map[int64]*Count{}
	for _, c := range cells {
		x := c.count()
		out.Total.add(x)
		if byReq[c.req] == nil {
			byReq[c.req] = &Count{}
		}
		byReq[c.req].add(x)
		if byUnit[c.unit] == nil {
			byUnit[c.unit] = &Count{}
		}
		byUnit[c.unit].add(x)
	}
	critIdx := map[int64]int{}
	for _, q := range reqs {
		c := Count{}
		if byReq[q.ID] != nil {
			c = *byReq[q.ID]
		}
		out.ByRequirement = append(out.ByRequirement, Line{ID: q.ID, Code: q.CriterionCode, Name: q.Title, Count: c})
		i, ok := critIdx[q.CriterionID]
		if !ok {
			i = len(out.ByCriterion)
			critIdx[q.CriterionID] = i
			out.ByCriterion = append(out.ByCriterion, Line{ID: q.CriterionID, Code: q.CriterionCode, Name: q.CriterionText})
		}
		out.ByCriterion[i].Count.add(c)
	}
	names, err := org.UnitNames(ctx, s.DB, keys(byUnit))
	if err != nil {
		return out, err
	}
	for id, c := range byUnit {
		out.ByUnit = append(out.ByUnit, Line{ID: id, Name: names[id], Count: *c})
		if c.Late > 0 {
			out.Overdue = append(out.Overdue, Line{ID: id, Name: names[id], Count: *c})
		}
	}
	slices.SortFunc(out.ByUnit, func(a, b Line) int {
		if ra, rb := a.Count.Rate(), b.Count.Rate(); ra != rb {
			if ra < rb {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	slices.SortFunc(out.Overdue, func(a, b Line) int {
		if a.Count.Late != b.Count.Late {
			return b.Count.Late - a.Count.Late
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// Achievement is what the projected score needs from the latest dossier
// round (not draft) of a framework version whose area covers regionCode.
type Achievement struct {
	RoundID   int64
	RoundName string
	Criteria  []CriterionAchievement // one per 材料审核 criterion with requirements
}

// CriterionAchievement is one criterion's required and approved instances.
type CriterionAchievement struct {
	CriterionID int64             // framework node id of the criterion
	Required    int               // required instances (in the area)
	Approved    int               // approved instances
	Units       []UnitAchievement // responsible units and their counts
	MissingURL  string            // page listing the not-approved items of this criterion in the round
}

// UnitAchievement is one responsible unit's counts for a criterion.
type UnitAchievement struct {
	UnitID   int64
	UnitName string
	Required int
	Approved int
}

// Achievement returns the approved and required instances per criterion
// of the latest non-draft round of the version whose area covers
// regionCode, counting the units whose region lies in regionCode's
// subtree (a district covers its streets and communities; a unit without
// a region counts for the round's whole area only). ErrNoRound when no
// round covers the area.
func (s *Store) Achievement(ctx context.Context, versionID int64, regionCode string) (Achievement, error) {
	rows, err := s.DB.Query(ctx, `SELECT id, name, region_code FROM dossier_round WHERE version_id = ? AND state <> ?
		ORDER BY evaluation_on DESC, id DESC`, versionID, string(RoundDraft))
	type rr struct {
		id           int64
		name, region string
	}
	rounds, err := db.Collect(rows, err, func(r *sql.Rows) (rr, error) {
		var x rr
		return x, r.Scan(&x.id, &x.name, &x.region)
	})
	if err != nil {
		return Achievement{}, fmt.Errorf("dossier achievement: %w", err)
	}
	var round *rr
	for i := range rounds {
		if access.InSubtree(regionCode, rounds[i].region) {
			round = &rounds[i]
			break
		}
	}
	if round == nil {
		return Achievement{}, ErrNoRound
	}
	out := Achievement{RoundID: round.id, RoundName: round.name}
	reqs, err := s.requirements(ctx, round.id)
	if err != nil {
		return out, err
	}
	cells, err := s.counts(ctx, round.id, s.today())
	if err != nil {
		return out, fmt.Errorf("dossier achievement: %w", err)
	}
	var unitIDs []int64
	for _, c := range cells {
		unitIDs = append(unitIDs, c.unit)
	}
	infos, err := org.UnitInfos(ctx, s.DB, unitIDs)
	if err != nil {
		return out, err
	}
	whole := regionCode == round.region
	inArea := func(unit int64) bool {
		reg := infos[unit].RegionCode
		if reg == "" {
			return whole
		}
		return strings.HasPrefix(reg, regionCode)
	}
	critOf := map[int64]int64{}
	idx := map[int64]int{}
	for _, q := range reqs {
		critOf[q.ID] = q.CriterionID
		if _, ok := idx[q.CriterionID]; !ok {
			idx[q.CriterionID] = len(out.Criteria)
			out.Criteria = append(out.Criteria, CriterionAchievement{CriterionID: q.CriterionID,
				MissingURL: fmt.Sprintf("/dossiers/rounds/%d/missing?criterion=%d&region=%s", round.id, q.CriterionID, regionCode)})
		}
	}
	units := map[[2]int64]*UnitAchievement{}
	for _, c := range cells {
		if !inArea(c.unit) {
			continue
		}
		crit, ok := critOf[c.req]
		if !ok {
			continue
		}
		ca := &out.Criteria[idx[crit]]
		ca.Required += c.n
		key := [2]int64{crit, c.unit}
		u := units[key]
		if u == nil {
			u = &UnitAchievement{UnitID: c.unit, UnitName: infos[c.unit].Name}
			units[key] = u
		}
		u.Required += c.n
		if c.state == Approved {
			ca.Approved += c.n
			u.Approved += c.n
		}
	}
	for key, u := range units {
		ca := &out.Criteria[idx[key[0]]]
		ca.Units = append(ca.Units, *u)
	}
	for i := range out.Criteria {
		slices.SortFunc(out.Criteria[i].Units, func(a, b UnitAchievement) int { return int(a.UnitID - b.UnitID) })
	}
	return out, nil
}

// OverdueByUnit counts each unit's items still owed past their due date
// at the time, in open rounds: the bulletin's dossier line.
func (s *Store) OverdueByUnit(ctx context.Context, at time.Time) (map[int64]int, error) {
	day := at.In(calendar.Shanghai()).Format(dateLayout)
	rows, err := s.DB.Query(ctx, `SELECT i.unit_id, COUNT(*) FROM dossier_item i JOIN dossier_round r ON r.id = i.round_id
		WHERE r.state = ? AND i.state IN (?, ?) AND i.due_on < ? GROUP BY i.unit_id`, string(RoundOpen), string(Pending), string(Returned), day)
	type uc struct {
		unit int64
		n    int
	}
	list, err := db.Collect(rows, err, func(r *sql.Rows) (uc, error) {
		var x uc
		return x, r.Scan(&x.unit, &x.n)
	})
	if err != nil {
		return nil, fmt.Errorf("dossier overdue by unit: %w", err)
	}
	out := make(map[int64]int, len(list))
	for _, x := range list {
		out[x.unit] = x.n
	}
	return out, nil
}

// CriterionName returns a criterion's code and text, for pages.
func (s *Store) CriterionName(ctx context.Context, id int64) (framework.NodeText, error) {
	m, err := framework.NodeTexts(ctx, s.DB, []int64{id})
	if err != nil {
		return framework.NodeText{}, err
	}
	t, ok := m[id]
	if !ok {
		return t, apperr.NotFound("dossier.criterion_unknown", "")
	}
	return t, nil
}
