package survey

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

// Mode is a round's kind: a mock survey (模拟) or the real one.
const (
	ModeMock = "mock"
	ModeReal = "real"
)

// The ways of dealing communities to interviewers (分片包干).
const (
	AssignNone   = ""
	AssignStreet = "street" // a street's communities to one interviewer
	AssignEven   = "even"   // the communities evenly, in code order
)

// Round is a survey round.
type Round struct {
	ID                int64
	Name              string
	QuestionnaireID   int64
	QuestionnaireName string
	RegionCode        string
	RegionName        string
	Mode              string
	StartsOn, EndsOn  string
	Sampling          Sampling
	MaxAbsent         int
	ClosedAt          time.Time
	CreatedAt         time.Time
	Communities       []RoundCommunity
	Supervisors       map[string]int64 // street code → user
	// Progress, counted from the samples and interviews.
	Sampled, Visited, Submitted, Approved int
}

// Open reports whether interviews may still be done.
func (r Round) Open() bool { return r.ClosedAt.IsZero() }

// RoundCommunity is a community of a round and its interviewer.
type RoundCommunity struct {
	Code          string
	Name          string
	InterviewerID int64
	Interviewer   string
}

// RoundInput is a new round.
type RoundInput struct {
	Name            string
	QuestionnaireID int64
	Areas           []string // a district, streets or communities
	Mode            string
	StartsOn        string
	EndsOn          string
	Sampling        Sampling
	MaxAbsent       int
	Interviewers    []int64
	Assign          string
	// Supervisors by street; empty: dealt by hand afterwards.
	Supervisors map[string]int64
}

// CanManage reports whether the actor may change the round.
func (r Round) CanManage(a access.Actor) bool { return mayManage(a, r.RegionCode) }

// commonRoot is the longest code every area lies under.
func commonRoot(areas []string) string {
	if len(areas) == 0 {
		return ""
	}
	root := areas[0]
	for _, c := range areas[1:] {
		for !strings.HasPrefix(c, root) {
			root = region.ParentOf(root)
			if root == "" {
				return ""
			}
		}
	}
	return root
}

// communitiesIn lists the community codes under an area code, in code order.
func (s *Store) communitiesIn(ctx context.Context, code string) ([]string, error) {
	l, ok := region.LevelOf(code)
	if !ok {
		return nil, apperr.Invalid("survey.round.area_invalid", code)
	}
	if l == region.Community {
		if ok, err := region.Exists(ctx, s.DB, code); err != nil || !ok {
			return nil, errors.Join(err, apperr.Invalid("survey.round.area_invalid", code))
		}
		return []string{code}, nil
	}
	if l > region.Community || l < region.District {
		return nil, apperr.Invalid("survey.round.area_invalid", code)
	}
	rs := &region.Store{DB: s.DB}
	children, _, err := rs.Children(ctx, code, 0, region.MaxLimit)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range children {
		if c.Level > region.Community {
			continue
		}
		sub, err := s.communitiesIn(ctx, c.Code)
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	return out, nil
}

// CreateRound plans a round: its communities, the sample with reserves
// drawn from their eligible households, the interviewers and supervisors.
func (s *Store) CreateRound(ctx context.Context, a access.Actor, in RoundInput) (Round, error) {
	in.Name = strings.TrimSpace(in.Name)
	if err := validName(in.Name); err != nil {
		return Round{}, err
	}
	if len(in.Areas) == 0 && a.Region != "" {
		in.Areas = []string{a.Region}
	}
	if len(in.Areas) == 0 {
		return Round{}, apperr.Invalid("survey.round.area_required")
	}
	for _, c := range in.Areas {
		if !mayManage(a, c) {
			return Round{}, apperr.Forbidden("survey.forbidden")
		}
	}
	if in.Mode != ModeMock && in.Mode != ModeReal {
		return Round{}, apperr.Invalid("survey.round.mode_invalid")
	}
	if _, err := time.Parse("2006-01-02", in.StartsOn); err != nil {
		return Round{}, apperr.Invalid("survey.round.dates_invalid")
	}
	if _, err := time.Parse("2006-01-02", in.EndsOn); err != nil || in.EndsOn < in.StartsOn {
		return Round{}, apperr.Invalid("survey.round.dates_invalid")
	}
	sm := in.Sampling
	if sm.Per == "" {
		sm.Per = PerCommunity
	}
	if (sm.Per != PerCommunity && sm.Per != PerStreet && sm.Per != PerTotal) || sm.N < 1 || sm.N > 100000 || sm.Reserve < 0 || sm.Reserve > 100 {
		return Round{}, apperr.Invalid("survey.round.sampling_invalid")
	}
	if in.MaxAbsent == 0 {
		in.MaxAbsent = 3
	}
	if in.MaxAbsent < 1 || in.MaxAbsent > 10 {
		return Round{}, apperr.Invalid("survey.round.max_absent_invalid")
	}
	if in.Assign != AssignNone && in.Assign != AssignStreet && in.Assign != AssignEven {
		return Round{}, apperr.Invalid("survey.round.assign_invalid")
	}
	if _, err := s.questionnaire(ctx, s.DB, in.QuestionnaireID); err != nil {
		return Round{}, apperr.Invalid("survey.round.questionnaire_invalid")
	}
	var communities []string
	for _, c := range in.Areas {
		list, err := s.communitiesIn(ctx, c)
		if err != nil {
			return Round{}, err
		}
		communities = append(communities, list...)
	}
	slices.Sort(communities)
	communities = slices.Compact(communities)
	if len(communities) == 0 {
		return Round{}, apperr.Invalid("survey.round.no_communities")
	}
	pools, err := s.pools(ctx, communities)
	if err != nil {
		return Round{}, err
	}
	drawn := Draw(pools, Quotas(pools, sm), sm.Reserve, sm.Seed)
	primary := 0
	for _, d := range drawn {
		if !d.Reserve {
			primary++
		}
	}
	if primary == 0 {
		return Round{}, apperr.Invalid("survey.round.no_households")
	}
	interviewers := slices.Clone(in.Interviewers)
	slices.Sort(interviewers)
	interviewers = slices.Compact(interviewers)
	if in.Assign != AssignNone && len(interviewers) == 0 {
		return Round{}, apperr.Invalid("survey.round.no_interviewers")
	}
	dealt := deal(communities, interviewers, in.Assign)
	raw, _ := json.Marshal(sm)
	root := commonRoot(in.Areas)
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, uid := range interviewers {
			if err := checkRole(ctx, tx, uid, interviewerRoles(), "survey.round.not_an_interviewer"); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, `INSERT INTO survey_round (name, questionnaire_id, region_code, mode, starts_on, ends_on, sampling,
			max_absent, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Name, in.QuestionnaireID, root,
			in.Mode, in.StartsOn, in.EndsOn, string(raw), in.MaxAbsent, creator(a), db.Millis(s.now())).Scan(&id); err != nil {
			return fmt.Errorf("insert round: %w", err)
		}
		sampled := map[string]int{}
		for _, d := range drawn {
			if !d.Reserve {
				sampled[d.Community]++
			}
		}
		for _, c := range communities {
			if _, err := tx.Exec(ctx, "INSERT INTO survey_round_community (round_id, community_code, interviewer_id, sampled) VALUES (?, ?, ?, ?)",
				id, c, db.NullID(dealt[c]), sampled[c]); err != nil {
				return fmt.Errorf("round community: %w", err)
			}
		}
		for _, d := range drawn {
			if _, err := tx.Exec(ctx, `INSERT INTO survey_sample (round_id, household_id, community_code, draw_order, reserve, released)
				VALUES (?, ?, ?, ?, ?, ?)`, id, d.Household, d.Community, d.Order, d.Reserve, !d.Reserve); err != nil {
				return fmt.Errorf("sample: %w", err)
			}
		}
		for street, uid := range in.Supervisors {
			if err := setSupervisor(ctx, tx, id, street, uid); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Round{}, err
	}
	return s.Round(ctx, a, id)
}

func checkRole(ctx context.Context, c db.Conn, uid int64, roles []string, code string) error {
	ok, err := org.HasAnyRole(ctx, c, uid, roles...)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Invalid(code, uid)
	}
	return nil
}

// deal gives each community an interviewer: by street (a street's
// communities to one interviewer, the streets in turn) or evenly (runs of
// neighbouring communities).
func deal(communities []string, interviewers []int64, mode string) map[string]int64 {
	out := map[string]int64{}
	if len(interviewers) == 0 {
		return out
	}
	switch mode {
	case AssignStreet:
		streets := map[string]int{}
		var order []string
		for _, c := range communities {
			if _, ok := streets[streetOf(c)]; !ok {
				streets[streetOf(c)] = len(order)
				order = append(order, streetOf(c))
			}
		}
		for _, c := range communities {
			out[c] = interviewers[streets[streetOf(c)]%len(interviewers)]
		}
	case AssignEven:
		for i, c := range communities {
			out[c] = interviewers[i*len(interviewers)/len(communities)]
		}
	}
	return out
}

// pools reads the eligible households of the communities.
func (s *Store) pools(ctx context.Context, communities []string) ([]Pool, error) {
	type row struct {
		id   int64
		code string
	}
	rows, err := db.CollectIn(ctx, s.DB, "SELECT id, community_code FROM survey_household WHERE eligible = TRUE AND community_code IN ("+
		db.ListMarker+")", communities, func(r *sql.Rows) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.code)
	})
	if err != nil {
		return nil, fmt.Errorf("eligible households: %w", err)
	}
	by := map[string][]int64{}
	for _, x := range rows {
		by[x.code] = append(by[x.code], x.id)
	}
	out := make([]Pool, 0, len(communities))
	for _, c := range communities {
		out = append(out, Pool{Community: c, Households: by[c]})
	}
	return out, nil
}

func setSupervisor(ctx context.Context, tx *db.Tx, round int64, street string, uid int64) error {
	if l, ok := region.LevelOf(street); !ok || l != region.Street {
		return apperr.Invalid("survey.round.street_invalid", street)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM survey_round_supervisor WHERE round_id = ? AND street_code = ?", round, street); err != nil {
		return fmt.Errorf("supervisor: %w", err)
	}
	if uid == 0 {
		return nil
	}
	if err := checkRole(ctx, tx, uid, supervisorRoles(), "survey.round.not_a_supervisor"); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "INSERT INTO survey_round_supervisor (round_id, street_code, user_id) VALUES (?, ?, ?)", round, street, uid); err != nil {
		return fmt.Errorf("supervisor: %w", err)
	}
	return nil
}

// SetSupervisor names (or with 0 removes) the supervisor of a street.
func (s *Store) SetSupervisor(ctx context.Context, a access.Actor, round int64, street string, uid int64) error {
	r, err := s.Round(ctx, a, round)
	if err != nil {
		return err
	}
	if !r.CanManage(a) {
		return apperr.Forbidden("survey.forbidden")
	}
	if !slices.Contains(r.Streets(), street) {
		return apperr.Invalid("survey.round.street_invalid", street)
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error { return setSupervisor(ctx, tx, round, street, uid) })
}

// Assign deals the round's communities again (by street or evenly) to
// the interviewers.
func (s *Store) Assign(ctx context.Context, a access.Actor, round int64, mode string, interviewers []int64) error {
	r, err := s.Round(ctx, a, round)
	if err != nil {
		return err
	}
	if !r.CanManage(a) {
		return apperr.Forbidden("survey.forbidden")
	}
	if mode != AssignStreet && mode != AssignEven {
		return apperr.Invalid("survey.round.assign_invalid")
	}
	if len(interviewers) == 0 {
		return apperr.Invalid("survey.round.no_interviewers")
	}
	codes := make([]string, len(r.Communities))
	for i, c := range r.Communities {
		codes[i] = c.Code
	}
	dealt := deal(codes, interviewers, mode)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, uid := range interviewers {
			if err := checkRole(ctx, tx, uid, interviewerRoles(), "survey.round.not_an_interviewer"); err != nil {
				return err
			}
		}
		for c, uid := range dealt {
			if _, err := tx.Exec(ctx, "UPDATE survey_round_community SET interviewer_id = ? WHERE round_id = ? AND community_code = ?",
				uid, round, c); err != nil {
				return fmt.Errorf("assign: %w", err)
			}
		}
		return nil
	})
}

// AssignCommunity deals one community by hand (0: nobody).
func (s *Store) AssignCommunity(ctx context.Context, a access.Actor, round int64, community string, uid int64) error {
	r, err := s.Round(ctx, a, round)
	if err != nil {
		return err
	}
	if !r.CanManage(a) {
		return apperr.Forbidden("survey.forbidden")
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if uid != 0 {
			if err := checkRole(ctx, tx, uid, interviewerRoles(), "survey.round.not_an_interviewer"); err != nil {
				return err
			}
		}
		res, err := tx.Exec(ctx, "UPDATE survey_round_community SET interviewer_id = ? WHERE round_id = ? AND community_code = ?",
			db.NullID(uid), round, community)
		if err != nil {
			return fmt.Errorf("assign community: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Invalid("survey.round.community_not_in_round")
		}
		return nil
	})
}

// Close ends a round: no more visits or interviews; reviews go on.
func (s *Store) Close(ctx context.Context, a access.Actor, round int64) error {
	r, err := s.Round(ctx, a, round)
	if err != nil {
		return err
	}
	if !r.CanManage(a) {
		return apperr.Forbidden("survey.forbidden")
	}
	_, err = s.DB.Exec(ctx, "UPDATE survey_round SET closed_at = ? WHERE id = ? AND closed_at IS NULL", db.Millis(s.now()), round)
	return err
}

// Streets lists the streets of the round's communities.
func (r Round) Streets() []string {
	var out []string
	for _, c := range r.Communities {
		if st := streetOf(c.Code); !slices.Contains(out, st) {
			out = append(out, st)
		}
	}
	return out
}

// role of the actor in a round.
func (r Round) interviews(a access.Actor) bool {
	for _, c := range r.Communities {
		if c.InterviewerID == a.UserID && a.UserID != 0 {
			return true
		}
	}
	return false
}

func (r Round) supervises(a access.Actor, street string) bool {
	return a.UserID != 0 && r.Supervisors[street] == a.UserID
}

func (r Round) supervisesAny(a access.Actor) bool {
	for _, uid := range r.Supervisors {
		if uid == a.UserID && a.UserID != 0 {
			return true
		}
	}
	return false
}

// mayRead: the office and leaders of the area, the round's interviewers
// and supervisors, and the handlers of its communities and streets (who
// see figures, never answers).
func (r Round) mayRead(a access.Actor) bool {
	if mayOversee(a, r.RegionCode) || r.interviews(a) || r.supervisesAny(a) {
		return true
	}
	if a.Has(access.RoleHandler) && a.Region != "" {
		for _, c := range r.Communities {
			if access.InSubtree(c.Code, a.Region) {
				return true
			}
		}
	}
	return false
}

// Round returns a round the actor may read.
func (s *Store) Round(ctx context.Context, a access.Actor, id int64) (Round, error) {
	r, err := s.round(ctx, id)
	if err != nil {
		return r, err
	}
	if !r.mayRead(a) {
		return Round{}, apperr.NotFound("survey.round_not_found")
	}
	return r, nil
}

func (s *Store) round(ctx context.Context, id int64) (Round, error) {
	var r Round
	var sampling string
	var closed sql.NullInt64
	var created int64
	err := s.DB.QueryRow(ctx, `SELECT r.id, r.name, r.questionnaire_id, q.name, r.region_code, r.mode, r.starts_on, r.ends_on,
		r.sampling, r.max_absent, r.closed_at, r.created_at FROM survey_round r JOIN survey_questionnaire q ON q.id = r.questionnaire_id
		WHERE r.id = ?`, id).Scan(&r.ID, &r.Name, &r.QuestionnaireID, &r.QuestionnaireName, &r.RegionCode, &r.Mode, &r.StartsOn,
		&r.EndsOn, &sampling, &r.MaxAbsent, &closed, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFound("survey.round_not_found")
	}
	if err != nil {
		return r, fmt.Errorf("round: %w", err)
	}
	r.ClosedAt, r.CreatedAt = db.FromNullMillis(closed), db.FromMillis(created)
	json.Unmarshal([]byte(sampling), &r.Sampling) //nolint:errcheck // written by us
	rows, err := s.DB.Query(ctx, `SELECT community_code, COALESCE(interviewer_id, 0) FROM survey_round_community
		WHERE round_id = ? ORDER BY community_code`, id)
	r.Communities, err = db.Collect(rows, err, func(x *sql.Rows) (RoundCommunity, error) {
		var c RoundCommunity
		return c, x.Scan(&c.Code, &c.InterviewerID)
	})
	if err != nil {
		return r, fmt.Errorf("round communities: %w", err)
	}
	codes := []string{r.RegionCode}
	var users []int64
	for _, c := range r.Communities {
		codes = append(codes, c.Code)
		users = append(users, c.InterviewerID)
	}
	r.Supervisors = map[string]int64{}
	rows, err = s.DB.Query(ctx, "SELECT street_code, user_id FROM survey_round_supervisor WHERE round_id = ?", id)
	type sup struct {
		street string
		uid    int64
	}
	sups, err := db.Collect(rows, err, func(x *sql.Rows) (sup, error) {
		var v sup
		return v, x.Scan(&v.street, &v.uid)
	})
	if err != nil {
		return r, fmt.Errorf("supervisors: %w", err)
	}
	for _, v := range sups {
		r.Supervisors[v.street] = v.uid
	}
	names, err := region.Names(ctx, s.DB, codes)
	if err != nil {
		return r, err
	}
	people, err := org.DisplayNames(ctx, s.DB, users)
	if err != nil {
		return r, err
	}
	r.RegionName = names[r.RegionCode]
	for i := range r.Communities {
		r.Communities[i].Name = names[r.Communities[i].Code]
		r.Communities[i].Interviewer = people[r.Communities[i].InterviewerID]
	}
	err = s.DB.QueryRow(ctx, `SELECT COALESCE(SUM(sampled), 0), COALESCE(SUM(visited), 0), COALESCE(SUM(submitted), 0),
		COALESCE(SUM(approved), 0) FROM survey_round_community WHERE round_id = ?`, id).Scan(&r.Sampled, &r.Visited, &r.Submitted, &r.Approved)
	if err != nil {
		return r, fmt.Errorf("round progress: %w", err)
	}
	return r, nil
}

// Rounds lists the rounds the actor may read, newest first.
func (s *Store) Rounds(ctx context.Context, a access.Actor) ([]Round, error) {
	if !MayUse(a) {
		return nil, apperr.Forbidden("survey.forbidden")
	}
	ids, err := db.Int64s(ctx, s.DB, "SELECT id FROM survey_round ORDER BY id DESC")
	if err != nil {
		return nil, fmt.Errorf("rounds: %w", err)
	}
	var out []Round
	for _, id := range ids {
		r, err := s.round(ctx, id)
		if err != nil {
			return nil, err
		}
		if r.mayRead(a) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Person is a user one can deal work to.
type Person struct {
	ID   int64
	Name string
}

// People lists the users of the actor's area who may interview and who
// may supervise, for the round's forms.
func (s *Store) People(ctx context.Context, a access.Actor, o *org.Store) (interviewers, supervisors []Person, err error) {
	if !MayManage(a) {
		return nil, nil, nil
	}
	users, _, err := o.ListUsers(ctx, a, org.UserFilter{Limit: 500})
	if err != nil {
		return nil, nil, err
	}
	for _, u := range users {
		p := Person{ID: u.ID, Name: u.DisplayName}
		has := func(roles []string) bool {
			for _, r := range u.Roles {
				if slices.Contains(roles, string(r)) {
					return true
				}
			}
			return false
		}
		if has(interviewerRoles()) {
			interviewers = append(interviewers, p)
		}
		if has(supervisorRoles()) {
			supervisors = append(supervisors, p)
		}
	}
	return interviewers, supervisors, nil
}

// RegionNames names region codes, for pages that show a round's streets.
func (s *Store) RegionNames(ctx context.Context, codes []string) (map[string]string, error) {
	return region.Names(ctx, s.DB, codes)
}

// count changes a community's counts of a round by the deltas (column →
// change), in the caller's transaction.
func count(ctx context.Context, tx *db.Tx, round int64, community string, deltas map[string]int) error {
	var set []string
	var args []any
	for _, col := range []string{"sampled", "visited", "refused", "submitted", "approved"} {
		if d, ok := deltas[col]; ok && d != 0 {
			set = append(set, col+" = "+col+" + ?")
			args = append(args, d)
		}
	}
	if len(set) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, "UPDATE survey_round_community SET "+strings.Join(set, ", ")+" WHERE round_id = ? AND community_code = ?",
		append(args, round, community)...)
	if err != nil {
		return fmt.Errorf("round counts: %w", err)
	}
	return nil
}

// roundHead is a round's own row, without its communities: what the
// checks of a visit or an interview need.
func (s *Store) roundHead(ctx context.Context, c db.Conn, id int64) (Round, error) {
	var r Round
	var closed sql.NullInt64
	err := c.QueryRow(ctx, "SELECT id, questionnaire_id, region_code, max_absent, closed_at FROM survey_round WHERE id = ?", id).
		Scan(&r.ID, &r.QuestionnaireID, &r.RegionCode, &r.MaxAbsent, &closed)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFound("survey.round_not_found")
	}
	if err != nil {
		return r, fmt.Errorf("round: %w", err)
	}
	r.ClosedAt = db.FromNullMillis(closed)
	return r, nil
}
