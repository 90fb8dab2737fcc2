package selection

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
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/region"
)

// Round is one selection of a kind in an area and period.
type Round struct {
	ID              int64
	KindID          int64
	KindName        string
	CandidateType   string
	Title           string
	RegionCode      string
	PeriodLabel     string
	OpensOn         string
	ClosesOn        string
	Quota           int
	State           string
	PublicityAt     time.Time
	ObjectionsUntil time.Time
	AwardedAt       time.Time
	CreatedAt       time.Time
	Nominations     int
	Approved        int
}

// ObjectionsOpen reports whether objections are taken at now.
func (r Round) ObjectionsOpen(now time.Time) bool {
	return r.State == RoundPublicity && now.Before(r.ObjectionsUntil)
}

// RoundInput is a new round.
type RoundInput struct {
	KindID      int64
	Title       string
	RegionCode  string // "" : the actor's area
	PeriodLabel string
	OpensOn     string
	ClosesOn    string
	Quota       int // 0: the kind's
}

func validDay(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// CreateRound opens a round for nominations (the office of the area).
func (s *Store) CreateRound(ctx context.Context, a access.Actor, in RoundInput) (int64, error) {
	if in.RegionCode == "" {
		in.RegionCode = a.Region
	}
	if LevelOf(a) != LevelOffice || !a.Manages(in.RegionCode) {
		return 0, apperr.Forbidden("selection.forbidden")
	}
	k, err := s.Kind(ctx, in.KindID)
	if err != nil {
		return 0, err
	}
	in.Title, in.PeriodLabel = strings.TrimSpace(in.Title), strings.TrimSpace(in.PeriodLabel)
	if in.Title == "" {
		in.Title = in.PeriodLabel + k.Name + "评选"
	}
	switch {
	case in.PeriodLabel == "" || len([]rune(in.PeriodLabel)) > 40 || len([]rune(in.Title)) > 80:
		return 0, apperr.Invalid("selection.round_title_invalid")
	case !validDay(in.OpensOn) || !validDay(in.ClosesOn) || in.ClosesOn < in.OpensOn:
		return 0, apperr.Invalid("selection.round_dates_invalid")
	case in.Quota < 0 || in.Quota > 10000:
		return 0, apperr.Invalid("selection.quota_invalid")
	}
	if in.Quota == 0 {
		in.Quota = k.Quota
	}
	var id int64
	err = s.DB.ExecReturning(ctx, `INSERT INTO selection_round (kind_id, title, region_code, period_label, opens_on, closes_on, quota, state,
		created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, k.ID, in.Title, in.RegionCode, in.PeriodLabel,
		in.OpensOn, in.ClosesOn, in.Quota, RoundNominating, creator(a), db.Millis(s.Clock())).Scan(&id)
	if db.IsForeignKeyViolation(err) {
		return 0, apperr.Invalid("selection.region_unknown")
	}
	if err != nil {
		return 0, fmt.Errorf("create round: %w", err)
	}
	return id, nil
}

const roundCols = `r.id, r.kind_id, k.name, k.candidate_type, r.title, r.region_code, r.period_label, r.opens_on, r.closes_on, r.quota, r.state,
	COALESCE(r.publicity_at, 0), COALESCE(r.objections_until, 0), COALESCE(r.awarded_at, 0), r.created_at,
	(SELECT COUNT(*) FROM selection_nomination n WHERE n.round_id = r.id),
	(SELECT COUNT(*) FROM selection_nomination n WHERE n.round_id = r.id AND n.state IN ('approved', 'awarded', 'revoked'))
	FROM selection_round r JOIN selection_kind k ON k.id = r.kind_id`

func scanRound(sc interface{ Scan(...any) error }) (Round, error) {
	var r Round
	var pub, until, awarded, created int64
	err := sc.Scan(&r.ID, &r.KindID, &r.KindName, &r.CandidateType, &r.Title, &r.RegionCode, &r.PeriodLabel, &r.OpensOn, &r.ClosesOn,
		&r.Quota, &r.State, &pub, &until, &awarded, &created, &r.Nominations, &r.Approved)
	if pub > 0 {
		r.PublicityAt = db.FromMillis(pub)
	}
	if until > 0 {
		r.ObjectionsUntil = db.FromMillis(until)
	}
	if awarded > 0 {
		r.AwardedAt = db.FromMillis(awarded)
	}
	r.CreatedAt = db.FromMillis(created)
	return r, err
}

func (s *Store) round(ctx context.Context, c db.Conn, id int64) (Round, error) {
	r, err := scanRound(c.QueryRow(ctx, "SELECT "+roundCols+" WHERE r.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFound("selection.round_not_found")
	}
	if err != nil {
		return r, fmt.Errorf("round: %w", err)
	}
	return r, nil
}

// seesRound: the office and leaders of an area holding the round's, and
// the streets and communities inside the round's area.
func seesRound(a access.Actor, r Round) bool {
	if a.Oversees(r.RegionCode) {
		return true
	}
	return a.Region != "" && a.HasAny(access.RoleHandler, access.RoleOffice, access.RoleLeader) &&
		(access.InSubtree(a.Region, r.RegionCode) || access.InSubtree(r.RegionCode, a.Region))
}

// Round returns a round the actor may see.
func (s *Store) Round(ctx context.Context, a access.Actor, id int64) (Round, error) {
	r, err := s.round(ctx, s.DB, id)
	if err != nil {
		return r, err
	}
	if !seesRound(a, r) {
		return Round{}, apperr.NotFound("selection.round_not_found")
	}
	return r, nil
}

// Rounds lists the rounds the actor may see, newest first.
func (s *Store) Rounds(ctx context.Context, a access.Actor) ([]Round, error) {
	if !MayOpen(a) || a.Region == "" && !a.IsAdmin() {
		return nil, apperr.Forbidden("selection.forbidden")
	}
	where, args := "1 = 1", []any{}
	if !a.IsAdmin() {
		// Rounds whose area holds the actor's, or lies inside it.
		sub, sargs := region.SubtreeSQL("r.region_code", a.Region)
		where = "(" + sub + " OR substr(?, 1, length(r.region_code)) = r.region_code)"
		args = append(sargs, a.Region)
	}
	rows, err := s.DB.Query(ctx, "SELECT "+roundCols+" WHERE "+where+" ORDER BY r.created_at DESC, r.id DESC LIMIT 200", args...)
	return db.Collect(rows, err, func(r *sql.Rows) (Round, error) { return scanRound(r) })
}

// PublicRound is a round in 公示 or awarded, for anyone.
func (s *Store) PublicRound(ctx context.Context, id int64) (Round, error) {
	r, err := s.round(ctx, s.DB, id)
	if err != nil {
		return r, err
	}
	if r.State == RoundNominating {
		return Round{}, apperr.NotFound("selection.round_not_found")
	}
	return r, nil
}

// OpenRounds lists the rounds taking nominations today (the public
// self-declaration page).
func (s *Store) OpenRounds(ctx context.Context) ([]Round, error) {
	today := s.today()
	rows, err := s.DB.Query(ctx, "SELECT "+roundCols+" WHERE r.state = ? AND r.opens_on <= ? AND r.closes_on >= ? ORDER BY r.closes_on, r.id LIMIT 100",
		RoundNominating, today, today)
	return db.Collect(rows, err, func(r *sql.Rows) (Round, error) { return scanRound(r) })
}

// ShownRounds lists the rounds in 公示 and the latest awarded ones (the
// public list).
func (s *Store) ShownRounds(ctx context.Context) ([]Round, error) {
	rows, err := s.DB.Query(ctx, "SELECT "+roundCols+" WHERE r.state IN (?, ?) ORDER BY r.state DESC, COALESCE(r.awarded_at, r.publicity_at) DESC, r.id DESC LIMIT 50",
		RoundPublicity, RoundAwarded)
	return db.Collect(rows, err, func(r *sql.Rows) (Round, error) { return scanRound(r) })
}

// Nomination is one candidate of a round.
type Nomination struct {
	ID            int64
	RoundID       int64
	CandidateType string
	RefID         int64
	Name          string
	CreditCode    string
	RegionCode    string
	Address       string
	ContactMasked string
	Deeds         string
	Source        string
	NominatedBy   int64
	State         string
	Passed        int
	Score         int
	Number        string
	AwardedAt     time.Time
	RevokedAt     time.Time
	RevokeReason  string
	CreatedAt     time.Time
	Scores        map[int64]int
	Reviews       []Review
}

// PublicName is the name as public pages show it: households and persons
// masked, merchants and units in full.
func (n Nomination) PublicName() string {
	if n.CandidateType == Household || n.CandidateType == Person {
		return pii.MaskName(n.Name)
	}
	return n.Name
}

// Review is one level's decision on a nomination.
type Review struct {
	Level     string
	Decision  string
	Comment   string
	Reviewer  string
	CreatedAt time.Time
}

// NominationInput is a new nomination. Scores maps criterion ids to the
// points given (for stars, 1 = awarded).
type NominationInput struct {
	RoundID    int64
	MerchantID int64
	Name       string
	CreditCode string
	RegionCode string
	Address    string
	Contact    string
	Deeds      string
	Scores     map[int64]int
}

// sourceOf is who nominates: the public (self-declaration), a community, a
// street, the office, or another unit.
func (s *Store) sourceOf(ctx context.Context, a access.Actor) (string, error) {
	if !a.SignedIn() {
		return "self", nil
	}
	if l := LevelOf(a); l != "" {
		return l, nil
	}
	if a.UnitID != 0 && a.HasAny(access.RoleHandler, access.RoleLeader) {
		kind, _, ok, err := org.UnitKindRegion(ctx, s.DB, a.UnitID)
		if err != nil {
			return "", err
		}
		if ok && kind != org.KindTerritorial {
			return "unit", nil
		}
	}
	return "", apperr.Forbidden("selection.forbidden")
}

// Nominate records a candidate: a self-declaration (no actor) or a
// recommendation. A recommendation by a community or a street counts as
// that level's approval (and the levels before it), never the office's.
func (s *Store) Nominate(ctx context.Context, a access.Actor, in NominationInput) (int64, error) {
	source, err := s.sourceOf(ctx, a)
	if err != nil {
		return 0, err
	}
	r, err := s.round(ctx, s.DB, in.RoundID)
	if err != nil {
		return 0, err
	}
	k, err := s.Kind(ctx, r.KindID)
	if err != nil {
		return 0, err
	}
	today := s.today()
	if r.State != RoundNominating || today < r.OpensOn || today > r.ClosesOn {
		return 0, apperr.Conflict("selection.outside_period", r.OpensOn, r.ClosesOn)
	}
	in.Name, in.CreditCode = strings.TrimSpace(in.Name), strings.ToUpper(strings.TrimSpace(in.CreditCode))
	in.RegionCode, in.Address, in.Deeds = strings.TrimSpace(in.RegionCode), strings.TrimSpace(in.Address), strings.TrimSpace(in.Deeds)
	var key string
	var ref int64
	switch {
	case k.CandidateType == Merchant && in.MerchantID > 0:
		if s.Merchants == nil {
			return 0, apperr.Invalid("selection.merchant_directory_off")
		}
		m, err := s.Merchants.Merchant(ctx, in.MerchantID)
		if errors.Is(err, apperr.ErrNotFound) {
			return 0, apperr.Invalid("selection.merchant_unknown")
		}
		if err != nil {
			return 0, err
		}
		ref, in.Name, in.CreditCode, in.RegionCode = m.ID, m.Name, m.CreditCode, m.RegionCode
		key = "merchant:" + strconv.FormatInt(m.ID, 10)
	case k.CandidateType == Merchant && in.CreditCode != "":
		key = "merchant-code:" + in.CreditCode
	default:
		key = k.CandidateType + ":" + in.RegionCode + ":" + in.Name
	}
	switch {
	case in.Name == "" || len([]rune(in.Name)) > 60:
		return 0, apperr.Invalid("selection.name_invalid")
	case len(in.CreditCode) > 18 || len([]rune(in.Address)) > 120 || len([]rune(in.Deeds)) > 2000 || len([]rune(in.Contact)) > 40:
		return 0, apperr.Invalid("selection.text_too_long")
	case source == "self" && strings.TrimSpace(in.Contact) == "":
		return 0, apperr.Invalid("selection.contact_required")
	case in.RegionCode == "":
		return 0, apperr.Invalid("selection.region_required")
	}
	// The candidate must be of the round's area, and of the recommender's.
	if !access.InSubtree(in.RegionCode, r.RegionCode) {
		return 0, apperr.Invalid("selection.outside_area")
	}
	if (source == LevelCommunity || source == LevelStreet) && !access.InSubtree(in.RegionCode, a.Region) {
		return 0, apperr.Invalid("selection.outside_area")
	}
	if source == LevelOffice && !a.Manages(in.RegionCode) {
		return 0, apperr.Invalid("selection.outside_area")
	}
	if _, err := regionExists(ctx, s.DB, in.RegionCode); err != nil {
		return 0, err
	}
	scores, total, err := sheetScores(k, in.Scores)
	if err != nil {
		return 0, err
	}
	masked, sealed, err := s.seal(in.Contact)
	if err != nil {
		return 0, err
	}
	// Levels a territorial recommender stands for.
	passed := 0
	for i, l := range k.Levels {
		if l == LevelOffice {
			break
		}
		if source == l || source == LevelStreet && l == LevelCommunity || source == LevelOffice {
			passed = i + 1
		}
	}
	now := s.Clock()
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var unit any
		if a.UnitID > 0 {
			unit = a.UnitID
		}
		err := tx.QueryRow(ctx, `INSERT INTO selection_nomination (round_id, candidate_type, candidate_key, ref_id, name, credit_code, region_code,
			address, contact_masked, contact_sealed, deeds, source, nominated_by, nominator_unit, state, passed, score, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.ID, k.CandidateType, key, ref, in.Name, in.CreditCode,
			in.RegionCode, in.Address, masked, sealed, in.Deeds, source, creator(a), unit, NomPending, passed, total, db.Millis(now)).Scan(&id)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("selection.duplicate_candidate")
		}
		if err != nil {
			return fmt.Errorf("nominate: %w", err)
		}
		for cid, p := range scores {
			if _, err := tx.Exec(ctx, "INSERT INTO selection_score (nomination_id, criterion_id, points) VALUES (?, ?, ?)", id, cid, p); err != nil {
				return fmt.Errorf("nomination score: %w", err)
			}
		}
		for i := 0; i < passed; i++ {
			if _, err := tx.Exec(ctx, `INSERT INTO selection_review (nomination_id, level, decision, comment, reviewer_id, unit_id, created_at)
				VALUES (?, ?, 'approve', ?, ?, ?, ?)`, id, k.Levels[i], "recommended", creator(a), unit, db.Millis(now)); err != nil {
				return fmt.Errorf("recommendation: %w", err)
			}
		}
		return nil
	})
	return id, err
}

func regionExists(ctx context.Context, c db.Conn, code string) (bool, error) {
	ok, err := region.Exists(ctx, c, code)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, apperr.Invalid("selection.region_unknown")
	}
	return true, nil
}

// sheetScores checks the points against the kind's sheet and sums them.
func sheetScores(k Kind, in map[int64]int) (map[int64]int, int, error) {
	out := map[int64]int{}
	total := 0
	byID := map[int64]Criterion{}
	for _, c := range k.Criteria {
		byID[c.ID] = c
	}
	for id, p := range in {
		c, ok := byID[id]
		if !ok || p < 0 || p > c.Points {
			return nil, 0, apperr.Invalid("selection.score_invalid")
		}
		if p > 0 {
			out[id] = p
			total += p
		}
	}
	return out, total, nil
}

// nomCols are a nomination's columns with their table; nomSelect the
// columns alone, for queries that join more.
const nomCols = nomSelect + " FROM selection_nomination n"

const nomSelect = `n.id, n.round_id, n.candidate_type, n.ref_id, n.name, n.credit_code, n.region_code, n.address, n.contact_masked, n.deeds,
	n.source, COALESCE(n.nominated_by, 0), n.state, n.passed, n.score, COALESCE(n.number, ''), COALESCE(n.awarded_at, 0), COALESCE(n.revoked_at, 0), n.revoke_reason, n.created_at`

func scanNom(sc interface{ Scan(...any) error }) (Nomination, error) {
	var n Nomination
	var awarded, revoked, created int64
	err := sc.Scan(&n.ID, &n.RoundID, &n.CandidateType, &n.RefID, &n.Name, &n.CreditCode, &n.RegionCode, &n.Address, &n.ContactMasked,
		&n.Deeds, &n.Source, &n.NominatedBy, &n.State, &n.Passed, &n.Score, &n.Number, &awarded, &revoked, &n.RevokeReason, &created)
	if awarded > 0 {
		n.AwardedAt = db.FromMillis(awarded)
	}
	if revoked > 0 {
		n.RevokedAt = db.FromMillis(revoked)
	}
	n.CreatedAt = db.FromMillis(created)
	return n, err
}

func (s *Store) nominations(ctx context.Context, c db.Conn, where string, args ...any) ([]Nomination, error) {
	rows, err := c.Query(ctx, "SELECT "+nomCols+" WHERE "+where, args...)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (Nomination, error) { return scanNom(r) })
	if err != nil {
		return nil, fmt.Errorf("nominations: %w", err)
	}
	return out, nil
}

func (s *Store) nomination(ctx context.Context, c db.Conn, id int64) (Nomination, error) {
	ns, err := s.nominations(ctx, c, "n.id = ?", id)
	if err != nil {
		return Nomination{}, err
	}
	if len(ns) == 0 {
		return Nomination{}, apperr.NotFound("selection.nomination_not_found")
	}
	return ns[0], nil
}

// seesNomination: whoever sees the round's whole area, or the street or
// community the candidate is in.
// A unit that is not territorial sees what it recommended.
func seesNomination(a access.Actor, r Round, n Nomination) bool {
	if a.Oversees(r.RegionCode) || a.UserID > 0 && n.NominatedBy == a.UserID {
		return true
	}
	l := LevelOf(a)
	return (l == LevelCommunity || l == LevelStreet || l == LevelOffice) && access.InSubtree(n.RegionCode, a.Region)
}

// MayNominate reports whether the actor may recommend candidates: the
// territorial levels, the office, and the staff of other units.
func MayNominate(a access.Actor) bool {
	return LevelOf(a) != "" || a.UnitID != 0 && a.HasAny(access.RoleHandler, access.RoleLeader)
}

// Nominations lists a round's nominations the actor may see, with their
// scores and reviews.
func (s *Store) Nominations(ctx context.Context, a access.Actor, roundID int64) ([]Nomination, error) {
	r, err := s.Round(ctx, a, roundID)
	if err != nil {
		return nil, err
	}
	ns, err := s.nominations(ctx, s.DB, "n.round_id = ? ORDER BY n.region_code, n.id", roundID)
	if err != nil {
		return nil, err
	}
	out := ns[:0]
	for _, n := range ns {
		if seesNomination(a, r, n) {
			out = append(out, n)
		}
	}
	return out, s.fill(ctx, out)
}

// fill reads the scores and reviews of the nominations.
func (s *Store) fill(ctx context.Context, ns []Nomination) error {
	if len(ns) == 0 {
		return nil
	}
	idx := map[int64]int{}
	ids := make([]int64, len(ns))
	for i := range ns {
		idx[ns[i].ID] = i
		ids[i] = ns[i].ID
		ns[i].Scores = map[int64]int{}
	}
	type score struct {
		nom, crit int64
		p         int
	}
	scores, err := db.CollectIn(ctx, s.DB, "SELECT nomination_id, criterion_id, points FROM selection_score WHERE nomination_id IN ("+db.ListMarker+")", ids,
		func(r *sql.Rows) (score, error) {
			var x score
			return x, r.Scan(&x.nom, &x.crit, &x.p)
		})
	if err != nil {
		return fmt.Errorf("scores: %w", err)
	}
	for _, x := range scores {
		ns[idx[x.nom]].Scores[x.crit] = x.p
	}
	type rev struct {
		nom int64
		Review
		by int64
	}
	revs, err := db.CollectIn(ctx, s.DB, `SELECT nomination_id, level, decision, comment, COALESCE(reviewer_id, 0), created_at FROM selection_review
		WHERE nomination_id IN (`+db.ListMarker+") ORDER BY id", ids,
		func(r *sql.Rows) (rev, error) {
			var x rev
			var at int64
			err := r.Scan(&x.nom, &x.Level, &x.Decision, &x.Comment, &x.by, &at)
			x.CreatedAt = db.FromMillis(at)
			return x, err
		})
	if err != nil {
		return fmt.Errorf("reviews: %w", err)
	}
	var users []int64
	for _, x := range revs {
		if x.by > 0 {
			users = append(users, x.by)
		}
	}
	names, err := org.DisplayNames(ctx, s.DB, users)
	if err != nil {
		return err
	}
	for _, x := range revs {
		x.Reviewer = names[x.by]
		ns[idx[x.nom]].Reviews = append(ns[idx[x.nom]].Reviews, x.Review)
	}
	return nil
}

// NextLevel is the level that reviews the nomination next ("" when none).
func NextLevel(k Kind, n Nomination) string {
	if n.State != NomPending || n.Passed >= len(k.Levels) {
		return ""
	}
	return k.Levels[n.Passed]
}

// Review records one level's decision: approve, or reject with a comment.
// Levels go in the kind's order: a level that is not next is refused.
func (s *Store) Review(ctx context.Context, a access.Actor, nominationID int64, decision, comment string) error {
	comment = strings.TrimSpace(comment)
	if !oneOf(decision, "approve", "reject") {
		return apperr.Invalid("selection.decision_invalid")
	}
	if decision == "reject" && comment == "" || len([]rune(comment)) > 500 {
		return apperr.Invalid("selection.comment_required")
	}
	n, err := s.nomination(ctx, s.DB, nominationID)
	if err != nil {
		return err
	}
	r, err := s.round(ctx, s.DB, n.RoundID)
	if err != nil {
		return err
	}
	k, err := s.Kind(ctx, r.KindID)
	if err != nil {
		return err
	}
	level := LevelOf(a)
	switch {
	case level == "" || !seesNomination(a, r, n) && !(level == LevelOffice && a.Manages(r.RegionCode)):
		return apperr.Forbidden("selection.forbidden")
	case level == LevelOffice && !a.Manages(r.RegionCode):
		return apperr.Forbidden("selection.forbidden")
	case r.State != RoundNominating:
		return apperr.Conflict("selection.review_closed")
	case n.State != NomPending:
		return apperr.Conflict("selection.already_decided")
	}
	mine := -1
	for i, l := range k.Levels {
		if l == level {
			mine = i
		}
	}
	switch {
	case mine < 0:
		return apperr.Forbidden("selection.forbidden")
	case mine < n.Passed:
		return apperr.Conflict("selection.already_reviewed")
	case mine > n.Passed:
		return apperr.Conflict("selection.review_out_of_order", k.Levels[n.Passed])
	}
	state, passed := NomPending, n.Passed+1
	if decision == "reject" {
		state, passed = NomRejected, n.Passed
	} else if passed == len(k.Levels) {
		state = NomApproved
	}
	now := db.Millis(s.Clock())
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var unit any
		if a.UnitID > 0 {
			unit = a.UnitID
		}
		if _, err := tx.Exec(ctx, `INSERT INTO selection_review (nomination_id, level, decision, comment, reviewer_id, unit_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, n.ID, level, decision, comment, creator(a), unit, now); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.Conflict("selection.already_reviewed")
			}
			return fmt.Errorf("review: %w", err)
		}
		res, err := tx.Exec(ctx, "UPDATE selection_nomination SET state = ?, passed = ? WHERE id = ? AND state = ? AND passed = ?",
			state, passed, n.ID, NomPending, n.Passed)
		if err != nil {
			return fmt.Errorf("review: %w", err)
		}
		if c, _ := res.RowsAffected(); c == 0 {
			return apperr.Conflict("selection.already_reviewed")
		}
		return nil
	})
}
