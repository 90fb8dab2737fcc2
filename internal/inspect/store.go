package inspect

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/site"
)

// Store runs plans and inspections.
type Store struct {
	DB        *db.DB
	Framework *framework.Store
	Sites     *site.Store
	Problems  *problem.Store
	// Categories resolves a criterion's category code to a category id.
	Categories func(ctx context.Context, code string) (int64, error)
	// CampaignArea is the area of a special campaign the actor may see
	// (workplan.Store.Campaign), for a plan that names one; nil refuses
	// every campaign.
	CampaignArea func(ctx context.Context, a access.Actor, campaignID int64) (string, error)
	Now          func() time.Time
	// Scored, when set, is told of each scored inspection of a round that
	// is public (not a covert round before its publication), after it is
	// stored: the responsibility holders of the site hear of low scores.
	// An error it returns is returned by Submit, the inspection already
	// stored; the server's hook logs its failures and returns nil.
	Scored func(ctx context.Context, sc ScoredSite) error

	// criteriaCache keeps each version's on-the-spot criteria by site type,
	// checked against the version's revision (every edit of its tree counts
	// it up), so that a round of a thousand-criterion framework does not
	// read the framework at every checklist and submission.
	criteriaMu    sync.Mutex
	criteriaCache map[criteriaKey]cachedCriteria
}

type criteriaKey struct {
	version  int64
	siteType string
}

type cachedCriteria struct {
	revision int64
	criteria []framework.Criterion
}

// FarMeters is how far from its site an inspection may be submitted before
// the page warns that the inspector was not there.
const FarMeters = 300

// Plan is an inspection plan.
type Plan struct {
	ID          int64
	Name        string
	VersionID   int64
	VersionName string
	RegionCode  string
	Covert      bool
	PublishedAt time.Time
	StartsOn    string
	EndsOn      string
	Sampling    Sampling
	FollowupOf  int64
	CampaignID  int64 // the special campaign it serves, 0 for none
	CreatedAt   time.Time
	Sites       int
	Done        int
	Inspectors  []int64
}

// Hidden reports whether the plan's results are still hidden from units.
func (p Plan) Hidden() bool { return p.Covert && p.PublishedAt.IsZero() }

// Sampling records how a plan's sites were drawn, so it can be redrawn.
type Sampling struct {
	PerType map[string]int `json:"per_type,omitempty"`
	Seed    int64          `json:"seed,omitempty"`
}

// PlanInput is a new plan: sites chosen by hand, or sampled by type.
type PlanInput struct {
	Name       string
	VersionID  int64 // 0: the active framework
	RegionCode string
	Covert     bool
	StartsOn   string
	EndsOn     string
	SiteIDs    []int64
	Sampling   *Sampling
	Inspectors []int64
	FollowupOf int64
	CampaignID int64 // the special campaign the plan serves, if any
	// Assign deals the new plan's sites to its inspectors right away
	// (AssignStreet, AssignEven); AssignNone leaves them open to all.
	Assign string
}

func canPlan(a access.Actor, region string) bool {
	return a.IsAdmin() || (a.Has(access.RoleOffice) && a.Manages(region))
}

// MayMakePlans reports whether the actor may make plans at all (the office
// and administrators), for the page that offers it.
func MayMakePlans(a access.Actor) bool { return a.HasAny(access.RoleAdmin, access.RoleOffice) }

// MayListPlans reports whether the actor has a list of plans to open: those
// who run, oversee or carry out inspections.
func MayListPlans(a access.Actor) bool {
	return a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleInspector)
}

// CanManage reports whether the actor may change the plan (its sites,
// inspectors, publication).
func (p Plan) CanManage(a access.Actor) bool { return canPlan(a, p.RegionCode) }

// CreatePlan makes a plan inside the office's jurisdiction.
func (s *Store) CreatePlan(ctx context.Context, a access.Actor, in PlanInput) (Plan, error) {
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "" || len([]rune(in.Name)) > 100:
		return Plan{}, apperr.Invalid("inspect.name_invalid")
	case in.RegionCode == "":
		in.RegionCode = a.Region
	}
	if !canPlan(a, in.RegionCode) {
		return Plan{}, apperr.Forbidden("inspect.forbidden")
	}
	if !ValidAssignMode(in.Assign) {
		return Plan{}, apperr.Invalid("inspect.assign_mode_invalid")
	}
	if _, err := time.Parse("2006-01-02", in.StartsOn); err != nil {
		return Plan{}, apperr.Invalid("inspect.dates_invalid")
	}
	if _, err := time.Parse("2006-01-02", in.EndsOn); err != nil || in.EndsOn < in.StartsOn {
		return Plan{}, apperr.Invalid("inspect.dates_invalid")
	}
	if err := s.checkCampaign(ctx, a, in); err != nil {
		return Plan{}, err
	}
	if in.VersionID == 0 {
		v, err := s.Framework.ActiveVersion(ctx)
		if err != nil {
			return Plan{}, apperr.Invalid("inspect.no_active_framework")
		}
		in.VersionID = v.ID
	}
	candidates, err := s.sitesIn(ctx, a, in.RegionCode)
	if err != nil {
		return Plan{}, err
	}
	ids := in.SiteIDs
	if in.Sampling != nil {
		var refs []SiteRef
		for _, st := range candidates {
			refs = append(refs, SiteRef{ID: st.ID, Type: st.TypeCode})
		}
		ids = Sample(refs, in.Sampling.PerType, in.Sampling.Seed)
	}
	known := map[int64]bool{}
	for _, st := range candidates {
		known[st.ID] = true
	}
	for _, id := range ids {
		if !known[id] {
			return Plan{}, apperr.Invalid("inspect.site_outside_plan_area", id)
		}
	}
	if len(ids) == 0 {
		return Plan{}, apperr.Invalid("inspect.no_sites")
	}
	if len(in.Inspectors) == 0 {
		return Plan{}, apperr.Invalid("inspect.no_inspectors")
	}
	sampling := ""
	if in.Sampling != nil {
		raw, _ := json.Marshal(in.Sampling)
		sampling = string(raw)
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var creator any
		if a.UserID > 0 {
			creator = a.UserID
		}
		err := tx.QueryRow(ctx, `INSERT INTO inspection_plan (name, version_id, region_code, covert, starts_on, ends_on, sampling,
			followup_of, campaign_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Name, in.VersionID, in.RegionCode, in.Covert, in.StartsOn, in.EndsOn, sampling, db.NullID(in.FollowupOf),
			db.NullID(in.CampaignID), creator, db.Millis(s.Now())).Scan(&id)
		if err != nil {
			return fmt.Errorf("create plan: %w", err)
		}
		for _, sid := range ids {
			if _, err := tx.Exec(ctx, "INSERT INTO inspection_plan_site (plan_id, site_id) VALUES (?, ?)", id, sid); err != nil {
				return fmt.Errorf("plan site: %w", err)
			}
		}
		for _, uid := range dedupe(in.Inspectors) {
			ok, err := org.HasAnyRole(ctx, tx, uid, string(access.RoleInspector), string(access.RoleOffice))
			if err != nil {
				return fmt.Errorf("check inspector: %w", err)
			}
			if !ok {
				return apperr.Invalid("inspect.not_an_inspector", uid)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO inspection_plan_inspector (plan_id, user_id) VALUES (?, ?)", id, uid); err != nil {
				return fmt.Errorf("plan inspector: %w", err)
			}
		}
		_, err = deal(ctx, tx, id, dedupe(in.Inspectors), in.Assign)
		return err
	})
	if err != nil {
		return Plan{}, err
	}
	return s.Plan(ctx, a, id)
}

// checkCampaign refuses a plan naming a campaign the actor cannot see, or
// reaching outside the campaign's area.
func (s *Store) checkCampaign(ctx context.Context, a access.Actor, in PlanInput) error {
	if in.CampaignID == 0 {
		return nil
	}
	if s.CampaignArea == nil {
		return apperr.Invalid("inspect.campaign_unknown")
	}
	area, err := s.CampaignArea(ctx, a, in.CampaignID)
	if errors.Is(err, apperr.ErrNotFound) {
		return apperr.Invalid("inspect.campaign_unknown")
	}
	if err != nil {
		return err
	}
	if !access.InSubtree(in.RegionCode, area) {
		return apperr.Invalid("inspect.plan_outside_campaign")
	}
	return nil
}

// CampaignPlans lists the plans naming a campaign that the actor may
// read, newest first.
func (s *Store) CampaignPlans(ctx context.Context, a access.Actor, campaignID int64) ([]Plan, error) {
	all, err := s.plans(ctx, "p.campaign_id = ?", campaignID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, p := range all {
		if s.mayRead(a, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

func dedupe(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// sitesIn lists the active sites in a region subtree the actor may see.
func (s *Store) sitesIn(ctx context.Context, a access.Actor, region string) ([]site.Site, error) {
	var out []site.Site
	err := s.Sites.Each(ctx, a, site.Filter{Region: region, State: "active"}, func(st site.Site) error {
		out = append(out, st)
		return nil
	})
	return out, err
}

// Followup makes a 回头看 plan: the sites that failed anything in plan prev,
// with the same framework and inspectors.
func (s *Store) Followup(ctx context.Context, a access.Actor, prev int64, name, startsOn, endsOn string) (Plan, error) {
	p, err := s.Plan(ctx, a, prev)
	if err != nil {
		return Plan{}, err
	}
	rows, err := s.DB.Query(ctx, `SELECT site_id FROM inspection WHERE plan_id = ? AND fails > 0 ORDER BY site_id`, prev)
	if err != nil {
		return Plan{}, fmt.Errorf("failed sites: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return Plan{}, fmt.Errorf("failed sites: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) == 0 {
		return Plan{}, apperr.Invalid("inspect.nothing_failed")
	}
	return s.CreatePlan(ctx, a, PlanInput{Name: name, VersionID: p.VersionID, RegionCode: p.RegionCode, Covert: p.Covert,
		StartsOn: startsOn, EndsOn: endsOn, SiteIDs: ids, Inspectors: p.Inspectors, FollowupOf: prev, CampaignID: p.CampaignID})
}

// mayRead: the office and leaders of the plan's area, and its inspectors.
func (s *Store) mayRead(a access.Actor, p Plan) bool {
	return a.IsAdmin() || (a.HasAny(access.RoleOffice, access.RoleLeader) && a.Oversees(p.RegionCode)) || slices.Contains(p.Inspectors, a.UserID)
}

// Plan returns a plan the actor may read.
func (s *Store) Plan(ctx context.Context, a access.Actor, id int64) (Plan, error) {
	plans, err := s.plans(ctx, "p.id = ?", id)
	if err != nil {
		return Plan{}, err
	}
	if len(plans) == 0 || !s.mayRead(a, plans[0]) {
		return Plan{}, apperr.NotFound("inspect.plan_not_found")
	}
	return plans[0], nil
}

// Plans lists the plans the actor may read, newest first.
func (s *Store) Plans(ctx context.Context, a access.Actor) ([]Plan, error) {
	if !MayListPlans(a) {
		return nil, apperr.Forbidden("error.forbidden")
	}
	all, err := s.plans(ctx, "1 = 1")
	if err != nil {
		return nil, err
	}
	var out []Plan
	for _, p := range all {
		if s.mayRead(a, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

func (s *Store) plans(ctx context.Context, where string, args ...any) ([]Plan, error) {
	rows, err := s.DB.Query(ctx, `SELECT p.id, p.name, p.version_id, p.region_code, p.covert, p.published_at, p.starts_on,
		p.ends_on, p.sampling, COALESCE(p.followup_of, 0), COALESCE(p.campaign_id, 0), p.created_at,
		(SELECT COUNT(*) FROM inspection_plan_site x WHERE x.plan_id = p.id),
		(SELECT COUNT(*) FROM inspection i WHERE i.plan_id = p.id)
		FROM inspection_plan p WHERE `+where+` ORDER BY p.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("read plans: %w", err)
	}
	defer rows.Close()
	var out []Plan
	for rows.Next() {
		var p Plan
		var published sql.NullInt64
		var sampling string
		var created int64
		if err := rows.Scan(&p.ID, &p.Name, &p.VersionID, &p.RegionCode, &p.Covert, &published, &p.StartsOn,
			&p.EndsOn, &sampling, &p.FollowupOf, &p.CampaignID, &created, &p.Sites, &p.Done); err != nil {
			return nil, fmt.Errorf("read plans: %w", err)
		}
		p.PublishedAt, p.CreatedAt = db.FromNullMillis(published), db.FromMillis(created)
		if sampling != "" {
			json.Unmarshal([]byte(sampling), &p.Sampling) //nolint:errcheck // written by us
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	versions := make([]int64, len(out))
	for i, p := range out {
		versions[i] = p.VersionID
	}
	names, err := framework.VersionNames(ctx, s.DB, versions)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].VersionName = names[out[i].VersionID]
	}
	for i := range out {
		if out[i].Inspectors, err = s.ids(ctx, "SELECT user_id FROM inspection_plan_inspector WHERE plan_id = ? ORDER BY user_id", out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.DB.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read ids: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read ids: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// PlanSiteIDs lists the sites of a plan.
func (s *Store) PlanSiteIDs(ctx context.Context, a access.Actor, planID int64) ([]int64, error) {
	if _, err := s.Plan(ctx, a, planID); err != nil {
		return nil, err
	}
	return s.ids(ctx, "SELECT site_id FROM inspection_plan_site WHERE plan_id = ? ORDER BY site_id", planID)
}

// Checklist is what an inspector fills in at a site.
type Checklist struct {
	Plan     Plan
	Site     site.Site
	Criteria []framework.Criterion
	Done     *Inspection // already submitted
}

// Checklist returns the applicable criteria of a plan's framework for a
// site of the plan, for one of its inspectors (or the office).
func (s *Store) Checklist(ctx context.Context, a access.Actor, planID, siteID int64) (Checklist, error) {
	p, err := s.Plan(ctx, a, planID)
	if err != nil {
		return Checklist{}, err
	}
	st, err := s.planSite(ctx, a, p, siteID)
	if err != nil {
		return Checklist{}, err
	}
	crit, err := s.criteria(ctx, p.VersionID, st.TypeCode)
	if err != nil {
		return Checklist{}, err
	}
	cl := Checklist{Plan: p, Site: st, Criteria: crit}
	if done, err := s.inspectionOf(ctx, planID, siteID); err == nil {
		cl.Done = &done
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return Checklist{}, err
	}
	// An inspector is told before filling in a checklist the submission
	// would refuse; the office may look at any.
	if cl.Done == nil && !a.HasAny(access.RoleAdmin, access.RoleOffice) {
		if err := s.takenByOther(ctx, a, planID, siteID); err != nil {
			return Checklist{}, err
		}
	}
	return cl, nil
}

// takenByOther refuses a site dealt to another inspector (分片包干); a site
// nobody is assigned to is open to every inspector of the plan.
func (s *Store) takenByOther(ctx context.Context, a access.Actor, planID, siteID int64) error {
	who, name, err := s.assignee(ctx, planID, siteID)
	if err != nil {
		return err
	}
	if who != 0 && who != a.UserID {
		return apperr.Conflict("inspect.assigned_to_other", name)
	}
	return nil
}

func (s *Store) planSite(ctx context.Context, a access.Actor, p Plan, siteID int64) (site.Site, error) {
	var n int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM inspection_plan_site WHERE plan_id = ? AND site_id = ?", p.ID, siteID).Scan(&n); err != nil {
		return site.Site{}, fmt.Errorf("plan site: %w", err)
	}
	if n == 0 {
		return site.Site{}, apperr.Invalid("inspect.site_not_in_plan")
	}
	return s.Sites.Get(ctx, a, siteID)
}

// criteria lists the criteria of a version that apply to a site type and
// are checked on the spot (实地考察), in tree order.
func (s *Store) criteria(ctx context.Context, versionID int64, siteType string) ([]framework.Criterion, error) {
	revision, err := framework.VersionRevision(ctx, s.DB, versionID)
	if err != nil {
		return nil, err
	}
	key := criteriaKey{versionID, siteType}
	s.criteriaMu.Lock()
	c, ok := s.criteriaCache[key]
	s.criteriaMu.Unlock()
	if ok && c.revision == revision {
		return slices.Clone(c.criteria), nil
	}
	all, err := s.Framework.Criteria(ctx, versionID, siteType)
	if err != nil {
		return nil, err
	}
	var out []framework.Criterion
	for _, c := range all {
		if c.HasMethod(framework.MethodField) {
			out = append(out, c)
		}
	}
	s.criteriaMu.Lock()
	if s.criteriaCache == nil {
		s.criteriaCache = map[criteriaKey]cachedCriteria{}
	}
	s.criteriaCache[key] = cachedCriteria{revision: revision, criteria: slices.Clone(out)}
	s.criteriaMu.Unlock()
	return out, nil
}

// ResultInput is one criterion's outcome as the inspector entered it.
type ResultInput struct {
	NodeID  int64
	Outcome Outcome
	Note    string
	Photo   string // photo hash, required on a failure
	// Fixed is the after-photo of a failure put right on the spot (立行立改):
	// the case is filed as rectified, to be verified, instead of dispatched.
	Fixed string
}

// SubmitInput is a finished checklist.
type SubmitInput struct {
	PlanID, SiteID int64
	ClientID       string // made by the phone once per checklist
	Lng, Lat       float64
	HasPlace       bool
	Note           string
	Results        []ResultInput
}

// Inspection is a submitted checklist.
type Inspection struct {
	ID          int64
	PlanID      int64
	SiteID      int64
	InspectorID int64
	SubmittedAt time.Time
	DistanceM   float64
	HasDistance bool
	Passed      float64
	Applicable  float64
	Rate        float64
	HasRate     bool
	Fails       int
	Note        string
	// Repeat is true when the same checklist was sent again and the first
	// submission is returned.
	Repeat bool
}

// Far reports whether the inspector submitted far from the site.
func (i Inspection) Far() bool { return i.HasDistance && i.DistanceM > FarMeters }

// Submit records a checklist once: a resent form (same client id) returns
// the first submission. Every failure files a problem linked to the site,
// the criterion and the inspection; in an open plan it is filed and
// dispatched at once by the routing rules, in a covert plan it waits,
// unseen by the units, until the office publishes the results.
func (s *Store) Submit(ctx context.Context, a access.Actor, in SubmitInput) (Inspection, error) {
	in.ClientID = strings.TrimSpace(in.ClientID)
	if len(in.ClientID) < 8 || len(in.ClientID) > 64 {
		return Inspection{}, apperr.Invalid("inspect.client_id_invalid")
	}
	if prev, err := s.byClientID(ctx, in.ClientID); err == nil {
		if prev.InspectorID != a.UserID {
			return Inspection{}, apperr.Conflict("inspect.client_id_taken")
		}
		prev.Repeat = true
		return prev, nil
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return Inspection{}, err
	}
	p, err := s.Plan(ctx, a, in.PlanID)
	if err != nil {
		return Inspection{}, err
	}
	if !slices.Contains(p.Inspectors, a.UserID) {
		return Inspection{}, apperr.Forbidden("inspect.not_in_plan")
	}
	st, err := s.planSite(ctx, a, p, in.SiteID)
	if err != nil {
		return Inspection{}, err
	}
	if _, err := s.inspectionOf(ctx, p.ID, st.ID); err == nil {
		return Inspection{}, apperr.Conflict("inspect.already_inspected")
	}
	if err := s.takenByOther(ctx, a, p.ID, st.ID); err != nil {
		return Inspection{}, err
	}
	crit, err := s.criteria(ctx, p.VersionID, st.TypeCode)
	if err != nil {
		return Inspection{}, err
	}
	byID := map[int64]framework.Criterion{}
	for _, c := range crit {
		byID[c.ID] = c
	}
	seen := map[int64]bool{}
	var weighted []Weighted
	for _, r := range in.Results {
		c, ok := byID[r.NodeID]
		switch {
		case !ok:
			return Inspection{}, apperr.Invalid("inspect.criterion_not_applicable", r.NodeID)
		case seen[r.NodeID]:
			return Inspection{}, apperr.Invalid("inspect.criterion_twice", c.Code)
		case !r.Outcome.Valid():
			return Inspection{}, apperr.Invalid("inspect.outcome_invalid", c.Code)
		case r.Outcome == Fail && r.Photo == "":
			return Inspection{}, apperr.Invalid("inspect.fail_needs_photo", c.Code)
		}
		seen[r.NodeID] = true
		weighted = append(weighted, Weighted{Outcome: r.Outcome, Weight: weight(c)})
	}
	if len(seen) != len(crit) {
		return Inspection{}, apperr.Invalid("inspect.checklist_incomplete", len(crit)-len(seen))
	}
	rate, hasRate := ScoreRate(weighted)
	var passed, applicable float64
	fails := 0
	for _, w := range weighted {
		if w.Outcome != NotApplicable {
			applicable += w.Weight
		}
		if w.Outcome == Pass {
			passed += w.Weight
		}
		if w.Outcome == Fail {
			fails++
		}
	}
	ins := Inspection{PlanID: p.ID, SiteID: st.ID, InspectorID: a.UserID, SubmittedAt: s.Now(), Passed: passed,
		Applicable: applicable, Rate: rate, HasRate: hasRate, Fails: fails, Note: strings.TrimSpace(in.Note)}
	if in.HasPlace && st.HasPlace {
		ins.DistanceM = geo.DistanceMeters(geo.Point{Lng: in.Lng, Lat: in.Lat}, geo.Point{Lng: st.Lng, Lat: st.Lat})
		ins.HasDistance = true
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		// The assignment again, locked: the office may have moved the site
		// to someone else since the check above. (SQLite's transaction
		// already holds the database's write lock.)
		var who sql.NullInt64
		if err := tx.QueryRow(ctx, "SELECT inspector_id FROM inspection_plan_site WHERE plan_id = ? AND site_id = ?"+tx.ForUpdate(),
			p.ID, st.ID).Scan(&who); err != nil {
			return fmt.Errorf("site assignment: %w", err)
		}
		if who.Valid && who.Int64 != a.UserID {
			names, err := org.DisplayNames(ctx, tx, []int64{who.Int64})
			if err != nil {
				return fmt.Errorf("site assignee: %w", err)
			}
			return apperr.Conflict("inspect.assigned_to_other", names[who.Int64])
		}
		var rateV, dist any
		if hasRate {
			rateV = rate
		}
		if ins.HasDistance {
			dist = ins.DistanceM
		}
		err := tx.QueryRow(ctx, `INSERT INTO inspection (plan_id, site_id, inspector_id, client_id, submitted_at, lng, lat,
			distance_m, passed, applicable, score_rate, fails, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			p.ID, st.ID, a.UserID, in.ClientID, db.Millis(ins.SubmittedAt), nullFloat(in.Lng, in.HasPlace), nullFloat(in.Lat, in.HasPlace),
			dist, passed, applicable, rateV, fails, ins.Note).Scan(&ins.ID)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("inspect.already_inspected")
		}
		if err != nil {
			return fmt.Errorf("insert inspection: %w", err)
		}
		for _, r := range in.Results {
			if _, err := tx.Exec(ctx, `INSERT INTO inspection_result (inspection_id, node_id, outcome, weight, note, photo_hash)
				VALUES (?, ?, ?, ?, ?, ?)`, ins.ID, r.NodeID, string(r.Outcome), weight(byID[r.NodeID]), strings.TrimSpace(r.Note), r.Photo); err != nil {
				return fmt.Errorf("insert result: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return Inspection{}, err
	}
	for _, r := range in.Results {
		if r.Outcome != Fail {
			continue
		}
		if err := s.fileFailure(ctx, a, p, st, ins.ID, byID[r.NodeID], r); err != nil {
			return ins, err
		}
	}
	if s.Scored != nil && hasRate && !p.Covert {
		if err := s.Scored(ctx, ScoredSite{InspectionID: ins.ID, SiteID: st.ID, SiteName: st.Name, RegionCode: st.RegionCode,
			Rate: rate, At: ins.SubmittedAt}); err != nil {
			return ins, err
		}
	}
	return ins, nil
}

// ScoredSite is a scored inspection as Store.Scored hears of it.
type ScoredSite struct {
	InspectionID int64
	SiteID       int64
	SiteName     string
	RegionCode   string
	Rate         float64 // 0–1
	At           time.Time
}

func weight(c framework.Criterion) float64 {
	if c.Score == nil || *c.Score <= 0 {
		return 1
	}
	return *c.Score
}

// fileFailure puts a failed criterion in the ledger. The inspector reports
// it; in an open plan the system files and dispatches it at once.
func (s *Store) fileFailure(ctx context.Context, a access.Actor, p Plan, st site.Site, inspectionID int64, c framework.Criterion, r ResultInput) error {
	var catID int64
	for _, code := range c.Categories {
		if id, err := s.Categories(ctx, code); err == nil {
			catID = id
			break
		}
	}
	if catID == 0 {
		// A criterion without a usable category still files: as the most
		// general 市容环境 case the office re-files if needed.
		id, err := s.Categories(ctx, "SR02")
		if err != nil {
			return err
		}
		catID = id
	}
	desc := "【" + st.Name + "】" + c.Text
	if note := strings.TrimSpace(r.Note); note != "" {
		desc += "：" + note
	}
	// In a covert round the case is held until publication, unless the
	// inspector saw it fixed on the spot.
	in := problem.ReportInput{Source: problem.SourceInspection, CategoryID: catID, Description: desc, Address: st.Address,
		RegionCode: st.RegionCode, Photos: []string{r.Photo}, SiteID: st.ID, Held: p.Hidden() && r.Fixed == ""}
	if st.HasPlace {
		in.Lng, in.Lat, in.HasPlace = st.Lng, st.Lat, true
	}
	c2, err := s.Problems.Report(ctx, a, in)
	if err != nil {
		return fmt.Errorf("file failure %s: %w", c.Code, err)
	}
	if _, err := s.DB.Exec(ctx, "UPDATE inspection_result SET problem_id = ? WHERE inspection_id = ? AND node_id = ?", c2.ID, inspectionID, c.ID); err != nil {
		return fmt.Errorf("link failure: %w", err)
	}
	if r.Fixed != "" {
		_, err := s.Problems.Move(ctx, a, c2.ID, problem.MoveInput{Action: problem.ActFixOnSpot, Photos: []string{r.Fixed}, Note: "检查时当场整改"})
		return err
	}
	if p.Hidden() {
		return nil
	}
	return s.dispatch(ctx, c2.ID)
}

// dispatch files and dispatches a case found by an inspection, as the
// system: the routing rules decide the unit.
func (s *Store) dispatch(ctx context.Context, id int64) error {
	sys := access.System()
	if _, err := s.Problems.Move(ctx, sys, id, problem.MoveInput{Action: problem.ActFile, Note: "测评不合格，自动立案"}); err != nil {
		return err
	}
	_, err := s.Problems.Move(ctx, sys, id, problem.MoveInput{Action: problem.ActDispatch})
	return err
}

// Publish ends a covert plan's secrecy: its results become visible to the
// units and its held cases are filed and dispatched.
func (s *Store) Publish(ctx context.Context, a access.Actor, planID int64) error {
	p, err := s.Plan(ctx, a, planID)
	if err != nil {
		return err
	}
	if !canPlan(a, p.RegionCode) {
		return apperr.Forbidden("inspect.forbidden")
	}
	if !p.Hidden() {
		return apperr.Conflict("inspect.not_hidden")
	}
	res, err := s.DB.Exec(ctx, "UPDATE inspection_plan SET published_at = ? WHERE id = ? AND published_at IS NULL", db.Millis(s.Now()), planID)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // someone else published it just now
	}
	results, err := s.ids(ctx, `SELECT r.problem_id FROM inspection_result r JOIN inspection i ON i.id = r.inspection_id
		WHERE i.plan_id = ? AND r.problem_id IS NOT NULL ORDER BY r.problem_id`, planID)
	if err != nil {
		return err
	}
	held, err := problem.ReportedAmong(ctx, s.DB, results)
	if err != nil {
		return err
	}
	if err := problem.Release(ctx, s.DB, held); err != nil {
		return err
	}
	for _, id := range held {
		if err := s.dispatch(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) byClientID(ctx context.Context, clientID string) (Inspection, error) {
	return s.inspection(ctx, "client_id = ?", clientID)
}

func (s *Store) inspectionOf(ctx context.Context, planID, siteID int64) (Inspection, error) {
	return s.inspection(ctx, "plan_id = ? AND site_id = ?", planID, siteID)
}

func (s *Store) inspection(ctx context.Context, where string, args ...any) (Inspection, error) {
	var i Inspection
	var submitted int64
	var dist, rate sql.NullFloat64
	err := s.DB.QueryRow(ctx, `SELECT id, plan_id, site_id, inspector_id, submitted_at, distance_m, passed, applicable, score_rate,
		fails, note FROM inspection WHERE `+where, args...).Scan(&i.ID, &i.PlanID, &i.SiteID, &i.InspectorID, &submitted, &dist,
		&i.Passed, &i.Applicable, &rate, &i.Fails, &i.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return i, apperr.NotFound("inspect.not_found")
	}
	if err != nil {
		return i, fmt.Errorf("read inspection: %w", err)
	}
	i.SubmittedAt = db.FromMillis(submitted)
	i.DistanceM, i.HasDistance = dist.Float64, dist.Valid
	i.Rate, i.HasRate = rate.Float64, rate.Valid
	return i, nil
}

func nullFloat(v float64, ok bool) sql.NullFloat64 { return sql.NullFloat64{Float64: v, Valid: ok} }

// SiteRound is one inspection in a site's history.
type SiteRound struct {
	PlanID   int64
	PlanName string
	At       time.Time
	Rate     float64
	HasRate  bool
	Fails    int
}

func fromMillis(ms int64) time.Time { return db.FromMillis(ms) }

// AllSiteIDs lists every active site of a region subtree the actor may
// see, for a plan that inspects them all.
func (s *Store) AllSiteIDs(ctx context.Context, a access.Actor, region string) ([]int64, error) {
	if region == "" {
		region = a.Region
	}
	sites, err := s.sitesIn(ctx, a, region)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(sites))
	for _, st := range sites {
		ids = append(ids, st.ID)
	}
	return ids, nil
}

// OpenPlanFor finds the newest plan of the actor's that holds the site, has
// not inspected it yet and has not dealt it to another inspector, for the
// checklist a scanned QR code opens.
func (s *Store) OpenPlanFor(ctx context.Context, a access.Actor, siteID int64) (int64, bool, error) {
	ids, err := s.ids(ctx, `SELECT x.plan_id FROM inspection_plan_site x JOIN inspection_plan_inspector u ON u.plan_id = x.plan_id
		WHERE x.site_id = ? AND u.user_id = ? AND (x.inspector_id IS NULL OR x.inspector_id = u.user_id)
		AND NOT EXISTS (SELECT 1 FROM inspection i WHERE i.plan_id = x.plan_id AND i.site_id = x.site_id)
		ORDER BY x.plan_id DESC LIMIT 1`, siteID, a.UserID)
	if err != nil || len(ids) == 0 {
		return 0, false, err
	}
	return ids[0], true, nil
}
