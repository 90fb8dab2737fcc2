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

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// Kind is a question's type, stored as a stable word.
type Kind string

// The question types.
const (
	KindSingle Kind = "single" // 单选
	KindMulti  Kind = "multi"  // 多选
	KindYesNo  Kind = "yesno"  // 是 / 否 / 不清楚
	KindRating Kind = "rating" // five-level rating, option scores
	KindNumber Kind = "number" // 数字
	KindText   Kind = "text"   // 填空
)

// Kinds lists the types in display order.
func Kinds() []Kind {
	return []Kind{KindSingle, KindMulti, KindYesNo, KindRating, KindNumber, KindText}
}

// Valid reports whether k is a known type.
func (k Kind) Valid() bool { return slices.Contains(Kinds(), k) }

// Key is the catalogue key of the type's name.
func (k Kind) Key() string { return "survey.kind." + string(k) }

// HasOptions reports whether answers are chosen from options.
func (k Kind) HasOptions() bool {
	return k == KindSingle || k == KindMulti || k == KindYesNo || k == KindRating
}

// Dimension is what a question measures for 三率一度.
type Dimension string

// The dimensions; None measures nothing.
const (
	None          Dimension = ""
	Awareness     Dimension = "awareness"     // 知晓
	Support       Dimension = "support"       // 支持
	Participation Dimension = "participation" // 参与
	Satisfaction  Dimension = "satisfaction"  // 满意
)

// Dimensions lists the measured dimensions in the order of 三率一度.
func Dimensions() []Dimension { return []Dimension{Awareness, Support, Participation, Satisfaction} }

// Valid reports whether d is None or a known dimension.
func (d Dimension) Valid() bool { return d == None || slices.Contains(Dimensions(), d) }

// Key is the catalogue key of the dimension's name.
func (d Dimension) Key() string {
	if d == None {
		return "survey.dim.none"
	}
	return "survey.dim." + string(d)
}

// Option is one answer a question offers.
type Option struct {
	Value    string   `json:"v"`
	Positive bool     `json:"pos,omitempty"`   // counts as positive for the question's dimension
	Void     bool     `json:"void,omitempty"`  // 不清楚 / 拒答: not a valid answer for the rates
	Score    *float64 `json:"score,omitempty"` // rating score, 0–100
}

// Question is one question of a questionnaire version.
type Question struct {
	ID        int64
	Position  int
	Section   string
	Code      string
	Text      string
	Kind      Kind
	Required  bool
	Dimension Dimension
	Options   []Option
	// Skip logic: shown only when question ShowIfCode was answered
	// ShowIfAnswer (for a multiple choice: among the chosen).
	ShowIfCode   string
	ShowIfAnswer string
	Weight       float64
	Criterion    string // framework criterion code (method 问卷调查)
	Category     string // problem category code of a complaint it raises
}

// Option returns the option with the value.
func (q Question) Option(v string) (Option, bool) {
	for _, o := range q.Options {
		if o.Value == v {
			return o, true
		}
	}
	return Option{}, false
}

// OptionValues lists the options' values.
func (q Question) OptionValues() []string {
	out := make([]string, len(q.Options))
	for i, o := range q.Options {
		out[i] = o.Value
	}
	return out
}

// Complaint reports whether an answer of this question can be a complaint
// (不满意): a satisfaction rating scored 40 or less.
func (q Question) Complaint(v string) bool {
	if q.Dimension != Satisfaction {
		return false
	}
	o, ok := q.Option(v)
	return ok && o.Score != nil && *o.Score <= 40
}

// Questionnaire is one version of a questionnaire.
type Questionnaire struct {
	ID        int64
	Name      string
	Note      string
	Sample    bool
	Source    string
	CreatedAt time.Time
	Questions []Question
	Rounds    int  // rounds using the version
	Answered  bool // interviews answered it: it cannot change any more
}

// Sections lists the section titles in order of first appearance.
func (q Questionnaire) Sections() []string {
	var out []string
	for _, x := range q.Questions {
		if !slices.Contains(out, x.Section) {
			out = append(out, x.Section)
		}
	}
	return out
}

// Question returns the question with the code.
func (q Questionnaire) Question(code string) (Question, bool) {
	for _, x := range q.Questions {
		if x.Code == code {
			return x, true
		}
	}
	return Question{}, false
}

// QuestionByID returns the question with the id.
func (q Questionnaire) QuestionByID(id int64) (Question, bool) {
	for _, x := range q.Questions {
		if x.ID == id {
			return x, true
		}
	}
	return Question{}, false
}

// DefaultRating is the five-level rating with its default scores.
func DefaultRating() []Option {
	score := func(v float64) *float64 { return &v }
	return []Option{
		{Value: "非常满意", Positive: true, Score: score(100)},
		{Value: "满意", Positive: true, Score: score(80)},
		{Value: "一般", Score: score(60)},
		{Value: "不满意", Score: score(40)},
		{Value: "非常不满意", Score: score(0)},
	}
}

// DefaultYesNo is 是 / 否 / 不清楚, 是 positive, 不清楚 not valid.
func DefaultYesNo() []Option {
	return []Option{{Value: "是", Positive: true}, {Value: "否"}, {Value: "不清楚", Void: true}}
}

// voidWords are the answers that by default are not valid for the rates.
func voidWords() []string {
	return []string{"不清楚", "拒答", "说不清", "不知道", "不了解"}
}

// MaxQuestions bounds a questionnaire.
const MaxQuestions = 300

// check validates a whole questionnaire: codes unique, types and
// dimensions known, options where needed, skip rules pointing at an
// earlier question and one of its options. It returns the errors by
// question index.
func check(qs []Question) map[int][]fieldError {
	errs := map[int][]fieldError{}
	add := func(i int, col, code string, args ...any) {
		errs[i] = append(errs[i], fieldError{Column: col, Code: code, Args: args})
	}
	seen := map[string]int{}
	for i, q := range qs {
		switch {
		case q.Code == "":
			add(i, colCode, "survey.q.code_required")
		case len(q.Code) > 40 || strings.ContainsAny(q.Code, " \t=|"):
			add(i, colCode, "survey.q.code_invalid", q.Code)
		default:
			if _, dup := seen[q.Code]; dup {
				add(i, colCode, "survey.q.code_duplicate", q.Code)
			}
		}
		if q.Text == "" || len([]rune(q.Text)) > 500 {
			add(i, colText, "survey.q.text_required")
		}
		if !q.Kind.Valid() {
			add(i, colKind, "survey.q.kind_unknown", string(q.Kind))
		}
		if !q.Dimension.Valid() {
			add(i, colDimension, "survey.q.dimension_unknown", string(q.Dimension))
		}
		if q.Kind.HasOptions() && len(q.Options) < 2 {
			add(i, colOptions, "survey.q.options_required")
		}
		if q.Dimension == Satisfaction && q.Kind != KindRating {
			add(i, colDimension, "survey.q.satisfaction_needs_rating")
		}
		if q.Kind == KindRating {
			for _, o := range q.Options {
				if o.Score == nil && !o.Void {
					add(i, colScores, "survey.q.score_missing", o.Value)
				} else if o.Score != nil && (*o.Score < 0 || *o.Score > 100) {
					add(i, colScores, "survey.q.score_range", o.Value)
				}
			}
		}
		if q.Weight <= 0 || q.Weight > 100 {
			add(i, colWeight, "survey.q.weight_invalid")
		}
		vals := map[string]bool{}
		for _, o := range q.Options {
			if o.Value == "" || vals[o.Value] {
				add(i, colOptions, "survey.q.option_duplicate", o.Value)
			}
			vals[o.Value] = true
		}
		if q.ShowIfCode != "" {
			j, ok := seen[q.ShowIfCode]
			switch {
			case !ok:
				add(i, colShowIf, "survey.q.skip_unknown", q.ShowIfCode)
			case !qs[j].Kind.HasOptions():
				add(i, colShowIf, "survey.q.skip_not_choice", q.ShowIfCode)
			default:
				if _, ok := qs[j].Option(q.ShowIfAnswer); !ok {
					add(i, colShowIf, "survey.q.skip_answer_unknown", q.ShowIfCode, q.ShowIfAnswer)
				}
			}
		}
		if q.Code != "" {
			if _, dup := seen[q.Code]; !dup {
				seen[q.Code] = i
			}
		}
	}
	if len(qs) == 0 {
		add(-1, "", "survey.q.empty")
	}
	if len(qs) > MaxQuestions {
		add(-1, "", "survey.q.too_many", MaxQuestions)
	}
	return errs
}

type fieldError struct {
	Column string
	Code   string
	Args   []any
}

// QuestionnaireInput is a new version.
type QuestionnaireInput struct {
	Name      string
	Note      string
	Sample    bool
	Source    string
	Questions []Question
}

func validName(name string) error {
	if name == "" || len([]rune(name)) > 100 {
		return apperr.Invalid("survey.name_invalid")
	}
	return nil
}

// CreateQuestionnaire stores a new version, checked whole.
func (s *Store) CreateQuestionnaire(ctx context.Context, a access.Actor, in QuestionnaireInput) (Questionnaire, error) {
	if !MayManage(a) {
		return Questionnaire{}, apperr.Forbidden("survey.forbidden")
	}
	in.Name = strings.TrimSpace(in.Name)
	if err := validName(in.Name); err != nil {
		return Questionnaire{}, err
	}
	if errs := check(in.Questions); len(errs) > 0 {
		for _, list := range errs {
			return Questionnaire{}, apperr.Invalid(list[0].Code, list[0].Args...)
		}
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = insertQuestionnaire(ctx, tx, a, in, s.now())
		return err
	})
	if err != nil {
		return Questionnaire{}, err
	}
	return s.Questionnaire(ctx, a, id)
}

func insertQuestionnaire(ctx context.Context, tx *db.Tx, a access.Actor, in QuestionnaireInput, now time.Time) (int64, error) {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO survey_questionnaire (name, note, sample, source, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, in.Name, strings.TrimSpace(in.Note), in.Sample, in.Source, creator(a),
		db.Millis(now)).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert questionnaire: %w", err)
	}
	if err := insertQuestions(ctx, tx, id, in.Questions); err != nil {
		return 0, err
	}
	return id, nil
}

func insertQuestions(ctx context.Context, tx *db.Tx, id int64, qs []Question) error {
	for i, q := range qs {
		opts, err := json.Marshal(q.Options)
		if err != nil {
			return fmt.Errorf("options: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO survey_question (questionnaire_id, position, section, code, text, kind, required,
			dimension, options, show_if_code, show_if_answer, weight, criterion, category)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, i+1, q.Section, q.Code, q.Text, string(q.Kind), q.Required,
			string(q.Dimension), string(opts), q.ShowIfCode, q.ShowIfAnswer, q.Weight, q.Criterion, q.Category); err != nil {
			return fmt.Errorf("insert question %s: %w", q.Code, err)
		}
	}
	return nil
}

// Questionnaires lists the versions, newest first, without their
// questions but with their counts.
func (s *Store) Questionnaires(ctx context.Context, a access.Actor) ([]Questionnaire, error) {
	if !MayUse(a) {
		return nil, apperr.Forbidden("survey.forbidden")
	}
	rows, err := s.DB.Query(ctx, `SELECT q.id, q.name, q.note, q.sample, q.source, q.created_at,
		(SELECT COUNT(*) FROM survey_round r WHERE r.questionnaire_id = q.id),
		(SELECT COUNT(*) FROM survey_question x WHERE x.questionnaire_id = q.id)
		FROM survey_questionnaire q ORDER BY q.id DESC`)
	type row struct {
		q Questionnaire
		n int
	}
	list, err := db.Collect(rows, err, func(r *sql.Rows) (row, error) {
		var x row
		var at int64
		err := r.Scan(&x.q.ID, &x.q.Name, &x.q.Note, &x.q.Sample, &x.q.Source, &at, &x.q.Rounds, &x.n)
		x.q.CreatedAt = db.FromMillis(at)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("questionnaires: %w", err)
	}
	out := make([]Questionnaire, len(list))
	for i, x := range list {
		out[i] = x.q
		out[i].Questions = make([]Question, x.n) // counted, not loaded
		if out[i].Answered, err = s.answered(ctx, s.DB, x.q.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// answered reports whether any interview answered the version.
func (s *Store) answered(ctx context.Context, c db.Conn, id int64) (bool, error) {
	ids, err := db.Int64s(ctx, c, `SELECT 1 FROM survey_interview WHERE round_id IN
		(SELECT id FROM survey_round WHERE questionnaire_id = ?) LIMIT 1`, id)
	return len(ids) > 0, err
}

// Questionnaire returns a version with its questions.
func (s *Store) Questionnaire(ctx context.Context, a access.Actor, id int64) (Questionnaire, error) {
	if !MayUse(a) {
		return Questionnaire{}, apperr.Forbidden("survey.forbidden")
	}
	return s.readQuestionnaire(ctx, s.DB, id) // fresh: with today's count of rounds
}

func (s *Store) questionnaire(ctx context.Context, c db.Conn, id int64) (Questionnaire, error) {
	s.answeredMu.Lock()
	q, ok := s.answeredQ[id]
	s.answeredMu.Unlock()
	if ok {
		q.Questions = slices.Clone(q.Questions)
		return q, nil
	}
	q, err := s.readQuestionnaire(ctx, c, id)
	if err == nil && q.Answered {
		s.answeredMu.Lock()
		if s.answeredQ == nil {
			s.answeredQ = map[int64]Questionnaire{}
		}
		s.answeredQ[id] = q
		s.answeredMu.Unlock()
		q.Questions = slices.Clone(q.Questions)
	}
	return q, err
}

func (s *Store) readQuestionnaire(ctx context.Context, c db.Conn, id int64) (Questionnaire, error) {
	var q Questionnaire
	var at int64
	err := c.QueryRow(ctx, `SELECT id, name, note, sample, source, created_at,
		(SELECT COUNT(*) FROM survey_round r WHERE r.questionnaire_id = survey_questionnaire.id)
		FROM survey_questionnaire WHERE id = ?`, id).Scan(&q.ID, &q.Name, &q.Note, &q.Sample, &q.Source, &at, &q.Rounds)
	if errors.Is(err, sql.ErrNoRows) {
		return q, apperr.NotFound("survey.questionnaire_not_found")
	}
	if err != nil {
		return q, fmt.Errorf("questionnaire: %w", err)
	}
	q.CreatedAt = db.FromMillis(at)
	rows, err := c.Query(ctx, `SELECT id, position, section, code, text, kind, required, dimension, options, show_if_code,
		show_if_answer, weight, criterion, category FROM survey_question WHERE questionnaire_id = ? ORDER BY position`, id)
	q.Questions, err = db.Collect(rows, err, func(r *sql.Rows) (Question, error) {
		var x Question
		var opts string
		err := r.Scan(&x.ID, &x.Position, &x.Section, &x.Code, &x.Text, &x.Kind, &x.Required, &x.Dimension, &opts,
			&x.ShowIfCode, &x.ShowIfAnswer, &x.Weight, &x.Criterion, &x.Category)
		if err == nil {
			err = json.Unmarshal([]byte(opts), &x.Options)
		}
		return x, err
	})
	if err != nil {
		return q, fmt.Errorf("questions: %w", err)
	}
	q.Answered, err = s.answered(ctx, c, id)
	return q, err
}

// CopyQuestionnaire makes a new, changeable version from an old one.
func (s *Store) CopyQuestionnaire(ctx context.Context, a access.Actor, id int64, name string) (Questionnaire, error) {
	if !MayManage(a) {
		return Questionnaire{}, apperr.Forbidden("survey.forbidden")
	}
	old, err := s.questionnaire(ctx, s.DB, id)
	if err != nil {
		return Questionnaire{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = old.Name + "（副本）"
	}
	return s.CreateQuestionnaire(ctx, a, QuestionnaireInput{Name: name, Note: old.Note, Source: "copy:" + strconv.FormatInt(id, 10),
		Questions: old.Questions})
}

// ReplaceQuestions changes a version's questions, all at once, while no
// interview has answered it; an answered version can only be copied.
func (s *Store) ReplaceQuestions(ctx context.Context, a access.Actor, id int64, qs []Question) error {
	if !MayManage(a) {
		return apperr.Forbidden("survey.forbidden")
	}
	if errs := check(qs); len(errs) > 0 {
		for _, list := range errs {
			return apperr.Invalid(list[0].Code, list[0].Args...)
		}
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := s.questionnaire(ctx, tx, id); err != nil {
			return err
		}
		if used, err := s.answered(ctx, tx, id); err != nil {
			return err
		} else if used {
			return apperr.Conflict("survey.questionnaire_answered")
		}
		if _, err := tx.Exec(ctx, "DELETE FROM survey_question WHERE questionnaire_id = ?", id); err != nil {
			return fmt.Errorf("replace questions: %w", err)
		}
		return insertQuestions(ctx, tx, id, qs)
	})
}

// EnsureSample stores the shipped sample questionnaire once, when there is
// no questionnaire at all.
func (s *Store) EnsureSample(ctx context.Context) (int64, error) {
	var id int64
	err := s.DB.QueryRow(ctx, "SELECT id FROM survey_questionnaire WHERE sample = ? ORDER BY id LIMIT 1", true).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("sample questionnaire: %w", err)
	}
	q, err := s.CreateQuestionnaire(ctx, access.System(), QuestionnaireInput{Name: SampleName, Note: SampleNote, Sample: true,
		Source: "sample", Questions: SampleQuestions()})
	return q.ID, err
}
