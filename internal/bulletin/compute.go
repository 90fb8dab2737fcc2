package bulletin

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/parallel"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/survey"
)

// maxListed bounds the overdue cases a bulletin names.
const maxListed = 200

// assessScope is the scope as the ledger's assessment API takes it.
func assessScope(sc Scope) problem.AssessScope {
	if sc.IsUnits() {
		return problem.AssessScope{Units: append([]int64{}, sc.Units...)}
	}
	return problem.AssessScope{Region: sc.Region}
}

// caseRec is one assessed case with what the tally adds to it.
type caseRec struct {
	problem.AssessedCase
	category, top string
	inScope       bool
}

// unitTally gathers one unit's counts.
type unitTally struct {
	fig        problem.KPI
	w          Weighted
	nCases     int            // the cases it has or returned
	cases      map[int64]bool // which, while counting cases
	dispatched map[int64]bool
	returned   int
	falsified  int
	unjust     int
}

func newUnitTally() *unitTally {
	return &unitTally{cases: map[int64]bool{}, dispatched: map[int64]bool{}}
}

// tally is the counts of one scope and period.
type tally struct {
	totals     problem.KPI
	bySource   map[string]*problem.KPI
	byCategory map[int64]*CategoryRow
	units      map[int64]*unitTally
}

func (t *tally) unit(id int64) *unitTally {
	u, ok := t.units[id]
	if !ok {
		u = newUnitTally()
		t.units[id] = u
	}
	return u
}

// count adds one case to figures, as the metric definitions say.
func count(f *problem.KPI, c *caseRec) {
	f.Filed++
	if c.State == problem.Closed {
		f.Closed++
	}
	if c.ClosedOnTime() {
		f.ClosedOnTime++
	}
	if c.State == problem.Parked {
		f.Parked++
	}
	if !c.DispatchedAt.IsZero() {
		f.Dispatched++
	}
	if c.Extensions > 0 {
		f.Extended++
	}
	if c.Returns > 0 {
		f.Returned++
	}
	f.Verifications += c.Verifications
	f.VerifyFailed += c.VerifyFailed
}

// tally counts the cases of the scope filed in the period: the totals by
// the metric definitions, by source and category, and per responsible unit.
// A unit's cases are those with it now and those it returned: returns and
// unjustified returns count against the unit that returned, the rest
// against the unit the case is with.
func (s *Store) tally(ctx context.Context, sc Scope, p Period, cfg Config) (*tally, error) {
	if !sc.IsUnits() && problem.TallyUsable(sc.Region) && !s.CountCases {
		return s.tallyFromCounters(ctx, sc, p, cfg)
	}
	t := &tally{bySource: map[string]*problem.KPI{}, byCategory: map[int64]*CategoryRow{}, units: map[int64]*unitTally{}}
	assessed, err := s.Problems.AssessedCases(ctx, assessScope(sc), p.Start(), p.End())
	if err != nil {
		return nil, err
	}
	catIDs := make([]int64, 0, len(assessed))
	for _, c := range assessed {
		catIDs = append(catIDs, c.CategoryID)
	}
	labels, err := category.Labels(ctx, s.DB, catIDs)
	if err != nil {
		return nil, err
	}
	cases := make([]*caseRec, len(assessed))
	byID := make(map[int64]*caseRec, len(assessed))
	for i, c := range assessed {
		l := labels[c.CategoryID]
		cases[i] = &caseRec{AssessedCase: c, category: l.Name, top: l.Top}
		byID[c.ID] = cases[i]
	}
	inGroup := map[int64]bool{}
	for _, id := range sc.Units {
		inGroup[id] = true
	}
	for _, c := range cases {
		c.inScope = !sc.IsUnits() || inGroup[c.UnitID]
		w := cfg.Weight(string(c.Source))
		if c.inScope {
			count(&t.totals, c)
			f := t.bySource[string(c.Source)]
			if f == nil {
				f = &problem.KPI{}
				t.bySource[string(c.Source)] = f
			}
			count(f, c)
			if c.CategoryID != 0 {
				cr := t.byCategory[c.CategoryID]
				if cr == nil {
					cr = &CategoryRow{CategoryID: c.CategoryID, Name: c.category, Top: c.top}
					t.byCategory[c.CategoryID] = cr
				}
				count(&cr.Figures, c)
			}
			if c.UnitID != 0 {
				u := t.unit(c.UnitID)
				u.cases[c.ID] = true
				// Its returns and dispatches are counted apart below.
				count(&u.fig, c)
				u.w.Filed += w
				if c.State == problem.Closed {
					u.w.Closed += w
				}
				if c.ClosedOnTime() {
					u.w.ClosedOnTime += w
				}
				if c.State == problem.Parked {
					u.w.Parked += w
				}
				if c.Extensions > 0 {
					u.w.Extended += w
				}
				u.w.Verifications += w * float64(c.Verifications)
				u.w.VerifyFailed += w * float64(c.VerifyFailed)
				if !c.DispatchedAt.IsZero() {
					u.dispatched[c.ID] = true
				}
				if c.Falsified {
					u.falsified++
					u.w.Falsified += w
				}
			}
		}
		// Returns count against the units that returned the case, and the
		// office's unjustified marks against the latest returns.
		seen := map[int64]bool{}
		for i, r := range c.Returners {
			if r == 0 || (sc.IsUnits() && !inGroup[r]) {
				continue
			}
			u := t.unit(r)
			if !seen[r] {
				seen[r] = true
				u.cases[c.ID] = true
				u.dispatched[c.ID] = true
				u.returned++
				u.w.Returned += w
			}
			if i >= len(c.Returners)-c.UnjustifiedReturns {
				u.unjust++
				u.w.UnjustifiedReturns += w
			}
		}
	}
	for _, u := range t.units {
		u.nCases = len(u.cases)
		u.fig.Returned, u.fig.Dispatched = u.returned, len(u.dispatched)
		for cid := range u.dispatched {
			u.w.Dispatched += cfg.Weight(string(byID[cid].Source))
		}
	}
	if s.Hours != nil {
		var sum float64
		for _, c := range cases {
			if !c.inScope || c.DispatchedAt.IsZero() || c.RectifiedAt.IsZero() || c.RectifiedAt.Before(c.DispatchedAt) {
				continue
			}
			h, err := s.Hours.WorkingHours(ctx, c.DispatchedAt, c.RectifiedAt)
			if err != nil {
				return nil, err
			}
			sum += h
			t.totals.Handled++
		}
		if t.totals.Handled > 0 {
			t.totals.MeanHandlingHours = sum / float64(t.totals.Handled)
		}
	}
	found, err := s.Problems.FoundBySource(ctx, assessScope(sc), p.Start(), p.End())
	if err != nil {
		return nil, err
	}
	for src, n := range found {
		t.totals.Found += n
		f := t.bySource[string(src)]
		if f == nil {
			f = &problem.KPI{}
			t.bySource[string(src)] = f
		}
		f.Found += n
	}
	return t, nil
}

// caseRowsOf is the ledger's cases as the bulletin lists them.
func caseRowsOf(cases []*problem.Case, now time.Time) []CaseRow {
	out := make([]CaseRow, 0, len(cases))
	for _, x := range cases {
		c := CaseRow{ID: x.ID, Code: x.Code, Description: x.Description, Source: string(x.Source), Category: x.CategoryName,
			Unit: x.UnitName, Region: x.RegionName, State: string(x.State), Deadline: x.Deadline, Rework: x.ReworkCount,
			Escalation: x.EscalationLevel}
		if r := []rune(c.Description); len(r) > 60 {
			c.Description = string(r[:60]) + "…"
		}
		if !x.Deadline.IsZero() && x.Deadline.Before(now) {
			c.OverdueDays = int(math.Ceil(now.Sub(x.Deadline).Hours() / 24))
		}
		out = append(out, c)
	}
	return out
}

type unitInfo struct {
	id                 int64
	name, kind, region string
}

// groupOf puts a unit in its ranking group.
func groupOf(u unitInfo) string {
	switch {
	case u.kind == "department":
		return GroupDepartment
	case u.kind == "territorial" && len(u.region) == 9:
		return GroupStreet
	case u.kind == "territorial" && len(u.region) >= 12:
		return GroupCommunity
	}
	return GroupOther
}

// units reads the units named by ids, and for a region scope the line
// departments and territorial units of the region, so that a unit without
// cases is listed too.
func (s *Store) units(ctx context.Context, sc Scope, ids map[int64]bool) (map[int64]unitInfo, error) {
	out := map[int64]unitInfo{}
	add := func(u org.UnitInfo) {
		out[u.ID] = unitInfo{id: u.ID, name: u.Name, kind: string(u.Kind), region: u.RegionCode}
	}
	if !sc.IsUnits() {
		area, err := org.UnitsInArea(ctx, s.DB, sc.Region, org.KindDepartment, org.KindTerritorial)
		if err != nil {
			return nil, err
		}
		for _, u := range area {
			add(u)
		}
	}
	all := make([]int64, 0, len(ids)+len(sc.Units))
	for id := range ids {
		all = append(all, id)
	}
	named, err := org.UnitInfos(ctx, s.DB, append(all, sc.Units...))
	if err != nil {
		return nil, err
	}
	for _, u := range named {
		add(u)
	}
	return out, nil
}

// build computes a bulletin's content for a scope and a period, as of now.
func (s *Store) build(ctx context.Context, sc Scope, p Period, cfg Config, now time.Time) (Content, error) {
	ct := Content{Scope: sc, Period: p, Previous: p.Previous(), TakenAt: now.UTC().Truncate(time.Millisecond), Config: cfg}
	// The two periods' counts and the cases overdue and reworked are
	// independent reads: they run side by side on the reader pool.
	var cur, prev *tally
	var overdue map[int64]int
	var named, reworked []*problem.Case
	err := parallel.Do(
		func() (err error) { cur, err = s.tally(ctx, sc, p, cfg); return },
		func() (err error) { prev, err = s.tally(ctx, sc, ct.Previous, cfg); return },
		// Overdue now, whatever the filing time; and the cases that failed
		// verification twice or more, filed in the period or still open.
		func() (err error) { overdue, err = s.Problems.OverdueByUnit(ctx, assessScope(sc), now); return },
		func() (err error) { named, err = s.Problems.OverdueCases(ctx, assessScope(sc), now, maxListed); return },
		func() (err error) {
			reworked, err = s.Problems.ReworkedCases(ctx, assessScope(sc), p.Start(), p.End(), maxListed)
			return
		})
	if err != nil {
		return ct, err
	}
	ct.Totals, ct.PrevTotals = cur.totals, prev.totals
	for _, src := range problem.Sources() {
		if f := cur.bySource[string(src)]; f != nil {
			ct.BySource = append(ct.BySource, SourceRow{Source: src, Figures: *f})
		}
	}
	for _, c := range cur.byCategory {
		ct.Categories = append(ct.Categories, *c)
	}
	sort.Slice(ct.Categories, func(i, j int) bool {
		a, b := ct.Categories[i], ct.Categories[j]
		if a.Figures.Filed != b.Figures.Filed {
			return a.Figures.Filed > b.Figures.Filed
		}
		return a.CategoryID < b.CategoryID
	})
	ct.Categories = ct.Categories[:min(len(ct.Categories), 10)]

	for unit, n := range overdue {
		ct.Totals.Overdue += n
		if unit != 0 {
			cur.unit(unit).fig.Overdue += n
		}
	}
	ct.Overdue = caseRowsOf(named, now)
	ct.OverdueMore = max(0, ct.Totals.Overdue-len(ct.Overdue))
	ct.Repeated = caseRowsOf(reworked, now)

	ids := map[int64]bool{}
	for id := range cur.units {
		ids[id] = true
	}
	infos, err := s.units(ctx, sc, ids)
	if err != nil {
		return ct, err
	}
	if sc.Region != "" && s.Volunteers != nil {
		k, err := s.Volunteers.AreaFigures(ctx, sc.Region, p.From, p.To)
		if err != nil {
			return ct, err
		}
		if k.Registered > 0 || k.Minutes != 0 {
			v := &VolunteerSection{Registered: k.Registered, Active: k.Active, Teams: k.Teams, Activities: k.Activities, Minutes: k.Minutes}
			for _, c := range k.ByTeam[:min(5, len(k.ByTeam))] {
				v.TopTeams = append(v.TopTeams, VolunteerRow{Name: c.Label, Minutes: c.Minutes})
			}
			ct.Volunteer = v
		}
	}
	if err := s.addWorkReports(ctx, infos, cur, p); err != nil {
		return ct, err
	}
	if err := s.addWorkReports(ctx, infos, prev, ct.Previous); err != nil {
		return ct, err
	}
	if err := s.addDossierOverdue(ctx, infos, cur, p); err != nil {
		return ct, err
	}
	if err := s.addDossierOverdue(ctx, infos, prev, ct.Previous); err != nil {
		return ct, err
	}
	ct.Groups = rank(cfg, infos, cur.units, prev.units)
	if ct.Inspections, err = s.inspections(ctx, sc, infos, p); err != nil {
		return ct, err
	}
	prevIns, err := s.inspections(ctx, sc, infos, ct.Previous)
	if err != nil {
		return ct, err
	}
	ct.Inspections.PrevCount, ct.Inspections.PrevMean = prevIns.Count, prevIns.Mean
	if areas := scopeAreas(sc, infos); len(areas) > 0 {
		if ct.Surveys, err = survey.PeriodRounds(ctx, s.DB, areas, p.From, p.To); err != nil {
			return ct, err
		}
	}
	return ct, nil
}

// addDossierOverdue adds the units' dossier items overdue at the end of
// the period to the listed units' counts, for the dossier line.
func (s *Store) addDossierOverdue(ctx context.Context, infos map[int64]unitInfo, t *tally, p Period) error {
	if s.DossierOverdue == nil {
		return nil
	}
	counts, err := s.DossierOverdue(ctx, p.End())
	if err != nil {
		return err
	}
	for id, n := range counts {
		if _, listed := infos[id]; !listed || n == 0 {
			continue
		}
		t.unit(id).w.DossierOverdue += float64(n)
	}
	return nil
}

// addWorkReports adds the adopted work reports of the period to the
// listed units' counts, for the assessment's work-report line.
func (s *Store) addWorkReports(ctx context.Context, infos map[int64]unitInfo, t *tally, p Period) error {
	if s.WorkReports == nil {
		return nil
	}
	counts, err := s.WorkReports(ctx, p.Start(), p.End())
	if err != nil {
		return err
	}
	for id, n := range counts {
		if _, listed := infos[id]; !listed || (n.Adopted == 0 && n.Highlights == 0) {
			continue
		}
		u := t.unit(id)
		u.w.WorkAdopted += float64(n.Adopted)
		u.w.WorkHighlights += float64(n.Highlights)
	}
	return nil
}

// rank makes the unit rows, groups them and ranks each group by the
// composite score. Units excluded by the configuration or with fewer cases
// than the minimum sample are listed apart. The red list is the best k
// and the black list the worst k of the ranked units, k being the list
// size but at most half the ranked units, so that no unit is on both.
func rank(cfg Config, infos map[int64]unitInfo, cur, prev map[int64]*unitTally) []Group {
	byGroup := map[string][]UnitRow{}
	for id, info := range infos {
		t := cur[id]
		if t == nil {
			t = newUnitTally()
		}
		row := UnitRow{UnitID: id, Name: info.name, Kind: info.kind, Region: info.region, Group: groupOf(info),
			Cases: t.nCases, Figures: t.fig, Falsified: t.falsified, UnjustifiedReturns: t.unjust, Weighted: t.w}
		row.Score, row.Parts = cfg.Score(t.w)
		switch {
		case cfg.Excludes(id):
			row.Apart = ApartExcluded
		case row.Cases < cfg.MinSample:
			row.Apart = ApartFew
		}
		if pt := prev[id]; pt != nil && pt.nCases >= cfg.MinSample && !cfg.Excludes(id) {
			row.PrevScore, _ = cfg.Score(pt.w)
			row.HasPrev = true
		}
		byGroup[row.Group] = append(byGroup[row.Group], row)
	}
	var out []Group
	for _, key := range Groups() {
		rows := byGroup[key]
		if len(rows) == 0 {
			continue
		}
		var ranked, apart []UnitRow
		for _, r := range rows {
			if r.Apart == "" {
				ranked = append(ranked, r)
			} else {
				apart = append(apart, r)
			}
		}
		sort.SliceStable(ranked, func(i, j int) bool {
			a, b := ranked[i], ranked[j]
			if !same(a.Score, b.Score) {
				return a.Score > b.Score
			}
			if !same(a.Figures.OnTimeRate(), b.Figures.OnTimeRate()) {
				return a.Figures.OnTimeRate() > b.Figures.OnTimeRate()
			}
			if a.Name != b.Name {
				return a.Name < b.Name
			}
			return a.UnitID < b.UnitID // two units of one name: still one order
		})
		k := min(cfg.ListSize, len(ranked)/2)
		n := len(ranked)
		for i := range ranked {
			// Equal scores share a rank (1, 2, 2, 4); the same from the bottom.
			if i > 0 && same(ranked[i].Score, ranked[i-1].Score) {
				ranked[i].Rank = ranked[i-1].Rank
			} else {
				ranked[i].Rank = i + 1
			}
		}
		bottom := make([]int, n)
		for i := n - 1; i >= 0; i-- {
			if i < n-1 && same(ranked[i].Score, ranked[i+1].Score) {
				bottom[i] = bottom[i+1]
			} else {
				bottom[i] = n - i
			}
		}
		for i := range ranked {
			ranked[i].Red = k > 0 && ranked[i].Rank <= k
			ranked[i].Black = k > 0 && !ranked[i].Red && bottom[i] <= k
		}
		sort.SliceStable(apart, func(i, j int) bool {
			if apart[i].Cases != apart[j].Cases {
				return apart[i].Cases > apart[j].Cases
			}
			if apart[i].Name != apart[j].Name {
				return apart[i].Name < apart[j].Name
			}
			return apart[i].UnitID < apart[j].UnitID
		})
		out = append(out, Group{Key: key, Units: append(ranked, apart...)})
	}
	return out
}

// same compares scores, forgiving the last bits of floating point.
func same(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// scopeAreas are the region subtrees of a scope: its region, or the
// territorial units' regions of a group of units.
func scopeAreas(sc Scope, infos map[int64]unitInfo) []string {
	if !sc.IsUnits() {
		return []string{sc.Region}
	}
	var areas []string
	for _, id := range sc.Units {
		if info, ok := infos[id]; ok && info.kind == "territorial" && info.region != "" {
			areas = append(areas, info.region)
		}
	}
	return areas
}

// inspections averages the score rates of inspections submitted in the
// period at sites in the scope (for a group of units, in the territorial
// units' regions). Covert rounds count once published.
func (s *Store) inspections(ctx context.Context, sc Scope, infos map[int64]unitInfo, p Period) (Inspections, error) {
	var res Inspections
	var areas []string
	if !sc.IsUnits() {
		areas = []string{sc.Region}
	} else {
		for _, id := range sc.Units {
			if info, ok := infos[id]; ok && info.kind == "territorial" && info.region != "" {
				areas = append(areas, info.region)
			}
		}
	}
	if len(areas) == 0 {
		return res, nil
	}
	scores, err := inspect.PublishedScores(ctx, s.DB, p.Start(), p.End())
	if err != nil {
		return res, err
	}
	var in []inspect.PublishedScore
	var streets []string
	for _, x := range scores {
		if x.RegionCode == "" || !slices.ContainsFunc(areas, func(a string) bool { return strings.HasPrefix(x.RegionCode, a) }) {
			continue
		}
		in = append(in, x)
		streets = append(streets, x.RegionCode[:min(9, len(x.RegionCode))])
	}
	typeNames, err := framework.SiteTypeNames(ctx, s.DB)
	if err != nil {
		return res, err
	}
	streetNames, err := region.Names(ctx, s.DB, streets)
	if err != nil {
		return res, err
	}
	byType, byStreet := map[string]*ScoreRate{}, map[string]*ScoreRate{}
	add := func(m map[string]*ScoreRate, key, name string, rate float64) {
		g := m[key]
		if g == nil {
			g = &ScoreRate{Key: key, Name: name}
			m[key] = g
		}
		g.Inspections++
		g.Mean += rate // a sum until the end
	}
	var sum float64
	for _, x := range in {
		typName, known := typeNames[x.TypeCode]
		if !known {
			continue // as the join on the site type did: a site of a removed type is not counted
		}
		street := x.RegionCode[:min(9, len(x.RegionCode))]
		res.Count++
		sum += x.Rate
		add(byType, x.TypeCode, typName, x.Rate)
		add(byStreet, street, streetNames[street], x.Rate)
	}
	if res.Count > 0 {
		res.Mean = sum / float64(res.Count)
	}
	finish := func(m map[string]*ScoreRate) []ScoreRate {
		out := make([]ScoreRate, 0, len(m))
		for _, g := range m {
			g.Mean /= float64(g.Inspections)
			out = append(out, *g)
		}
		sort.Slice(out, func(i, j int) bool {
			if !same(out[i].Mean, out[j].Mean) {
				return out[i].Mean > out[j].Mean
			}
			return out[i].Key < out[j].Key
		})
		return out
	}
	res.ByType, res.ByStreet = finish(byType), finish(byStreet)
	return res, nil
}
