package survey

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
)

// The states of an interview.
const (
	StateSubmitted = "submitted" // waits for review
	StateReturned  = "returned"  // sent back to the interviewer with a comment
	StateApproved  = "approved"  // counts in the rates
)

// Answer is the answer to one question.
type Answer struct {
	Values []string `json:"v"`
	// Note and Consent: a 不满意 answer's short note, and whether the
	// respondent agreed that it be reported as a problem.
	Note    string `json:"note,omitempty"`
	Consent bool   `json:"consent,omitempty"`
}

// Answers are an interview's answers by question code.
type Answers map[string]Answer

// Visible reports whether q is shown, given the answers so far (skip logic).
func Visible(q Question, ans Answers) bool {
	if q.ShowIfCode == "" {
		return true
	}
	return slices.Contains(ans[q.ShowIfCode].Values, q.ShowIfAnswer)
}

// InterviewInput is a finished interview as the phone sends it.
type InterviewInput struct {
	SampleID  int64
	ClientID  string // made by the phone once per submission
	Answers   Answers
	StartedAt time.Time
	Lng, Lat  float64
	HasPlace  bool
}

// Interview is an interview with its current answers.
type Interview struct {
	ID            int64
	RoundID       int64
	SampleID      int64
	Community     string
	CommunityName string
	InterviewerID int64
	Interviewer   string
	State         string
	Version       int
	SubmittedAt   time.Time
	ReviewedAt    time.Time
	Comment       string
	Household     Household // masked
	Versions      []AnswerSet
	Repeat        bool
}

// Current is the interview's newest answers.
func (i Interview) Current() AnswerSet {
	for _, v := range i.Versions {
		if v.Version == i.Version {
			return v
		}
	}
	return AnswerSet{}
}

// AnswerSet is one version of an interview's answers.
type AnswerSet struct {
	Version     int
	Answers     Answers
	SubmittedAt time.Time
	DurationS   int
}

// checkAnswers validates answers against the questionnaire: only shown
// questions, every required shown question answered, values among the
// options. It returns the answers kept.
func checkAnswers(q Questionnaire, in Answers) (Answers, error) {
	for code := range in {
		if _, ok := q.Question(code); !ok {
			return nil, apperr.Invalid("survey.answer_unknown_question", code)
		}
	}
	out := Answers{}
	for _, x := range q.Questions {
		if !Visible(x, out) {
			continue
		}
		a := in[x.Code]
		var vals []string
		for _, v := range a.Values {
			if v = strings.TrimSpace(v); v != "" {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			if x.Required {
				return nil, apperr.Invalid("survey.answer_required", x.Code, x.Text)
			}
			continue
		}
		switch x.Kind {
		case KindSingle, KindYesNo, KindRating, KindMulti:
			if x.Kind != KindMulti && len(vals) > 1 {
				return nil, apperr.Invalid("survey.answer_one_only", x.Code)
			}
			seen := map[string]bool{}
			for _, v := range vals {
				if _, ok := x.Option(v); !ok || seen[v] {
					return nil, apperr.Invalid("survey.answer_not_option", x.Code, v)
				}
				seen[v] = true
			}
		case KindNumber:
			f, err := strconv.ParseFloat(vals[0], 64)
			if err != nil || len(vals) > 1 || f < 0 || f > 1e6 {
				return nil, apperr.Invalid("survey.answer_not_number", x.Code)
			}
		case KindText:
			if len(vals) > 1 || utf8.RuneCountInString(vals[0]) > 500 {
				return nil, apperr.Invalid("survey.answer_text_too_long", x.Code)
			}
		}
		kept := Answer{Values: vals}
		if x.Kind != KindMulti && x.Complaint(vals[0]) {
			kept.Note = strings.TrimSpace(a.Note)
			kept.Consent = a.Consent && kept.Note != ""
			if utf8.RuneCountInString(kept.Note) > 200 {
				return nil, apperr.Invalid("survey.note_too_long", x.Code)
			}
		}
		out[x.Code] = kept
	}
	return out, nil
}

// SubmitInterview records an interview once (the same client id again
// returns the first record); a returned interview's resubmission becomes
// a new version of its answers, the old ones kept. A 不满意 answer with
// the respondent's consent and a note becomes a case in the ledger.
func (s *Store) SubmitInterview(ctx context.Context, a access.Actor, in InterviewInput) (Interview, error) {
	in.ClientID = strings.TrimSpace(in.ClientID)
	if !validClientID(in.ClientID) {
		return Interview{}, apperr.Invalid("survey.client_id_invalid")
	}
	var prev int64
	err := s.DB.QueryRow(ctx, "SELECT interview_id FROM survey_answer_set WHERE client_id = ?", in.ClientID).Scan(&prev)
	if err == nil {
		iv, err := s.interview(ctx, prev)
		if err != nil {
			return iv, err
		}
		if iv.InterviewerID != a.UserID {
			return Interview{}, apperr.Conflict("survey.client_id_taken")
		}
		iv.Repeat = true
		return iv, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return Interview{}, fmt.Errorf("repeat interview: %w", err)
	}
	x, err := s.sample(ctx, s.DB, in.SampleID)
	if err != nil {
		return Interview{}, err
	}
	r, err := s.dealtTo(ctx, a, x)
	if err != nil {
		return Interview{}, err
	}
	q, err := s.questionnaire(ctx, s.DB, r.QuestionnaireID)
	if err != nil {
		return Interview{}, err
	}
	answers, err := checkAnswers(q, in.Answers)
	if err != nil {
		return Interview{}, err
	}
	raw, _ := json.Marshal(answers)
	now := s.now()
	var started, duration any
	if !in.StartedAt.IsZero() && in.StartedAt.Before(now) && now.Sub(in.StartedAt) < 12*time.Hour {
		started, duration = db.Millis(in.StartedAt), int(now.Sub(in.StartedAt).Seconds())
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var status string
		var visits int
		if err := tx.QueryRow(ctx, "SELECT status, visits FROM survey_sample WHERE id = ?"+tx.ForUpdate(), x.id).Scan(&status, &visits); err != nil {
			return fmt.Errorf("sample: %w", err)
		}
		var state string
		var version int
		err := tx.QueryRow(ctx, "SELECT id, state, version FROM survey_interview WHERE sample_id = ?", x.id).Scan(&id, &state, &version)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if status != "pending" && status != string(Absent) {
				return apperr.Conflict("survey.household_done")
			}
			if err := tx.QueryRow(ctx, `INSERT INTO survey_interview (round_id, sample_id, community_code, interviewer_id, state, version,
				submitted_at) VALUES (?, ?, ?, ?, ?, 1, ?) RETURNING id`, x.round, x.id, x.community, a.UserID, StateSubmitted,
				db.Millis(now)).Scan(&id); err != nil {
				if db.IsUniqueViolation(err) {
					return apperr.Conflict("survey.already_interviewed")
				}
				return fmt.Errorf("insert interview: %w", err)
			}
			version = 1
			v := Visit{Outcome: Completed, At: now}
			if in.HasPlace {
				v.DistanceM, v.HasDistance = s.distance(ctx, x.community, geoPoint(in.Lng, in.Lat))
			}
			if _, err := insertVisit(ctx, tx, x.id, a.UserID, "visit-"+in.ClientID, v, VisitInput{Lng: in.Lng, Lat: in.Lat, HasPlace: in.HasPlace}); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE survey_sample SET status = ?, visits = visits + 1 WHERE id = ?", string(Completed), x.id); err != nil {
				return fmt.Errorf("sample status: %w", err)
			}
			deltas := map[string]int{"submitted": 1}
			if visits == 0 {
				deltas["visited"] = 1
			}
			if err := count(ctx, tx, x.round, x.community, deltas); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("interview: %w", err)
		case state != StateReturned:
			return apperr.Conflict("survey.already_interviewed")
		default:
			version++
			if _, err := tx.Exec(ctx, "UPDATE survey_interview SET state = ?, version = ?, submitted_at = ? WHERE id = ?",
				StateSubmitted, version, db.Millis(now), id); err != nil {
				return fmt.Errorf("resubmit: %w", err)
			}
			if err := count(ctx, tx, x.round, x.community, map[string]int{"submitted": 1}); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO survey_answer_set (interview_id, version, client_id, answers, started_at, duration_s,
			submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, id, version, in.ClientID, string(raw), started, duration, db.Millis(now)); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.Conflict("survey.client_id_taken")
			}
			return fmt.Errorf("answers: %w", err)
		}
		return nil
	})
	if err != nil {
		return Interview{}, err
	}
	if err := s.fileComplaints(ctx, id, q, answers, x.community); err != nil {
		return Interview{}, err
	}
	return s.interview(ctx, id)
}

// fileComplaints puts each consented 不满意 answer in the ledger once,
// at the community, filed and dispatched by the routing rules.
func (s *Store) fileComplaints(ctx context.Context, interview int64, q Questionnaire, answers Answers, community string) error {
	if s.Problems == nil || s.Categories == nil {
		return nil
	}
	for _, x := range q.Questions {
		ans, ok := answers[x.Code]
		if !ok || !ans.Consent || len(ans.Values) == 0 || !x.Complaint(ans.Values[0]) {
			continue
		}
		n, err := db.Count(ctx, s.DB, "SELECT COUNT(*) FROM survey_complaint WHERE interview_id = ? AND question_id = ?", interview, x.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		code := x.Category
		if code == "" {
			code = "SR02"
		}
		cat, err := s.Categories(ctx, code)
		if err != nil {
			if cat, err = s.Categories(ctx, "SR02"); err != nil {
				return err
			}
		}
		sys := access.System()
		c, err := s.Problems.Report(ctx, sys, problem.ReportInput{Source: problem.SourceSurvey, CategoryID: cat,
			Description: "【入户调查】" + x.Text + "：" + ans.Values[0] + "。" + ans.Note, RegionCode: community})
		if err != nil {
			return fmt.Errorf("file complaint: %w", err)
		}
		if _, err := s.DB.Exec(ctx, "INSERT INTO survey_complaint (interview_id, question_id, problem_id) VALUES (?, ?, ?)",
			interview, x.ID, c.ID); err != nil {
			return fmt.Errorf("link complaint: %w", err)
		}
		if _, err := s.Problems.Move(ctx, sys, c.ID, problem.MoveInput{Action: problem.ActFile, Note: "入户调查居民反映，自动立案"}); err != nil {
			return err
		}
		if _, err := s.Problems.Move(ctx, sys, c.ID, problem.MoveInput{Action: problem.ActDispatch}); err != nil {
			return err
		}
	}
	return nil
}

// Complaints lists the cases an interview filed, by question id.
func (s *Store) complaints(ctx context.Context, interview int64) (map[int64]int64, error) {
	type row struct{ q, p int64 }
	rows, err := s.DB.Query(ctx, "SELECT question_id, COALESCE(problem_id, 0) FROM survey_complaint WHERE interview_id = ?", interview)
	list, err := db.Collect(rows, err, func(r *sql.Rows) (row, error) {
		var x row
		return x, r.Scan(&x.q, &x.p)
	})
	out := map[int64]int64{}
	for _, x := range list {
		out[x.q] = x.p
	}
	return out, err
}

func (s *Store) interview(ctx context.Context, id int64) (Interview, error) {
	var iv Interview
	var sub int64
	var rev sql.NullInt64
	var hh int64
	err := s.DB.QueryRow(ctx, `SELECT i.id, i.round_id, i.sample_id, i.community_code, i.interviewer_id, i.state, i.version,
		i.submitted_at, i.reviewed_at, i.review_comment, x.household_id FROM survey_interview i JOIN survey_sample x ON x.id = i.sample_id
		WHERE i.id = ?`, id).Scan(&iv.ID, &iv.RoundID, &iv.SampleID, &iv.Community, &iv.InterviewerID, &iv.State, &iv.Version,
		&sub, &rev, &iv.Comment, &hh)
	if errors.Is(err, sql.ErrNoRows) {
		return iv, apperr.NotFound("survey.interview_not_found")
	}
	if err != nil {
		return iv, fmt.Errorf("interview: %w", err)
	}
	iv.SubmittedAt, iv.ReviewedAt = db.FromMillis(sub), db.FromNullMillis(rev)
	h, err := s.household(ctx, hh)
	if err != nil {
		return iv, err
	}
	iv.Household = h.mask()
	rows, err := s.DB.Query(ctx, `SELECT version, answers, submitted_at, COALESCE(duration_s, 0) FROM survey_answer_set
		WHERE interview_id = ? ORDER BY version`, id)
	iv.Versions, err = db.Collect(rows, err, func(r *sql.Rows) (AnswerSet, error) {
		var v AnswerSet
		var raw string
		var at int64
		err := r.Scan(&v.Version, &raw, &at, &v.DurationS)
		v.SubmittedAt = db.FromMillis(at)
		if err == nil {
			err = json.Unmarshal([]byte(raw), &v.Answers)
		}
		return v, err
	})
	if err != nil {
		return iv, fmt.Errorf("answer sets: %w", err)
	}
	names, err := org.DisplayNames(ctx, s.DB, []int64{iv.InterviewerID})
	if err != nil {
		return iv, err
	}
	iv.Interviewer = names[iv.InterviewerID]
	return iv, nil
}

// InterviewView is an interview with what the reader may do with it.
type InterviewView struct {
	Interview
	Round         Round
	Questionnaire Questionnaire
	MayReview     bool
	MayResubmit   bool
	Complaints    map[int64]int64 // question id → case id
}

// mayReview: the street's supervisor of the round, or the office.
func (r Round) mayReview(a access.Actor, community string) bool {
	return r.supervises(a, streetOf(community)) || mayManage(a, r.RegionCode)
}

// InterviewFor returns an interview to its interviewer, the street's
// supervisor and the office; answers are not shown to anyone else.
func (s *Store) InterviewFor(ctx context.Context, a access.Actor, id int64) (InterviewView, error) {
	iv, err := s.interview(ctx, id)
	if err != nil {
		return InterviewView{}, err
	}
	r, err := s.round(ctx, iv.RoundID)
	if err != nil {
		return InterviewView{}, err
	}
	if iv.InterviewerID != a.UserID && !r.mayReview(a, iv.Community) {
		return InterviewView{}, apperr.NotFound("survey.interview_not_found")
	}
	q, err := s.questionnaire(ctx, s.DB, r.QuestionnaireID)
	if err != nil {
		return InterviewView{}, err
	}
	for _, c := range r.Communities {
		if c.Code == iv.Community {
			iv.CommunityName = c.Name
		}
	}
	v := InterviewView{Interview: iv, Round: r, Questionnaire: q,
		MayReview:   iv.State == StateSubmitted && r.mayReview(a, iv.Community),
		MayResubmit: iv.State == StateReturned && iv.InterviewerID == a.UserID && r.Open()}
	v.Complaints, err = s.complaints(ctx, id)
	return v, err
}

// InterviewOfSample returns the id of a sample's interview (0 if none).
func (s *Store) InterviewOfSample(ctx context.Context, sample int64) (int64, error) {
	var id int64
	err := s.DB.QueryRow(ctx, "SELECT id FROM survey_interview WHERE sample_id = ?", sample).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// ReviewInput is a supervisor's decision.
type ReviewInput struct {
	Approve bool
	Comment string
}

// Review approves an interview (it counts in the rates from then on) or
// returns it to its interviewer with a comment.
func (s *Store) Review(ctx context.Context, a access.Actor, id int64, in ReviewInput) error {
	iv, err := s.interview(ctx, id)
	if err != nil {
		return err
	}
	r, err := s.roundHead(ctx, s.DB, iv.RoundID)
	if err != nil {
		return err
	}
	// The street's supervisor only, not the whole round: an approval is
	// one of fifty thousand.
	r.Supervisors = map[string]int64{}
	var sup int64
	err = s.DB.QueryRow(ctx, "SELECT user_id FROM survey_round_supervisor WHERE round_id = ? AND street_code = ?", r.ID,
		streetOf(iv.Community)).Scan(&sup)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("supervisor: %w", err)
	}
	r.Supervisors[streetOf(iv.Community)] = sup
	if !r.mayReview(a, iv.Community) {
		if iv.InterviewerID == a.UserID {
			return apperr.Forbidden("survey.not_your_review")
		}
		return apperr.NotFound("survey.interview_not_found")
	}
	q, err := s.questionnaire(ctx, s.DB, r.QuestionnaireID)
	if err != nil {
		return err
	}
	v := InterviewView{Interview: iv, Round: r, Questionnaire: q}
	in.Comment = strings.TrimSpace(in.Comment)
	if !in.Approve && in.Comment == "" {
		return apperr.Invalid("survey.return_needs_comment")
	}
	if utf8.RuneCountInString(in.Comment) > 500 {
		return apperr.Invalid("survey.comment_too_long")
	}
	state := StateReturned
	if in.Approve {
		state = StateApproved
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE survey_interview SET state = ?, reviewed_by = ?, reviewed_at = ?, review_comment = ?
			WHERE id = ? AND state = ? AND version = ?`, state, creator(a), db.Millis(s.now()), in.Comment, id, StateSubmitted, v.Version)
		if err != nil {
			return fmt.Errorf("review: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("survey.review_stale")
		}
		deltas := map[string]int{"submitted": -1}
		if in.Approve {
			deltas["approved"] = 1
		}
		if err := count(ctx, tx, v.RoundID, v.Community, deltas); err != nil {
			return err
		}
		if in.Approve {
			return addTally(ctx, tx, v.RoundID, v.Community, v.Questionnaire, v.Current().Answers)
		}
		return nil
	})
}

// addTally counts one approved interview's answers: per community and
// question, per question for the whole round (community ”), and per
// community and dimension.
func addTally(ctx context.Context, tx *db.Tx, round int64, community string, q Questionnaire, answers Answers) error {
	dims := map[Dimension]QuestionCount{}
	for _, x := range q.Questions {
		ans, ok := answers[x.Code]
		if !ok || len(ans.Values) == 0 {
			continue
		}
		c := Count(x, ans)
		for _, where := range []string{community, ""} {
			if _, err := tx.Exec(ctx, `INSERT INTO survey_tally (round_id, community_code, question_id, answered, valid, positive, score_sum, weight_sum)
				VALUES (?, ?, ?, 1, ?, ?, ?, ?) ON CONFLICT (round_id, community_code, question_id) DO UPDATE SET
				answered = survey_tally.answered + 1, valid = survey_tally.valid + excluded.valid,
				positive = survey_tally.positive + excluded.positive, score_sum = survey_tally.score_sum + excluded.score_sum,
				weight_sum = survey_tally.weight_sum + excluded.weight_sum`, round, where, x.ID, c.Valid, c.Positive, c.ScoreSum, c.WeightSum); err != nil {
				return fmt.Errorf("tally: %w", err)
			}
		}
		if x.Dimension != None {
			d := dims[x.Dimension]
			d.add(c)
			dims[x.Dimension] = d
		}
	}
	for _, d := range Dimensions() {
		c, ok := dims[d]
		if !ok {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO survey_tally_dim (round_id, community_code, dimension, answered, valid, positive, score_sum, weight_sum)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (round_id, community_code, dimension) DO UPDATE SET
			answered = survey_tally_dim.answered + excluded.answered, valid = survey_tally_dim.valid + excluded.valid,
			positive = survey_tally_dim.positive + excluded.positive, score_sum = survey_tally_dim.score_sum + excluded.score_sum,
			weight_sum = survey_tally_dim.weight_sum + excluded.weight_sum`, round, community, string(d), c.Answered, c.Valid, c.Positive,
			c.ScoreSum, c.WeightSum); err != nil {
			return fmt.Errorf("tally by dimension: %w", err)
		}
	}
	return nil
}

// Count is how one answer counts: valid (not 不清楚 / 拒答), positive for
// the question's dimension, and its weighted score.
func Count(q Question, ans Answer) QuestionCount {
	var c QuestionCount
	c.Answered = 1
	valid, positive := false, false
	var score *float64
	switch q.Kind {
	case KindNumber, KindText:
		valid = true
	default:
		for _, v := range ans.Values {
			o, ok := q.Option(v)
			if !ok {
				continue
			}
			if !o.Void {
				valid = true
				if score == nil && o.Score != nil {
					score = o.Score
				}
			}
			positive = positive || (o.Positive && !o.Void)
		}
	}
	if valid {
		c.Valid = 1
	}
	if positive {
		c.Positive = 1
	}
	if valid && score != nil {
		c.ScoreSum, c.WeightSum = *score*q.Weight, q.Weight
	}
	return c
}

// ReviewQueue lists the interviews of a round waiting for the actor's
// review.
func (s *Store) ReviewQueue(ctx context.Context, a access.Actor, round int64) (Round, []Interview, error) {
	r, err := s.Round(ctx, a, round)
	if err != nil {
		return r, nil, err
	}
	ids, err := db.Int64s(ctx, s.DB, "SELECT id FROM survey_interview WHERE round_id = ? AND state = ? ORDER BY submitted_at, id", round, StateSubmitted)
	if err != nil {
		return r, nil, err
	}
	var out []Interview
	for _, id := range ids {
		iv, err := s.interview(ctx, id)
		if err != nil {
			return r, nil, err
		}
		if !r.mayReview(a, iv.Community) {
			continue
		}
		for _, c := range r.Communities {
			if c.Code == iv.Community {
				iv.CommunityName = c.Name
			}
		}
		out = append(out, iv)
	}
	return r, out, nil
}

// Has reports whether the answer to code includes v (for the forms).
func (a Answers) Has(code, v string) bool { return slices.Contains(a[code].Values, v) }

// Value is the first value answered to code.
func (a Answers) Value(code string) string {
	if vals := a[code].Values; len(vals) > 0 {
		return vals[0]
	}
	return ""
}

// Text is the answer to code as shown: its values joined by 、.
func (a Answers) Text(code string) string { return strings.Join(a[code].Values, "、") }
