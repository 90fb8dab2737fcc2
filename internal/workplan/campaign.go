package workplan

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/site"
)

// Campaign is a special campaign (专项整治): a period, an area, the
// categories and site types it targets, its units, goal and tasks.
type Campaign struct {
	ID           int64
	Name         string
	RegionCode   string
	StartsOn     string
	EndsOn       string
	Goal         string
	LeadUnitID   int64
	LeadUnitName string
	CoopUnitIDs  []int64
	CoopNames    []string
	CategoryIDs  []int64
	SiteTypes    []string
	CreatedAt    time.Time
}

// CanManage reports whether the actor may change the campaign.
func (c *Campaign) CanManage(a access.Actor) bool { return manages(a, c.RegionCode) }

// CampaignInput is a new campaign.
type CampaignInput struct {
	Name        string
	RegionCode  string // "": the office's jurisdiction
	StartsOn    string
	EndsOn      string
	Goal        string
	LeadUnitID  int64
	CoopUnitIDs []int64
	CategoryIDs []int64
	SiteTypes   []string
}

// CreateCampaign makes a campaign in the office's jurisdiction.
func (s *Store) CreateCampaign(ctx context.Context, a access.Actor, in CampaignInput) (*Campaign, error) {
	in.Name, in.Goal = strings.TrimSpace(in.Name), strings.TrimSpace(in.Goal)
	if in.RegionCode == "" {
		in.RegionCode = a.Region
	}
	switch {
	case in.Name == "" || len([]rune(in.Name)) > MaxNameLen:
		return nil, apperr.Invalid("workplan.name_invalid")
	case !manages(a, in.RegionCode):
		return nil, apperr.Forbidden("workplan.forbidden")
	case len([]rune(in.Goal)) > MaxTextLen:
		return nil, apperr.Invalid("workplan.text_too_long", MaxTextLen)
	case in.LeadUnitID == 0:
		return nil, apperr.Invalid("workplan.lead_missing")
	case len(in.CategoryIDs) == 0 && len(in.SiteTypes) == 0:
		return nil, apperr.Invalid("workplan.campaign_scope_missing")
	}
	start, ok1 := ParseDate(in.StartsOn)
	end, ok2 := ParseDate(in.EndsOn)
	if !ok1 || !ok2 {
		return nil, apperr.Invalid("workplan.dates_invalid")
	}
	if end.Before(start) {
		return nil, apperr.Invalid("workplan.period_backwards")
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, u := range append([]int64{in.LeadUnitID}, in.CoopUnitIDs...) {
			if code, name, err := unitInArea(ctx, tx, u, in.RegionCode); err != nil {
				return err
			} else if code != "" {
				return apperr.Invalid(code, name)
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO workplan_campaign (name, region_code, starts_on, ends_on, goal, lead_unit_id, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Name, in.RegionCode, start.Format(dateLayout), end.Format(dateLayout), in.Goal,
			in.LeadUnitID, db.NullID(a.UserID), db.Millis(s.now())).Scan(&id)
		if err != nil {
			return fmt.Errorf("create campaign: %w", err)
		}
		for _, u := range dedupe(in.CoopUnitIDs) {
			if u == in.LeadUnitID {
				continue
			}
			if _, err := tx.Exec(ctx, "INSERT INTO workplan_campaign_unit (campaign_id, unit_id) VALUES (?, ?)", id, u); err != nil {
				return fmt.Errorf("campaign unit: %w", err)
			}
		}
		for _, c := range dedupe(in.CategoryIDs) {
			if _, err := tx.Exec(ctx, "INSERT INTO workplan_campaign_category (campaign_id, category_id) VALUES (?, ?)", id, c); err != nil {
				if db.IsForeignKeyViolation(err) {
					return apperr.Invalid("workplan.category_unknown")
				}
				return fmt.Errorf("campaign category: %w", err)
			}
		}
		types := slices.Clone(in.SiteTypes)
		slices.Sort(types)
		for _, t := range slices.Compact(types) {
			if t = strings.TrimSpace(t); t == "" {
				continue
			}
			if _, err := tx.Exec(ctx, "INSERT INTO workplan_campaign_site_type (campaign_id, type_code) VALUES (?, ?)", id, t); err != nil {
				return fmt.Errorf("campaign site type: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Campaign(ctx, a, id)
}

// campaignScope limits campaign rows (alias g) to what the actor sees:
// those who oversee its area, its lead and cooperating units.
func campaignScope(a access.Actor) (string, []any) {
	if a.IsAdmin() {
		return "1 = 1", nil
	}
	var parts []string
	var args []any
	if a.HasAny(access.RoleOffice, access.RoleLeader) && a.Region != "" {
		cond, cargs := region.SubtreeSQL("g.region_code", a.Region)
		parts, args = append(parts, cond), append(args, cargs...)
	}
	if units := myUnits(a); len(units) > 0 {
		ph := db.Placeholders(len(units))
		parts = append(parts, "(g.lead_unit_id IN ("+ph+") OR EXISTS (SELECT 1 FROM workplan_campaign_unit x WHERE x.campaign_id = g.id AND x.unit_id IN ("+ph+")))")
		for range 2 {
			for _, u := range units {
				args = append(args, u)
			}
		}
	}
	if len(parts) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

const campaignColumns = "g.id, g.name, g.region_code, g.starts_on, g.ends_on, g.goal, g.lead_unit_id, g.created_at"

func scanCampaign(r interface{ Scan(...any) error }) (*Campaign, error) {
	var c Campaign
	var created int64
	err := r.Scan(&c.ID, &c.Name, &c.RegionCode, &c.StartsOn, &c.EndsOn, &c.Goal, &c.LeadUnitID, &created)
	c.CreatedAt = db.FromMillis(created)
	return &c, err
}

// Campaigns lists the campaigns the actor sees, newest first.
func (s *Store) Campaigns(ctx context.Context, a access.Actor) ([]*Campaign, error) {
	if !MayOpen(a) {
		return nil, apperr.Forbidden("workplan.forbidden")
	}
	where, args := campaignScope(a)
	rows, err := s.DB.Query(ctx, "SELECT "+campaignColumns+" FROM workplan_campaign g WHERE "+where+" ORDER BY g.starts_on DESC, g.id DESC", args...)
	list, err := db.Collect(rows, err, func(r *sql.Rows) (*Campaign, error) { return scanCampaign(r) })
	if err != nil {
		return nil, fmt.Errorf("campaigns: %w", err)
	}
	for _, c := range list {
		if err := s.fillCampaign(ctx, c); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// Campaign returns a campaign the actor sees.
func (s *Store) Campaign(ctx context.Context, a access.Actor, id int64) (*Campaign, error) {
	where, args := campaignScope(a)
	c, err := scanCampaign(s.DB.QueryRow(ctx, "SELECT "+campaignColumns+" FROM workplan_campaign g WHERE g.id = ? AND "+where,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("workplan.campaign_not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("campaign %d: %w", id, err)
	}
	return c, s.fillCampaign(ctx, c)
}

func (s *Store) fillCampaign(ctx context.Context, c *Campaign) error {
	var err error
	if c.CoopUnitIDs, err = db.Int64s(ctx, s.DB, "SELECT unit_id FROM workplan_campaign_unit WHERE campaign_id = ? ORDER BY unit_id", c.ID); err != nil {
		return fmt.Errorf("campaign units: %w", err)
	}
	if c.CategoryIDs, err = db.Int64s(ctx, s.DB, "SELECT category_id FROM workplan_campaign_category WHERE campaign_id = ? ORDER BY category_id", c.ID); err != nil {
		return fmt.Errorf("campaign categories: %w", err)
	}
	if c.SiteTypes, err = db.Strings(ctx, s.DB, "SELECT type_code FROM workplan_campaign_site_type WHERE campaign_id = ? ORDER BY type_code", c.ID); err != nil {
		return fmt.Errorf("campaign site types: %w", err)
	}
	names, err := org.UnitNames(ctx, s.DB, append([]int64{c.LeadUnitID}, c.CoopUnitIDs...))
	if err != nil {
		return err
	}
	c.LeadUnitName = names[c.LeadUnitID]
	c.CoopNames = nil
	for _, u := range c.CoopUnitIDs {
		c.CoopNames = append(c.CoopNames, names[u])
	}
	return nil
}

// period is the campaign's period as instants: from the start of its
// first day to the end of its last, Shanghai time.
func (c *Campaign) period() (time.Time, time.Time) {
	from, _ := ParseDate(c.StartsOn)
	to, _ := ParseDate(c.EndsOn)
	return from, to.AddDate(0, 0, 1)
}

// NearMeters is how close to a targeted site a case counts as around it
// (校园周边: within 200 m of the school).
const NearMeters = 200

// Sites are the campaign area's sites of its site types.
type Sites struct {
	IDs    map[int64]bool
	Points []geo.Point
}

// near reports whether a case was found at one of the sites or within
// NearMeters of one.
func (n Sites) near(x *problem.Brief) bool {
	if n.IDs[x.SiteID] {
		return true
	}
	if !x.HasPlace {
		return false
	}
	at := geo.Point{Lng: x.Lng, Lat: x.Lat}
	for _, p := range n.Points {
		if geo.DistanceMeters(at, p) <= NearMeters {
			return true
		}
	}
	return false
}

// Matches reports whether a case falls in the campaign's scope: found in
// its area and period, of one of its categories (when it names any), and
// at or around a site of one of its site types (when it names any).
func (c *Campaign) Matches(x *problem.Case, sites Sites) bool {
	b := x.Brief()
	return c.matcher(sites)(&b)
}

// matcher is Matches with the period worked out once, for a stream of cases.
func (c *Campaign) matcher(sites Sites) func(*problem.Brief) bool {
	from, to := c.period()
	cats := make(map[int64]bool, len(c.CategoryIDs))
	for _, id := range c.CategoryIDs {
		cats[id] = true
	}
	return func(x *problem.Brief) bool {
		switch {
		case !access.InSubtree(x.RegionCode, c.RegionCode) || x.ReportedAt.Before(from) || !x.ReportedAt.Before(to):
			return false
		case len(cats) > 0 && !cats[x.CategoryID]:
			return false
		case len(c.SiteTypes) > 0 && !sites.near(x):
			return false
		}
		return true
	}
}

// CampaignSites are the sites the campaign targets, as its counts match
// cases around them.
func (s *Store) CampaignSites(ctx context.Context, a access.Actor, c *Campaign) (Sites, error) {
	sites, _, err := s.sitesOf(ctx, a, c)
	return sites, err
}

// sitesOf lists the campaign area's active sites of its site types.
func (s *Store) sitesOf(ctx context.Context, a access.Actor, c *Campaign) (Sites, []site.Site, error) {
	out := Sites{IDs: map[int64]bool{}}
	var list []site.Site
	if s.Sites == nil {
		return out, nil, nil
	}
	// The campaign's targets are part of the campaign, which the actor may
	// see: a cooperating department reads them though it may not list
	// sites itself.
	for _, t := range c.SiteTypes {
		err := s.Sites.Each(ctx, access.System(), site.Filter{Region: c.RegionCode, Type: t, State: "active"}, func(st site.Site) error {
			out.IDs[st.ID] = true
			if st.HasPlace {
				out.Points = append(out.Points, geo.Point{Lng: st.Lng, Lat: st.Lat})
			}
			list = append(list, st)
			return nil
		})
		if err != nil {
			return out, nil, err
		}
	}
	return out, list, nil
}

// CampaignCase is a case counted in a campaign.
type CampaignCase struct {
	*problem.Case
	ByHand   bool
	Featured bool
}

// caseMark is how a case was added to a campaign by hand.
type caseMark struct {
	byHand, featured bool
}

// CampaignCases lists the cases of the campaign the actor may see: those
// its scope matches and those added by hand, newest first.
func (s *Store) CampaignCases(ctx context.Context, a access.Actor, id int64) (*Campaign, []CampaignCase, error) {
	c, err := s.Campaign(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	marks, err := s.campaignMarks(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	var ids []int64
	err = s.eachBrief(ctx, a, c, marks, func(x *problem.Brief, _ caseMark) error {
		ids = append(ids, x.ID)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	out, err := s.campaignCases(ctx, a, ids, marks)
	return c, out, err
}

// campaignCases reads the cases of ids with their marks, newest first.
func (s *Store) campaignCases(ctx context.Context, a access.Actor, ids []int64, marks map[int64]caseMark) ([]CampaignCase, error) {
	cases, err := s.Problems.ByIDs(ctx, a, ids)
	if err != nil {
		return nil, err
	}
	out := make([]CampaignCase, 0, len(cases))
	for _, x := range cases {
		m := marks[x.ID]
		out = append(out, CampaignCase{Case: x, ByHand: m.byHand, Featured: m.featured})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].ReportedAt.Equal(out[j].ReportedAt) {
			return out[i].ReportedAt.After(out[j].ReportedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}

// campaignMarks reads how cases were added to the campaign by hand.
func (s *Store) campaignMarks(ctx context.Context, id int64) (map[int64]caseMark, error) {
	type extra struct {
		problem int64
		caseMark
	}
	rows, err := s.DB.Query(ctx, "SELECT problem_id, by_hand, featured FROM workplan_campaign_case WHERE campaign_id = ? ORDER BY problem_id", id)
	extras, err := db.Collect(rows, err, func(r *sql.Rows) (extra, error) {
		var x extra
		return x, r.Scan(&x.problem, &x.byHand, &x.featured)
	})
	if err != nil {
		return nil, fmt.Errorf("campaign cases: %w", err)
	}
	marks := make(map[int64]caseMark, len(extras))
	for _, x := range extras {
		marks[x.problem] = x.caseMark
	}
	return marks, nil
}

// caseFilter is the ledger filter that holds the campaign's cases: its
// area, period and categories (its site types are matched case by case).
func (c *Campaign) caseFilter() problem.Filter {
	from, to := c.period()
	return problem.Filter{Region: c.RegionCode, Categories: c.CategoryIDs, From: from, To: to}
}

// eachBrief calls fn with the brief of every case of the campaign the
// actor may see, once each, without holding them: those its scope
// matches (read through the ledger's filter in one pass) and
// those added by hand. fn's Brief is reused between calls.
func (s *Store) eachBrief(ctx context.Context, a access.Actor, c *Campaign, marks map[int64]caseMark, fn func(*problem.Brief, caseMark) error) error {
	sites, _, err := s.sitesOf(ctx, a, c)
	if err != nil {
		return err
	}
	matches := c.matcher(sites)
	err = s.Problems.EachBrief(ctx, a, c.caseFilter(), func(x *problem.Brief) error {
		if !matches(x) {
			return nil
		}
		return fn(x, marks[x.ID])
	})
	if err != nil {
		return err
	}
	// A case added by hand that the campaign's scope matches is counted.
	return s.eachByHand(ctx, a, marks, matches, fn)
}

// eachByHand calls fn with the cases added to the campaign by hand that
// counted does not already count; those the actor may not see are left
// out by ByIDs.
func (s *Store) eachByHand(ctx context.Context, a access.Actor, marks map[int64]caseMark, counted func(*problem.Brief) bool, fn func(*problem.Brief, caseMark) error) error {
	var byHand []int64
	for id, m := range marks {
		if m.byHand {
			byHand = append(byHand, id)
		}
	}
	if len(byHand) == 0 {
		return nil
	}
	cases, err := s.Problems.ByIDs(ctx, a, byHand)
	if err != nil {
		return err
	}
	for _, pc := range cases {
		b := pc.Brief()
		if counted(&b) {
			continue
		}
		if err := fn(&b, marks[pc.ID]); err != nil {
			return err
		}
	}
	return nil
}

// AddCase counts a case in the campaign by hand (by its code), or picks
// it as one of the best rectifications shown in its bulletin.
func (s *Store) AddCase(ctx context.Context, a access.Actor, id int64, code string, featured bool) error {
	c, err := s.Campaign(ctx, a, id)
	if err != nil {
		return err
	}
	if !c.CanManage(a) {
		return apperr.Forbidden("workplan.forbidden")
	}
	pid, err := s.Problems.IDByCode(ctx, a, strings.TrimSpace(code))
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return apperr.Invalid("workplan.case_unknown", code)
		}
		return err
	}
	pc, err := s.Problems.Get(ctx, a, pid)
	if err != nil {
		return err
	}
	if featured && pc.State != problem.Closed && pc.State != problem.Rectified {
		return apperr.Invalid("workplan.feature_not_rectified")
	}
	sites, _, err := s.sitesOf(ctx, a, c)
	if err != nil {
		return err
	}
	byHand := !c.Matches(pc, sites)
	_, err = s.DB.Exec(ctx, `INSERT INTO workplan_campaign_case (campaign_id, problem_id, by_hand, featured, added_by, added_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (campaign_id, problem_id) DO UPDATE SET featured = (workplan_campaign_case.featured OR excluded.featured),
		by_hand = (workplan_campaign_case.by_hand OR excluded.by_hand)`, id, pid, byHand, featured, db.NullID(a.UserID), db.Millis(s.now()))
	if err != nil {
		return fmt.Errorf("campaign case: %w", err)
	}
	return nil
}

// Tally is a count of a campaign's cases.
type Tally struct {
	Key     int64
	Name    string
	Found   int
	Closed  int
	OnTime  int // closed by the deadline
	Overdue int // open past the deadline now
}

// ClosedRate is closed over found, 0 when none.
func (t Tally) ClosedRate() float64 {
	if t.Found == 0 {
		return 0
	}
	return float64(t.Closed) / float64(t.Found)
}

// merge adds a group the ledger counted.
func (t *Tally) merge(g problem.Group) {
	t.Found += g.Found
	t.Closed += g.Closed
	t.OnTime += g.OnTime
	t.Overdue += g.Overdue
}

func (t *Tally) add(c *problem.Brief, now time.Time) {
	t.Found++
	if c.State == problem.Closed {
		t.Closed++
		if !c.Deadline.IsZero() && !c.ClosedAt.After(c.Deadline) {
			t.OnTime++
		}
	}
	if c.Overdue(now) {
		t.Overdue++
	}
}

// SiteScores is a site's inspection score before the campaign and its
// latest during it (0–100; Has* false when there is none).
type SiteScores struct {
	SiteID            int64
	Name              string
	Before, After     float64
	HasBefore, HasAft bool
}

// Pair is a best rectification: a case's before and after photos.
type Pair struct {
	Case   *problem.Case
	Before []string
	After  []string
}

// CampaignView is a campaign's page and bulletin.
type CampaignView struct {
	Campaign   *Campaign
	Total      Tally
	ByUnit     []Tally
	ByCategory []Tally
	Latest     []CampaignCase // the newest LatestCases of them, newest first
	Pairs      []Pair
	Sites      []SiteScores
	Rounds     []CampaignRound // the inspection plans naming it, newest first
	Tasks      []*Task
	Now        time.Time
}

// CampaignRound is an inspection plan that names the campaign, with its
// mean score so far (0–100; HasMean false before any rated site).
type CampaignRound struct {
	Plan    inspect.Plan
	Mean    float64
	HasMean bool
}

// LatestCases bounds the cases a campaign's page lists; its counts cover all.
const LatestCases = 100

// CampaignPage counts a campaign's cases (found, closed, on time, overdue;
// by unit and by category) as their briefs stream from the ledger,
// keeping only the newest to list, then reads those few whole, with its
// sites' scores before and during it, its best rectifications and its
// tasks.
func (s *Store) CampaignPage(ctx context.Context, a access.Actor, id int64) (*CampaignView, error) {
	c, err := s.Campaign(ctx, a, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	v := &CampaignView{Campaign: c, Now: now}
	marks, err := s.campaignMarks(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	n := newCampaignCount()
	if len(c.SiteTypes) == 0 {
		err = s.countGrouped(ctx, a, c, marks, n)
	} else {
		err = s.eachBrief(ctx, a, c, marks, func(x *problem.Brief, _ caseMark) error {
			n.add(x, now)
			return nil
		})
	}
	if err != nil {
		return nil, err
	}
	n.newest()
	v.Total = n.total
	units, cats := n.units, n.cats
	var featured []int64
	for id, m := range marks {
		if m.featured {
			featured = append(featured, id)
		}
	}
	ids := make([]int64, len(n.latest))
	for i, l := range n.latest {
		ids[i] = l.id
	}
	if v.Latest, err = s.campaignCases(ctx, a, ids, marks); err != nil {
		return nil, err
	}
	if err := s.nameTallies(ctx, units, cats); err != nil {
		return nil, err
	}
	pairs, err := s.campaignCases(ctx, a, featured, marks)
	if err != nil {
		return nil, err
	}
	for _, fc := range pairs {
		p := Pair{Case: fc.Case}
		events, err := s.Problems.Timeline(ctx, a, fc.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			for _, ph := range e.Photos {
				if ph.Role == "after" {
					p.After = append(p.After, ph.Hash)
				} else if ph.Role == "before" {
					p.Before = append(p.Before, ph.Hash)
				}
			}
		}
		v.Pairs = append(v.Pairs, p)
	}
	for _, m := range []struct {
		from map[int64]*Tally
		to   *[]Tally
	}{{units, &v.ByUnit}, {cats, &v.ByCategory}} {
		for _, t := range m.from {
			*m.to = append(*m.to, *t)
		}
		sort.Slice(*m.to, func(i, j int) bool {
			x, y := (*m.to)[i], (*m.to)[j]
			if x.Found != y.Found {
				return x.Found > y.Found
			}
			return x.Name < y.Name
		})
	}
	if v.Tasks, err = s.Tasks(ctx, a, TaskFilter{CampaignID: id}); err != nil {
		return nil, err
	}
	if v.Sites, err = s.siteScores(ctx, a, c); err != nil {
		return nil, err
	}
	if v.Rounds, err = s.campaignRounds(ctx, a, id); err != nil {
		return nil, err
	}
	return v, nil
}

// campaignRounds are the inspection plans naming the campaign the actor
// may read, with their mean scores.
func (s *Store) campaignRounds(ctx context.Context, a access.Actor, id int64) ([]CampaignRound, error) {
	if s.Inspections == nil {
		return nil, nil
	}
	plans, err := s.Inspections.CampaignPlans(ctx, a, id)
	if err != nil {
		return nil, err
	}
	out := make([]CampaignRound, 0, len(plans))
	for _, p := range plans {
		r := CampaignRound{Plan: p}
		res, err := s.Inspections.Results(ctx, a, p.ID)
		if err != nil {
			return nil, err
		}
		if res.Overall.Rated > 0 {
			r.Mean, r.HasMean = res.Overall.Mean*100, true
		}
		out = append(out, r)
	}
	return out, nil
}

// campaignCount is a campaign's tally as it is counted: in all, by unit
// and by category, and the newest cases to list.
type campaignCount struct {
	total       Tally
	units, cats map[int64]*Tally
	latest      []stamp
}

// stamp is a case's id and reporting time, to find the newest.
type stamp struct {
	id int64
	at time.Time
}

func newCampaignCount() *campaignCount {
	return &campaignCount{units: map[int64]*Tally{}, cats: map[int64]*Tally{}}
}

// tallies are the unit's and the category's tallies, made when missing.
func (n *campaignCount) tallies(unit, cat int64) (*Tally, *Tally) {
	u, k := n.units[unit], n.cats[cat]
	if u == nil {
		u = &Tally{Key: unit}
		n.units[unit] = u
	}
	if k == nil {
		k = &Tally{Key: cat}
		n.cats[cat] = k
	}
	return u, k
}

// add counts one case.
func (n *campaignCount) add(x *problem.Brief, now time.Time) {
	n.total.add(x, now)
	u, k := n.tallies(x.UnitID, x.CategoryID)
	u.add(x, now)
	k.add(x, now)
	n.stamp(x.ID, x.ReportedAt)
}

// stamp keeps a case among the candidates for the newest.
func (n *campaignCount) stamp(id int64, at time.Time) {
	n.latest = append(n.latest, stamp{id, at})
	if len(n.latest) >= 4*LatestCases {
		n.newest()
	}
}

// newest keeps the LatestCases newest of the candidates, newest first.
func (n *campaignCount) newest() {
	sort.Slice(n.latest, func(i, j int) bool {
		if !n.latest[i].at.Equal(n.latest[j].at) {
			return n.latest[i].at.After(n.latest[j].at)
		}
		return n.latest[i].id > n.latest[j].id
	})
	n.latest = n.latest[:min(len(n.latest), LatestCases)]
}

// countGrouped counts a campaign that targets no site types in the
// database: its categories' cases in its area and period grouped by unit
// and category, its newest LatestCases, and the cases
// added by hand that these do not already count.
func (s *Store) countGrouped(ctx context.Context, a access.Actor, c *Campaign, marks map[int64]caseMark, n *campaignCount) error {
	now := s.now()
	f := c.caseFilter()
	groups, err := s.Problems.Groups(ctx, a, f)
	if err != nil {
		return err
	}
	for _, g := range groups {
		n.total.merge(g)
		u, k := n.tallies(g.UnitID, g.CategoryID)
		u.merge(g)
		k.merge(g)
	}
	f.Limit = LatestCases
	if err := s.Problems.EachBrief(ctx, a, f, func(x *problem.Brief) error {
		n.stamp(x.ID, x.ReportedAt)
		return nil
	}); err != nil {
		return err
	}
	matches := c.matcher(Sites{})
	return s.eachByHand(ctx, a, marks, matches, func(x *problem.Brief, _ caseMark) error {
		n.add(x, now)
		return nil
	})
}

// nameTallies names the units' and categories' tallies, asking their
// owners once for all of them.
func (s *Store) nameTallies(ctx context.Context, units, cats map[int64]*Tally) error {
	for _, g := range []struct {
		by   map[int64]*Tally
		name func(context.Context, db.Conn, []int64) (map[int64]string, error)
	}{{units, org.UnitNames}, {cats, category.Names}} {
		ids := make([]int64, 0, len(g.by))
		for id := range g.by {
			if id != 0 {
				ids = append(ids, id)
			}
		}
		names, err := g.name(ctx, s.DB, ids)
		if err != nil {
			return err
		}
		for id, t := range g.by {
			t.Name = names[id]
		}
	}
	return nil
}

// siteScores are the campaign's sites' scores: the latest round before
// its start and the latest since.
func (s *Store) siteScores(ctx context.Context, a access.Actor, c *Campaign) ([]SiteScores, error) {
	if s.SiteHistory == nil || len(c.SiteTypes) == 0 {
		return nil, nil
	}
	_, list, err := s.sitesOf(ctx, a, c)
	if err != nil {
		return nil, err
	}
	from, _ := c.period()
	var out []SiteScores
	for _, st := range list {
		rounds, err := s.SiteHistory(ctx, a, st.ID)
		if errors.Is(err, apperr.ErrNotFound) || err != nil && apperr.As(err).Kind == apperr.KindForbidden {
			// A unit on the campaign that may not read a site's inspections
			// sees the campaign without that site's scores.
			continue
		}
		if err != nil {
			return nil, err
		}
		sc := SiteScores{SiteID: st.ID, Name: st.Name}
		for _, r := range rounds { // newest first
			if !r.HasRate {
				continue
			}
			if r.At.Before(from) && !sc.HasBefore {
				sc.Before, sc.HasBefore = r.Rate*100, true
			}
			if !r.At.Before(from) && !sc.HasAft {
				sc.After, sc.HasAft = r.Rate*100, true
			}
		}
		if sc.HasBefore || sc.HasAft {
			out = append(out, sc)
		}
	}
	return out, nil
}

// campaignToday is the date in Shanghai of now, for the pages.
func campaignToday(now time.Time) string { return now.In(calendar.Shanghai()).Format(dateLayout) }

// Running reports whether the campaign is under way on now's date.
func (c *Campaign) Running(now time.Time) bool {
	d := campaignToday(now)
	return c.StartsOn <= d && d <= c.EndsOn
}
