package problem

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/notice"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

// Citizens follow their reports: the public form's private link (a random
// token, kept only as its SHA-256) opens a status page that shows the
// public steps of the case and nothing personal about anyone; once the
// case is closed the reporter is asked once how satisfied they are.

// ActFeedback records the reporter's satisfaction in the timeline; it is
// not a move (the state does not change).
const ActFeedback Action = "feedback"

// trackTokenBytes is the token's randomness: 256 bits.
const trackTokenBytes = 32

// maxFeedbackText bounds the citizen's comment.
const maxFeedbackText = 200

// OwnReportsOnly reports whether all the actor sees of the ledger are the
// cases they reported (a citizen, a volunteer): their ledger is 我的上报
// and a case is shown to them as its public status. It mirrors scopeFor.
func OwnReportsOnly(a access.Actor) bool {
	return a.SignedIn() && !a.IsAdmin() &&
		!(a.HasAny(access.RoleOffice, access.RoleLeader, access.RoleInspector) && a.Region != "") &&
		!unitReader(a)
}

// ReportTracked is Report for the public form: in the same transaction it
// issues the token of the case's private status link, returned once and
// stored only as its hash.
func (s *Store) ReportTracked(ctx context.Context, a access.Actor, in ReportInput) (*Case, string, error) {
	var token string
	c, err := s.report(ctx, a, in, func(ctx context.Context, tx *db.Tx, id int64, now time.Time) error {
		var b [trackTokenBytes]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("track token: %w", err)
		}
		token = base64.RawURLEncoding.EncodeToString(b[:])
		if _, err := tx.Exec(ctx, "INSERT INTO problem_track (token_hash, problem_id, created_at) VALUES (?, ?, ?)",
			trackHash(token), id, db.Millis(now)); err != nil {
			return fmt.Errorf("track token: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return c, token, nil
}

// trackHash is what is stored of a token.
func trackHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// errTrackUnknown is the answer to every token that opens nothing.
func errTrackUnknown() error { return apperr.NotFound("citizen.track_unknown") }

// tracked reads the case a token opens.
func (s *Store) tracked(ctx context.Context, c db.Conn, token string) (*Case, error) {
	// A token is 43 URL-safe characters; anything else is not looked up.
	if len(token) != base64.RawURLEncoding.EncodedLen(trackTokenBytes) {
		return nil, errTrackUnknown()
	}
	var id int64
	err := c.QueryRow(ctx, "SELECT problem_id FROM problem_track WHERE token_hash = ?", trackHash(token)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errTrackUnknown()
	}
	if err != nil {
		return nil, fmt.Errorf("track: %w", err)
	}
	return s.read(ctx, c, id)
}

// Rating is a reporter's answer to 满意度回访.
type Rating string

// The ratings.
const (
	Satisfied   Rating = "satisfied"   // 满意
	Basic       Rating = "basic"       // 基本满意
	Unsatisfied Rating = "unsatisfied" // 不满意
)

// Ratings lists the answers in display order.
func Ratings() []Rating { return []Rating{Satisfied, Basic, Unsatisfied} }

// Valid reports whether r is a known rating.
func (r Rating) Valid() bool { return r == Satisfied || r == Basic || r == Unsatisfied }

// Key is the catalogue key of the rating's name.
func (r Rating) Key() string { return "citizen.rating." + string(r) }

// Feedback is the reporter's answer about a closed case.
type Feedback struct {
	Rating      Rating
	Comment     string
	ReopenAsked bool
	At          time.Time
}

// FeedbackInput is an answer as given; Reopen counts only with Unsatisfied.
type FeedbackInput struct {
	Rating  Rating
	Comment string
	Reopen  bool
}

// PublicStep is one public step of a case's timeline: its catalogue key
// (citizen.step.*) and when.
type PublicStep struct {
	Key string
	At  time.Time
}

// PublicStatus is what a case's status page shows: no names, phones,
// notes or places of anyone, only the steps the public may know.
type PublicStatus struct {
	ID           int64 // for the signed-in reporter's own links; never shown by the token page
	Code         string
	State        State
	CategoryName string
	Description  string // the reporter's own words
	ReportedAt   time.Time
	UnitType     string // catalogue key of the responsible unit's kind; "" before dispatch
	Steps        []PublicStep
	After        []string // after-photo hashes, once closed
	Feedback     *Feedback
	MayRate      bool // closed and not yet answered
}

// Track returns the public status of the case a token opens; an unknown
// token is not found.
func (s *Store) Track(ctx context.Context, token string) (*PublicStatus, error) {
	c, err := s.tracked(ctx, s.DB, token)
	if err != nil {
		return nil, err
	}
	return s.publicStatus(ctx, c, true)
}

// Status is the public status of a case for its signed-in reporter, whose
// own view of a case it is when they see only their own reports.
func (s *Store) Status(ctx context.Context, a access.Actor, id int64) (*PublicStatus, error) {
	c, err := s.get(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if !CanSee(a, c) {
		return nil, apperr.NotFound("problem.not_found")
	}
	return s.publicStatus(ctx, c, mayRateAs(a, c))
}

// mayRateAs: through an account, only the reporter who sees nothing but
// their own reports answers (staff do not rate their colleagues).
func mayRateAs(a access.Actor, c *Case) bool {
	return a.UserID > 0 && c.ReporterID == a.UserID && OwnReportsOnly(a)
}

func (s *Store) publicStatus(ctx context.Context, c *Case, asker bool) (*PublicStatus, error) {
	if c.CategoryName == "" && c.CategoryID != 0 {
		if err := s.withNames(ctx, s.DB, []*Case{c}); err != nil {
			return nil, err
		}
	}
	st := &PublicStatus{ID: c.ID, Code: c.Code, State: c.State, CategoryName: c.CategoryName, Description: c.Description,
		ReportedAt: c.ReportedAt}
	if c.UnitID != 0 {
		key, err := unitTypeKey(ctx, s.DB, c.UnitID)
		if err != nil {
			return nil, err
		}
		st.UnitType = key
	}
	rows, err := s.DB.Query(ctx, "SELECT id, action, at FROM problem_event WHERE problem_id = ? ORDER BY id", c.ID)
	type ev struct {
		id     int64
		action Action
		at     int64
	}
	events, err := db.Collect(rows, err, func(r *sql.Rows) (ev, error) {
		var e ev
		return e, r.Scan(&e.id, &e.action, &e.at)
	})
	if err != nil {
		return nil, fmt.Errorf("public steps: %w", err)
	}
	for _, e := range events {
		at := db.FromMillis(e.at)
		for _, key := range publicSteps(e.action) {
			st.Steps = append(st.Steps, PublicStep{Key: key, At: at})
		}
	}
	if c.State == Closed {
		// The after-photos of the last rectification: a reopened case was
		// rectified again.
		rows, err := s.DB.Query(ctx, `SELECT hash FROM problem_photo WHERE problem_id = ? AND role = 'after'
			AND event_id = (SELECT MAX(event_id) FROM problem_photo WHERE problem_id = ? AND role = 'after') ORDER BY hash`, c.ID, c.ID)
		if st.After, err = db.Collect(rows, err, func(r *sql.Rows) (string, error) {
			var h string
			return h, r.Scan(&h)
		}); err != nil {
			return nil, fmt.Errorf("public photos: %w", err)
		}
	}
	if st.Feedback, err = s.feedback(ctx, s.DB, c.ID); err != nil {
		return nil, err
	}
	st.MayRate = asker && c.State == Closed && st.Feedback == nil
	return st, nil
}

// publicSteps maps a timeline action to the steps the public sees; the
// rest (acceptance, returns, extensions, rework, notes, escalation) stays
// inside.
func publicSteps(act Action) []string {
	switch act {
	case ActReport, ActImport:
		return []string{"citizen.step.reported"}
	case ActFile:
		return []string{"citizen.step.filed"}
	case ActReject:
		return []string{"citizen.step.rejected"}
	case ActMerge:
		return []string{"citizen.step.merged"}
	case ActDispatch:
		return []string{"citizen.step.dispatched"}
	case ActRectify, ActFixOnSpot:
		return []string{"citizen.step.rectified"}
	case ActVerifyPass:
		return []string{"citizen.step.verified", "citizen.step.closed"}
	case ActReopen:
		return []string{"citizen.step.reopened"}
	}
	return nil
}

// unitTypeKey names the kind of a unit for the public: a community, a
// street, a department… never the unit itself.
func unitTypeKey(ctx context.Context, c db.Conn, unitID int64) (string, error) {
	kind, code, ok, err := org.UnitKindRegion(ctx, c, unitID)
	if err != nil || !ok {
		return "citizen.unit.other", err
	}
	if kind == org.KindTerritorial {
		switch level, _ := region.LevelOf(code); {
		case level >= region.Community:
			return "citizen.unit.community", nil
		case level == region.Street:
			return "citizen.unit.street", nil
		}
		return "citizen.unit.district", nil
	}
	switch kind {
	case org.KindOffice, org.KindDepartment, org.KindSponsor, org.KindProperty:
		return "citizen.unit." + string(kind), nil
	}
	return "citizen.unit.other", nil
}

// TrackPhoto reports whether a photo may be shown through a token: an
// after-photo of its case, once the case is closed.
// It asks the one question (a page of photos asks it per photo), not the
// whole status.
func (s *Store) TrackPhoto(ctx context.Context, token, hash string) (bool, error) {
	if len(token) != base64.RawURLEncoding.EncodedLen(trackTokenBytes) {
		return false, errTrackUnknown()
	}
	var n int
	err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM problem_track t JOIN problem p ON p.id = t.problem_id
		JOIN problem_photo f ON f.problem_id = p.id AND f.role = 'after' AND f.hash = ?
		WHERE t.token_hash = ? AND p.state = ?
		AND f.event_id = (SELECT MAX(event_id) FROM problem_photo WHERE problem_id = p.id AND role = 'after')`,
		hash, trackHash(token), string(Closed)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("track photo: %w", err)
	}
	return n > 0, nil
}

func (s *Store) feedback(ctx context.Context, c db.Conn, id int64) (*Feedback, error) {
	var f Feedback
	var at int64
	err := c.QueryRow(ctx, "SELECT rating, comment, reopen_asked, at FROM problem_feedback WHERE problem_id = ?", id).
		Scan(&f.Rating, &f.Comment, &f.ReopenAsked, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	f.At = db.FromMillis(at)
	return &f, nil
}

// RateByToken stores the answer given on the status page of a token.
func (s *Store) RateByToken(ctx context.Context, token string, in FeedbackInput) error {
	c, err := s.tracked(ctx, s.DB, token)
	if err != nil {
		return err
	}
	return s.rate(ctx, access.Actor{}, c, in)
}

// Rate stores the answer of the signed-in reporter of a case.
func (s *Store) Rate(ctx context.Context, a access.Actor, id int64, in FeedbackInput) error {
	c, err := s.read(ctx, s.DB, id)
	if err != nil {
		return err
	}
	if !CanSee(a, c) {
		return apperr.NotFound("problem.not_found")
	}
	if !mayRateAs(a, c) {
		return apperr.Forbidden("citizen.rate_forbidden")
	}
	return s.rate(ctx, a, c, in)
}

// rate keeps the one answer a closed case gets, with an event in its
// timeline; 不满意 with a request to reopen tells the office, which
// reopens through the usual action if it agrees.
func (s *Store) rate(ctx context.Context, a access.Actor, c *Case, in FeedbackInput) error {
	in.Comment = strings.TrimSpace(in.Comment)
	switch {
	case !in.Rating.Valid():
		return apperr.Invalid("citizen.rating_required")
	case utf8.RuneCountInString(in.Comment) > maxFeedbackText:
		return apperr.Invalid("problem.text_too_long", maxFeedbackText)
	case c.State != Closed:
		return apperr.Conflict("citizen.rate_not_closed")
	}
	reopen := in.Reopen && in.Rating == Unsatisfied
	var office []int64
	if reopen {
		var err error
		if office, err = org.ActiveUsersGoverning(ctx, s.DB, c.RegionCode, access.RoleOffice); err != nil {
			return err
		}
	}
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO problem_feedback (problem_id, unit_id, rating, comment, reopen_asked, at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (problem_id) DO NOTHING`,
			c.ID, db.NullID(c.UnitID), string(in.Rating), in.Comment, reopen, db.Millis(now))
		if err != nil {
			return fmt.Errorf("store feedback: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return apperr.Conflict("citizen.already_rated")
		}
		data := EventData{Rating: string(in.Rating), ReopenAsked: reopen}
		if err := appendEvent(ctx, tx, c.ID, a, now, ActFeedback, c.State, c.State, in.Comment, data, nil); err != nil {
			return err
		}
		if !reopen {
			return nil
		}
		return notice.Add(ctx, tx, notice.Message{Users: office, ProblemID: c.ID, Kind: "citizen_unsatisfied",
			Args: []string{c.Code}, Dedupe: "feedback:" + strconv.FormatInt(c.ID, 10), At: now})
	})
}

// UnitSatisfaction counts the answers about one unit's cases.
type UnitSatisfaction struct {
	UnitID      int64
	UnitName    string
	Satisfied   int
	Basic       int
	Unsatisfied int
}

// Total is the number of answers.
func (u UnitSatisfaction) Total() int { return u.Satisfied + u.Basic + u.Unsatisfied }

// SatisfiedText is 满意率 ((满意 + 基本满意) / answers) as text.
func (u UnitSatisfaction) SatisfiedText() string {
	return Percent(ratio(u.Satisfied+u.Basic, u.Total()), u.Total() > 0)
}

// SatisfactionByUnit counts the answers given in [from, to) about the
// cases the actor may see, per responsible unit, most answers first.
func (s *Store) SatisfactionByUnit(ctx context.Context, a access.Actor, from, to time.Time) ([]UnitSatisfaction, error) {
	if !a.SignedIn() {
		return nil, apperr.New(apperr.KindUnauthorized, "error.unauthorized")
	}
	scope, args := scopeSQL(a)
	rows, err := s.DB.Query(ctx, `SELECT COALESCE(f.unit_id, 0),
		COALESCE(SUM(CASE WHEN f.rating = 'satisfied' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN f.rating = 'basic' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN f.rating = 'unsatisfied' THEN 1 ELSE 0 END), 0)
		FROM problem_feedback f JOIN problem p ON p.id = f.problem_id
		WHERE f.at >= ? AND f.at < ? AND `+scope+` GROUP BY COALESCE(f.unit_id, 0)`,
		append([]any{db.Millis(from), db.Millis(to)}, args...)...)
	out, err := db.Collect(rows, err, func(r *sql.Rows) (UnitSatisfaction, error) {
		var u UnitSatisfaction
		return u, r.Scan(&u.UnitID, &u.Satisfied, &u.Basic, &u.Unsatisfied)
	})
	if err != nil {
		return nil, fmt.Errorf("satisfaction: %w", err)
	}
	ids := make([]int64, 0, len(out))
	for _, u := range out {
		ids = append(ids, u.UnitID)
	}
	names, err := org.UnitNames(ctx, s.DB, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].UnitName = names[out[i].UnitID]
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Total() != out[j].Total() {
			return out[i].Total() > out[j].Total()
		}
		return out[i].UnitName < out[j].UnitName
	})
	return out, nil
}
