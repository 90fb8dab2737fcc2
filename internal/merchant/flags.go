package merchant

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/site"
)

// The monthly rotating flag (流动红旗) is computed, not typed. For a month
// M and a group (a site — 商业大街, 集贸市场 — for the merchants that belong
// to one, else the street, 街道), each active merchant of the group scores
//
//	S = 100 − 5·C − 10·O − 10·R − 15·K − D        (never below 0)
//
// where, over the cases linked to its frontage and filed in M (rejected
// and merged ones left out):
//
//	C  the cases,
//	O  those overdue: rectified after their deadline, or still not
//	   rectified past it when the proposal is made,
//	R  their reworks (verifications failed, 返工),
//	K  the complaints among them: cases the public raised (the public
//	   form, the 12345 hotline, the household survey),
//
// and D = (100 − P) / 2 when the merchant's site was inspected in M with a
// mean published score P (0–100), else 0: a market that scores 80 costs
// each of its stalls 10 points.
//
// The proposal gives a red flag to the RedPerGroup best merchants whose S
// is at least RedMin, and a black flag to the BlackPerGroup worst whose S
// is under BlackBelow (a merchant gets one flag at most). Ties are broken,
// for red, by a signed commitment first, then by not having held the red
// flag last month (so the flag moves among equals), then by the smaller
// id; for black, by more cases, then the smaller id.
//
// Worked example (the test's): a street of four merchants in November —
// 甲 no cases, in a market inspected at 96: S = 100 − 2 = 98; 乙 no cases,
// no site: S = 100; 丙 three cases, one overdue, one reworked once, one
// from the hotline: S = 100 − 15 − 10 − 10 − 15 = 50; 丁 one case: S = 95.
// Red: 乙 (100); black: 丙 (50 < 70).

// The flag kinds.
const (
	Red   = "red"
	Black = "black"
)

// ValidKind reports whether k is a flag kind or "" (none).
func ValidKind(k string) bool { return k == Red || k == Black || k == "" }

// The group kinds.
const (
	GroupStreet = "street"
	GroupSite   = "site"
)

// GroupKey names a group: a street by its region code, a site by its id.
type GroupKey struct {
	Kind string
	Code string
}

// String is the key as a URL carries it: street:410411001, site:31.
func (g GroupKey) String() string { return g.Kind + ":" + g.Code }

// ParseGroup reads a GroupKey's String.
func ParseGroup(s string) (GroupKey, bool) {
	k, c, ok := strings.Cut(s, ":")
	if !ok || c == "" || k != GroupStreet && k != GroupSite {
		return GroupKey{}, false
	}
	return GroupKey{Kind: k, Code: c}, true
}

// Flag is a merchant's confirmed flag of a month (the selection helper
// reads these through FlagsIn).
type Flag struct {
	MerchantID   int64
	MerchantName string
	Street       string
	RegionCode   string // the merchant's community (or street)
	Kind         string // "red" | "black"
	Month        string
}

// Score is one merchant's figures of a month and its proposed flag.
type Score struct {
	MerchantID   int64
	MerchantName string
	Address      string
	Signed       bool
	Cases        int
	Overdue      int
	Reworks      int
	Complaints   int
	SiteScore    float64 // mean published inspection score 0–100; -1 when none
	Deficit      float64
	Score        float64
	Proposed     string // the formula's flag
	Kind         string // the flag as it stands (proposal with the office's changes)
	HadRed       bool   // held red last month
}

// Flagged reports whether the score carries a flag now.
func (s Score) Flagged() bool { return s.Kind != "" }

// Changed reports whether the office changed the proposal.
func (s Score) Changed() bool { return s.Kind != s.Proposed }

// Change is one change of a month's flags by the office.
type Change struct {
	MerchantID   int64
	MerchantName string
	From, To     string
	Reason       string
	By           string
	At           time.Time
}

// Round is one group's flags of a month: the live proposal until the
// office acts on it, then the kept proposal with its changes.
type Round struct {
	ID          int64 // 0 while only proposed (nothing kept yet)
	Month       string
	Group       GroupKey
	GroupName   string
	RegionCode  string // the street the group lies in
	State       string // proposed, confirmed
	ConfirmedAt time.Time
	ConfirmedBy string
	Scores      []Score
	Changes     []Change
}

// Confirmed reports whether the office confirmed the round.
func (r Round) Confirmed() bool { return r.State == stateConfirmed }

// The round states.
const (
	stateProposed  = "proposed"
	stateConfirmed = "confirmed"
)

// complaint tells whether a case came from the public.
func complaint(src problem.Source) bool {
	return src == problem.SourceCitizen || src == problem.SourceHotline || src == problem.SourceSurvey
}

// Figures are one merchant's inputs to the formula.
type Figures struct {
	Cases, Overdue, Reworks, Complaints int
	SiteScore                           float64 // -1 when the site was not inspected (or no site)
}

// ScoreOf is the formula: S = 100 − 5C − 10O − 10R − 15K − D, D = (100 − P)/2.
func ScoreOf(f Figures) (score, deficit float64) {
	if f.SiteScore >= 0 {
		deficit = math.Round((100-f.SiteScore)/2*10) / 10
	}
	s := 100 - 5*float64(f.Cases) - 10*float64(f.Overdue) - 10*float64(f.Reworks) - 15*float64(f.Complaints) - deficit
	return math.Max(0, math.Round(s*10)/10), deficit
}

// Propose sets Proposed (and Kind) on the scores of one group by the
// configuration's quotas and thresholds, and sorts them best first.
func Propose(scores []Score, cfg Config) {
	slices.SortFunc(scores, func(a, b Score) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), boolFirst(a.Signed, b.Signed), boolFirst(!a.HadRed, !b.HadRed),
			cmp.Compare(a.Cases, b.Cases), cmp.Compare(a.MerchantID, b.MerchantID))
	})
	for i := range scores {
		scores[i].Proposed = ""
	}
	red := 0
	for i := range scores {
		if red >= cfg.RedPerGroup || scores[i].Score < cfg.RedMin {
			break
		}
		scores[i].Proposed = Red
		red++
	}
	// The worst, from the bottom: lowest score, then more cases, then id.
	worst := make([]int, len(scores))
	for i := range worst {
		worst[i] = i
	}
	slices.SortFunc(worst, func(x, y int) int {
		a, b := scores[x], scores[y]
		return cmp.Or(cmp.Compare(a.Score, b.Score), cmp.Compare(b.Cases, a.Cases), cmp.Compare(a.MerchantID, b.MerchantID))
	})
	black := 0
	for _, i := range worst {
		if black >= cfg.BlackPerGroup || scores[i].Score >= cfg.BlackBelow {
			break
		}
		if scores[i].Proposed == "" {
			scores[i].Proposed = Black
			black++
		}
	}
	for i := range scores {
		scores[i].Kind = scores[i].Proposed
	}
}

func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// member is a merchant as the proposal needs it.
type member struct {
	id       int64
	name     string
	address  string
	street   string
	siteID   int64
	signed   bool
	group    GroupKey
	regionOf string
}

// members reads the active merchants of a region subtree (all when "").
func (s *Store) members(ctx context.Context, root string) ([]member, error) {
	cond, args := "1 = 1", []any(nil)
	if root != "" {
		cond, args = region.SubtreeSQL("region_code", root)
	}
	return s.membersWhere(ctx, cond, args)
}

// membersWhere reads the active merchants matching cond.
func (s *Store) membersWhere(ctx context.Context, cond string, args []any) ([]member, error) {
	rows, err := s.DB.Query(ctx, "SELECT id, name, address, street_code, COALESCE(site_id, 0), commitment_key FROM merchant WHERE active = TRUE AND "+
		cond+" ORDER BY id", args...)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (member, error) {
		var m member
		var key string
		err := r.Scan(&m.id, &m.name, &m.address, &m.street, &m.siteID, &key)
		m.signed = key != ""
		m.group = Merchant{SiteID: m.siteID, StreetCode: m.street}.Group()
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("merchants where %s: %w", cond, err)
	}
	return out, nil
}

// siteScores returns the mean published score (0–100) of each site
// inspected in the month.
func (s *Store) siteScores(ctx context.Context, from, to time.Time) (map[int64]float64, error) {
	get := s.SiteScores
	if get == nil {
		get = func(ctx context.Context, from, to time.Time) ([]inspect.PublishedScore, error) {
			return inspect.PublishedScores(ctx, s.DB, from, to)
		}
	}
	scores, err := get(ctx, from, to)
	if err != nil {
		return nil, err
	}
	sum, n := map[int64]float64{}, map[int64]int{}
	for _, x := range scores {
		sum[x.SiteID] += x.Rate * 100
		n[x.SiteID]++
	}
	out := make(map[int64]float64, len(sum))
	for id, v := range sum {
		out[id] = v / float64(n[id])
	}
	return out, nil
}

// compute scores the merchants of the groups for the month. It returns the
// scores by group, proposals made.
func (s *Store) compute(ctx context.Context, month string, ms []member, cfg Config) (map[GroupKey][]Score, error) {
	from, to, ok := monthBounds(month)
	if !ok {
		return nil, apperr.Invalid("merchant.month_invalid")
	}
	byID := make(map[int64]int, len(ms))
	for i, m := range ms {
		byID[m.id] = i
	}
	// The month's links of these merchants.
	rows, err := s.DB.Query(ctx, "SELECT merchant_id, problem_id FROM merchant_case WHERE month = ?", month)
	type link struct{ merchant, problem int64 }
	links, err := db.Collect(rows, err, func(r *sql.Rows) (link, error) {
		var l link
		return l, r.Scan(&l.merchant, &l.problem)
	})
	if err != nil {
		return nil, fmt.Errorf("month links: %w", err)
	}
	var ids []int64
	kept := links[:0]
	for _, l := range links {
		if _, ok := byID[l.merchant]; ok {
			kept = append(kept, l)
			ids = append(ids, l.problem)
		}
	}
	facts, err := s.Problems.Facts(ctx, ids)
	if err != nil {
		return nil, err
	}
	sites, err := s.siteScores(ctx, from, to)
	if err != nil {
		return nil, err
	}
	hadRed, err := s.redsOf(ctx, PrevMonth(month))
	if err != nil {
		return nil, err
	}
	asOf := s.now()
	figs := make([]Figures, len(ms))
	for i, m := range ms {
		figs[i].SiteScore = -1
		if p, ok := sites[m.siteID]; ok && m.siteID != 0 {
			figs[i].SiteScore = p
		}
	}
	for _, l := range kept {
		f, ok := facts[l.problem]
		if !ok || f.State == problem.Rejected || f.State == problem.Duplicate {
			continue
		}
		x := &figs[byID[l.merchant]]
		x.Cases++
		if f.Late(asOf) {
			x.Overdue++
		}
		x.Reworks += f.ReworkCount
		if complaint(f.Source) {
			x.Complaints++
		}
	}
	out := map[GroupKey][]Score{}
	for i, m := range ms {
		sc, d := ScoreOf(figs[i])
		out[m.group] = append(out[m.group], Score{MerchantID: m.id, MerchantName: m.name, Address: m.address, Signed: m.signed,
			Cases: figs[i].Cases, Overdue: figs[i].Overdue, Reworks: figs[i].Reworks, Complaints: figs[i].Complaints,
			SiteScore: figs[i].SiteScore, Deficit: d, Score: sc, HadRed: hadRed[m.id]})
	}
	for g := range out {
		Propose(out[g], cfg)
	}
	return out, nil
}

// redsOf is the set of merchants with a confirmed red flag in the month.
func (s *Store) redsOf(ctx context.Context, month string) (map[int64]bool, error) {
	ids, err := db.Int64s(ctx, s.DB, `SELECT f.merchant_id FROM merchant_flag f JOIN merchant_flag_round r ON r.id = f.round_id
		WHERE r.month = ? AND r.state = ? AND f.kind = ?`, month, stateConfirmed, Red)
	if err != nil {
		return nil, fmt.Errorf("last month's red flags: %w", err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// ProposeAll computes the month's proposal for every group of the region
// subtree ("" for the whole installation) without keeping anything: what
// the office would see opening each group. It returns the groups' scores.
func (s *Store) ProposeAll(ctx context.Context, root, month string) (map[GroupKey][]Score, error) {
	cfg, err := s.Config(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := s.members(ctx, root)
	if err != nil {
		return nil, err
	}
	return s.compute(ctx, month, ms, cfg)
}

// groupInfo is a group's name and the street it lies in.
func (s *Store) groupInfo(ctx context.Context, g GroupKey) (name, street string, err error) {
	switch g.Kind {
	case GroupStreet:
		if len(g.Code) != 9 {
			return "", "", ErrNotFound
		}
		names, err := region.Names(ctx, s.DB, []string{g.Code})
		if err != nil {
			return "", "", err
		}
		if names[g.Code] == "" {
			return "", "", ErrNotFound
		}
		return names[g.Code], g.Code, nil
	case GroupSite:
		var id int64
		if _, err := fmt.Sscan(g.Code, &id); err != nil {
			return "", "", ErrNotFound
		}
		b, err := site.Basics(ctx, s.DB, []int64{id})
		if err != nil {
			return "", "", err
		}
		x, ok := b[id]
		if !ok || len(x.RegionCode) < 9 {
			return "", "", ErrNotFound
		}
		return x.Name, x.RegionCode[:9], nil
	}
	return "", "", ErrNotFound
}

// Round returns a group's flags of a month for the actor: the kept round
// with its changes, or the live proposal when the office has not acted yet.
func (s *Store) Round(ctx context.Context, a access.Actor, month string, g GroupKey) (Round, error) {
	if !ValidMonth(month) {
		return Round{}, apperr.Invalid("merchant.month_invalid")
	}
	name, street, err := s.groupInfo(ctx, g)
	if err != nil {
		return Round{}, err
	}
	if !sees(a, street) {
		return Round{}, ErrNotFound
	}
	r := Round{Month: month, Group: g, GroupName: name, RegionCode: street, State: stateProposed}
	kept, err := s.keptRound(ctx, s.DB, month, g)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return Round{}, err
	}
	if err == nil {
		return s.withChanges(ctx, kept)
	}
	scores, err := s.groupScores(ctx, month, g, street)
	if err != nil {
		return Round{}, err
	}
	r.Scores = scores
	return r, nil
}

// groupScores computes the proposal of one group.
func (s *Store) groupScores(ctx context.Context, month string, g GroupKey, street string) ([]Score, error) {
	cfg, err := s.Config(ctx)
	if err != nil {
		return nil, err
	}
	var ms []member
	if g.Kind == GroupSite {
		// A site's merchants may lie in a neighbouring street.
		id, perr := strconv.ParseInt(g.Code, 10, 64)
		if perr != nil {
			return nil, ErrNotFound
		}
		ms, err = s.membersWhere(ctx, "site_id = ?", []any{id})
	} else {
		ms, err = s.membersWhere(ctx, "street_code = ? AND site_id IS NULL", []any{g.Code})
	}
	if err != nil {
		return nil, err
	}
	in := ms[:0]
	for _, m := range ms {
		if m.group == g {
			in = append(in, m)
		}
	}
	byGroup, err := s.compute(ctx, month, in, cfg)
	if err != nil {
		return nil, err
	}
	return byGroup[g], nil
}

// keptRound reads a kept round and its flags.
func (s *Store) keptRound(ctx context.Context, c db.Conn, month string, g GroupKey) (Round, error) {
	var r Round
	var confirmedAt sql.NullInt64
	var by sql.NullInt64
	err := c.QueryRow(ctx, `SELECT id, month, group_kind, group_code, group_name, region_code, state, confirmed_at, confirmed_by
		FROM merchant_flag_round WHERE month = ? AND group_kind = ? AND group_code = ?`, month, g.Kind, g.Code).
		Scan(&r.ID, &r.Month, &r.Group.Kind, &r.Group.Code, &r.GroupName, &r.RegionCode, &r.State, &confirmedAt, &by)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("flag round: %w", err)
	}
	r.ConfirmedAt = db.FromNullMillis(confirmedAt)
	rows, err := c.Query(ctx, `SELECT f.merchant_id, m.name, m.address, m.commitment_key, f.kind, f.proposed_kind, f.score
		FROM merchant_flag f JOIN merchant m ON m.id = f.merchant_id WHERE f.round_id = ?
		ORDER BY CASE f.kind WHEN 'red' THEN 0 WHEN 'black' THEN 2 ELSE 1 END, f.score DESC, f.merchant_id`, r.ID)
	r.Scores, err = db.Collect(rows, err, func(rs *sql.Rows) (Score, error) {
		var x Score
		var key string
		err := rs.Scan(&x.MerchantID, &x.MerchantName, &x.Address, &key, &x.Kind, &x.Proposed, &x.Score)
		x.Signed = key != ""
		x.SiteScore = -1
		return x, err
	})
	if err != nil {
		return r, fmt.Errorf("flags: %w", err)
	}
	return r, nil
}

// withChanges adds the round's figures (computed again for display: the
// kept score is what the flags were decided on) and its changes.
func (s *Store) withChanges(ctx context.Context, r Round) (Round, error) {
	rows, err := s.DB.Query(ctx, `SELECT c.merchant_id, m.name, c.from_kind, c.to_kind, c.reason, COALESCE(c.changed_by, 0), c.changed_at
		FROM merchant_flag_change c JOIN merchant m ON m.id = c.merchant_id WHERE c.round_id = ? ORDER BY c.id`, r.ID)
	type raw struct {
		Change
		by int64
	}
	list, err := db.Collect(rows, err, func(rs *sql.Rows) (raw, error) {
		var x raw
		var at int64
		err := rs.Scan(&x.MerchantID, &x.MerchantName, &x.From, &x.To, &x.Reason, &x.by, &at)
		x.At = db.FromMillis(at)
		return x, err
	})
	if err != nil {
		return r, fmt.Errorf("flag changes: %w", err)
	}
	var ids []int64
	for _, x := range list {
		ids = append(ids, x.by)
	}
	names, err := org.DisplayNames(ctx, s.DB, ids)
	if err != nil {
		return r, err
	}
	for i := range list {
		list[i].By = names[list[i].by]
	}
	for _, x := range list {
		r.Changes = append(r.Changes, x.Change)
	}
	// The figures behind the kept scores, for the table.
	live, err := s.groupScores(ctx, r.Month, r.Group, r.RegionCode)
	if err != nil {
		return r, err
	}
	figs := map[int64]Score{}
	for _, x := range live {
		figs[x.MerchantID] = x
	}
	for i := range r.Scores {
		if f, ok := figs[r.Scores[i].MerchantID]; ok {
			k, p, sc := r.Scores[i].Kind, r.Scores[i].Proposed, r.Scores[i].Score
			r.Scores[i] = f
			r.Scores[i].Kind, r.Scores[i].Proposed, r.Scores[i].Score = k, p, sc
		}
	}
	return r, nil
}

// keep stores the live proposal of a group as its round, if not kept yet,
// in the transaction; it returns the round's id and state.
func (s *Store) keep(ctx context.Context, tx *db.Tx, month string, g GroupKey, name, street string) (int64, string, error) {
	var id int64
	var state string
	err := tx.QueryRow(ctx, "SELECT id, state FROM merchant_flag_round WHERE month = ? AND group_kind = ? AND group_code = ?",
		month, g.Kind, g.Code).Scan(&id, &state)
	if err == nil {
		return id, state, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("flag round: %w", err)
	}
	scores, err := s.groupScores(ctx, month, g, street)
	if err != nil {
		return 0, "", err
	}
	err = tx.QueryRow(ctx, `INSERT INTO merchant_flag_round (month, group_kind, group_code, group_name, region_code, state, proposed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, month, g.Kind, g.Code, name, street, stateProposed, db.Millis(s.now())).Scan(&id)
	if err != nil {
		return 0, "", fmt.Errorf("keep flag round: %w", err)
	}
	var args []any
	for _, x := range scores {
		args = append(args, id, x.MerchantID, x.Kind, x.Proposed, x.Score)
	}
	if len(args) > 0 {
		if err := db.NewBatch("merchant_flag", "", "round_id", "merchant_id", "kind", "proposed_kind", "score").Insert(ctx, tx, args); err != nil {
			return 0, "", fmt.Errorf("keep flags: %w", err)
		}
	}
	return id, stateProposed, nil
}

// ChangeInput is the office's change of one merchant's flag.
type ChangeInput struct {
	MerchantID int64
	Kind       string // red, black, "" (none)
	Reason     string
}

// ChangeFlag changes one merchant's flag of a group's month, with the
// reason; it keeps the proposal first when the office has not acted yet.
// A confirmed round may still be changed (each change with its reason).
func (s *Store) ChangeFlag(ctx context.Context, a access.Actor, month string, g GroupKey, in ChangeInput) error {
	in.Reason = strings.TrimSpace(in.Reason)
	if !ValidMonth(month) {
		return apperr.Invalid("merchant.month_invalid")
	}
	name, street, err := s.groupInfo(ctx, g)
	if err != nil {
		return err
	}
	switch {
	case !manages(a, street):
		if sees(a, street) {
			return apperr.Forbidden("merchant.forbidden")
		}
		return ErrNotFound
	case !ValidKind(in.Kind):
		return apperr.Invalid("merchant.flag_kind_invalid")
	case in.Reason == "":
		return apperr.Invalid("merchant.reason_required")
	case utf8.RuneCountInString(in.Reason) > MaxReasonLen:
		return apperr.Invalid("merchant.reason_too_long", MaxReasonLen)
	}
	m, err := s.read(ctx, s.DB, in.MerchantID)
	if err != nil {
		return err
	}
	if m.Group() != g {
		return apperr.Invalid("merchant.not_in_group")
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, _, err := s.keep(ctx, tx, month, g, name, street)
		if err != nil {
			return err
		}
		var cur string
		var score float64
		err = tx.QueryRow(ctx, "SELECT kind, score FROM merchant_flag WHERE round_id = ? AND merchant_id = ?", id, in.MerchantID).Scan(&cur, &score)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.Exec(ctx, "INSERT INTO merchant_flag (round_id, merchant_id, kind, proposed_kind, score) VALUES (?, ?, ?, '', 100)",
				id, in.MerchantID, in.Kind); err != nil {
				return fmt.Errorf("change flag: %w", err)
			}
		case err != nil:
			return fmt.Errorf("change flag: %w", err)
		case cur == in.Kind:
			return apperr.Invalid("merchant.flag_unchanged")
		default:
			if _, err := tx.Exec(ctx, "UPDATE merchant_flag SET kind = ? WHERE round_id = ? AND merchant_id = ?", in.Kind, id, in.MerchantID); err != nil {
				return fmt.Errorf("change flag: %w", err)
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO merchant_flag_change (round_id, merchant_id, from_kind, to_kind, reason, changed_by, changed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, in.MerchantID, cur, in.Kind, in.Reason, db.NullID(a.UserID), db.Millis(s.now()))
		if err != nil {
			return fmt.Errorf("record flag change: %w", err)
		}
		return nil
	})
}

// Confirm confirms a group's flags of a month: the proposal with the
// office's changes become the month's flags.
func (s *Store) Confirm(ctx context.Context, a access.Actor, month string, g GroupKey) error {
	if !ValidMonth(month) {
		return apperr.Invalid("merchant.month_invalid")
	}
	name, street, err := s.groupInfo(ctx, g)
	if err != nil {
		return err
	}
	if !manages(a, street) {
		if sees(a, street) {
			return apperr.Forbidden("merchant.forbidden")
		}
		return ErrNotFound
	}
	if month > Month(s.now()) {
		return apperr.Invalid("merchant.month_future")
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, state, err := s.keep(ctx, tx, month, g, name, street)
		if err != nil {
			return err
		}
		if state == stateConfirmed {
			return apperr.Conflict("merchant.round_confirmed")
		}
		_, err = tx.Exec(ctx, "UPDATE merchant_flag_round SET state = ?, confirmed_by = ?, confirmed_at = ? WHERE id = ?",
			stateConfirmed, db.NullID(a.UserID), db.Millis(s.now()), id)
		if err != nil {
			return fmt.Errorf("confirm flags: %w", err)
		}
		return nil
	})
}

// GroupSummary is one group of a month on the flags overview.
type GroupSummary struct {
	Group     GroupKey
	Name      string
	Merchants int
	Red       []string // merchant names
	Black     []string
	Confirmed bool
}

// Groups lists the month's groups the actor sees, with their flags as
// they stand (kept or proposed).
func (s *Store) Groups(ctx context.Context, a access.Actor, month string) ([]GroupSummary, error) {
	if !ValidMonth(month) {
		return nil, apperr.Invalid("merchant.month_invalid")
	}
	if !MayOpen(a) || !a.IsAdmin() && a.Region == "" {
		return nil, apperr.Forbidden("merchant.forbidden")
	}
	root := a.Region
	if a.IsAdmin() {
		root = ""
	}
	live, err := s.ProposeAll(ctx, root, month)
	if err != nil {
		return nil, err
	}
	cond, args := "1 = 1", []any(nil)
	if root != "" {
		cond, args = region.SubtreeSQL("r.region_code", root)
	}
	rows, err := s.DB.Query(ctx, `SELECT r.group_kind, r.group_code, r.state, f.merchant_id, f.kind FROM merchant_flag_round r
		LEFT JOIN merchant_flag f ON f.round_id = r.id WHERE r.month = ? AND `+cond, append([]any{month}, args...)...)
	type kept struct {
		g     GroupKey
		state string
		id    sql.NullInt64
		kind  sql.NullString
	}
	ks, err := db.Collect(rows, err, func(r *sql.Rows) (kept, error) {
		var k kept
		return k, r.Scan(&k.g.Kind, &k.g.Code, &k.state, &k.id, &k.kind)
	})
	if err != nil {
		return nil, fmt.Errorf("kept rounds: %w", err)
	}
	keptKinds := map[GroupKey]map[int64]string{}
	keptState := map[GroupKey]string{}
	for _, k := range ks {
		if keptKinds[k.g] == nil {
			keptKinds[k.g] = map[int64]string{}
		}
		keptState[k.g] = k.state
		if k.id.Valid {
			keptKinds[k.g][k.id.Int64] = k.kind.String
		}
	}
	var sites []int64
	var streets []string
	for g := range live {
		if g.Kind == GroupSite {
			var id int64
			fmt.Sscan(g.Code, &id)
			sites = append(sites, id)
		} else {
			streets = append(streets, g.Code)
		}
	}
	snames, err := site.Basics(ctx, s.DB, sites)
	if err != nil {
		return nil, err
	}
	rnames, err := region.Names(ctx, s.DB, streets)
	if err != nil {
		return nil, err
	}
	var out []GroupSummary
	for g, scores := range live {
		gs := GroupSummary{Group: g, Merchants: len(scores), Confirmed: keptState[g] == stateConfirmed}
		if g.Kind == GroupSite {
			var id int64
			fmt.Sscan(g.Code, &id)
			gs.Name = snames[id].Name
		} else {
			gs.Name = rnames[g.Code]
		}
		kinds := keptKinds[g]
		for _, x := range scores {
			k := x.Kind
			if kinds != nil {
				k = kinds[x.MerchantID]
			}
			switch k {
			case Red:
				gs.Red = append(gs.Red, x.MerchantName)
			case Black:
				gs.Black = append(gs.Black, x.MerchantName)
			}
		}
		out = append(out, gs)
	}
	slices.SortFunc(out, func(a, b GroupSummary) int {
		return cmp.Or(cmp.Compare(a.Group.Kind, b.Group.Kind), cmp.Compare(a.Group.Code, b.Group.Code))
	})
	return out, nil
}

// FlagsIn returns the confirmed flags of the month in the region subtree,
// by street and merchant: what the selections read (流动红旗 evidence).
// Street is the merchant's street (街道) name.
func (s *Store) FlagsIn(ctx context.Context, regionCode string, month string) ([]Flag, error) {
	cond, args := region.SubtreeSQL("m.region_code", regionCode)
	rows, err := s.DB.Query(ctx, `SELECT f.merchant_id, m.name, m.street_code, m.region_code, f.kind, r.month FROM merchant_flag f
		JOIN merchant_flag_round r ON r.id = f.round_id JOIN merchant m ON m.id = f.merchant_id
		WHERE r.month = ? AND r.state = ? AND f.kind <> '' AND `+cond+" ORDER BY m.street_code, f.kind DESC, m.name, f.merchant_id",
		append([]any{month, stateConfirmed}, args...)...)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (Flag, error) {
		var f Flag
		return f, r.Scan(&f.MerchantID, &f.MerchantName, &f.Street, &f.RegionCode, &f.Kind, &f.Month)
	})
	if err != nil {
		return nil, fmt.Errorf("flags in %s: %w", regionCode, err)
	}
	var codes []string
	for _, f := range out {
		codes = append(codes, f.Street)
	}
	names, err := region.Names(ctx, s.DB, codes)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Street = names[out[i].Street]
	}
	return out, nil
}

// HistoryEntry is one month's flag of a merchant.
type HistoryEntry struct {
	Month     string
	Kind      string
	Proposed  string
	Score     float64
	GroupName string
	Confirmed bool
}

// History lists a merchant's flags, newest month first (rounds the office
// acted on; a kept round without a flag for it is left out).
func (s *Store) History(ctx context.Context, m Merchant) ([]HistoryEntry, error) {
	rows, err := s.DB.Query(ctx, `SELECT r.month, f.kind, f.proposed_kind, f.score, r.group_name, r.state FROM merchant_flag f
		JOIN merchant_flag_round r ON r.id = f.round_id WHERE f.merchant_id = ? AND (f.kind <> '' OR f.proposed_kind <> '')
		ORDER BY r.month DESC`, m.ID)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (HistoryEntry, error) {
		var h HistoryEntry
		var state string
		err := r.Scan(&h.Month, &h.Kind, &h.Proposed, &h.Score, &h.GroupName, &state)
		h.Confirmed = state == stateConfirmed
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("flag history: %w", err)
	}
	return out, nil
}

// Current is a merchant's flag now: its flag in the latest confirmed
// round of its group, if that round is of this month or the last (a flag
// moves monthly; an older one has lapsed).
func (s *Store) Current(ctx context.Context, m Merchant) (kind, month string, err error) {
	g := m.Group()
	var id int64
	err = s.DB.QueryRow(ctx, `SELECT id, month FROM merchant_flag_round WHERE group_kind = ? AND group_code = ? AND state = ?
		ORDER BY month DESC LIMIT 1`, g.Kind, g.Code, stateConfirmed).Scan(&id, &month)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("current flag: %w", err)
	}
	now := Month(s.now())
	if month != now && month != PrevMonth(now) {
		return "", "", nil
	}
	err = s.DB.QueryRow(ctx, "SELECT kind FROM merchant_flag WHERE round_id = ? AND merchant_id = ?", id, m.ID).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", month, nil
	}
	if err != nil {
		return "", "", fmt.Errorf("current flag: %w", err)
	}
	return kind, month, nil
}
