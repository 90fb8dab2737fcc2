package survey

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/region"
)

// CriterionRates are a round's rates for the framework criteria its
// questions name (测评标准), by community, for the projected score.
type CriterionRates struct {
	RoundID   int64
	RoundName string
	// ByCriterion holds, for each criterion code, each community's pooled
	// ratio over the criterion's questions: for 知晓、支持、参与 questions
	// positive / valid answers, for 满意 questions (weighted option score
	// ÷ 100) / weight, so a criterion's rate over an area is Σ Num / Σ Den
	// of its communities, pooled as DESIGN.md's survey metrics are.
	ByCriterion map[string]map[string]Ratio
}

// LatestCriterionRates finds the newest closed round with approved
// interviews in the area (a region subtree; "" for all) and returns its
// criteria's rates over the area's communities, from approved interviews
// only; nil when there is no such round. Figures only, never answers; the
// caller decides who may see them.
func LatestCriterionRates(ctx context.Context, d *db.DB, area string) (*CriterionRates, error) {
	cond, args := "c.community_code <> ''", []any{}
	if area != "" {
		cond, args = region.SubtreeSQL("c.community_code", area)
	}
	ids, err := db.Int64s(ctx, d, `SELECT r.id FROM survey_round r WHERE r.closed_at IS NOT NULL AND EXISTS (
		SELECT 1 FROM survey_round_community c WHERE c.round_id = r.id AND c.approved > 0 AND `+cond+`)
		ORDER BY r.closed_at DESC, r.id DESC LIMIT 1`, args...)
	if err != nil {
		return nil, fmt.Errorf("latest closed round: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	s := &Store{DB: d}
	r, err := s.round(ctx, ids[0])
	if err != nil {
		return nil, err
	}
	q, err := s.questionnaire(ctx, d, r.QuestionnaireID)
	if err != nil {
		return nil, err
	}
	byQuestion := map[int64]Question{}
	for _, x := range q.Questions {
		if x.Criterion != "" && x.Dimension != None {
			byQuestion[x.ID] = x
		}
	}
	out := &CriterionRates{RoundID: r.ID, RoundName: r.Name, ByCriterion: map[string]map[string]Ratio{}}
	rows, err := d.Query(ctx, `SELECT c.community_code, c.question_id, c.valid, c.positive, c.score_sum, c.weight_sum
		FROM survey_tally c WHERE c.round_id = ? AND `+cond, append([]any{r.ID}, args...)...)
	type tally struct {
		community string
		question  int64
		c         QuestionCount
	}
	list, err := db.Collect(rows, err, func(x *sql.Rows) (tally, error) {
		var t tally
		return t, x.Scan(&t.community, &t.question, &t.c.Valid, &t.c.Positive, &t.c.ScoreSum, &t.c.WeightSum)
	})
	if err != nil {
		return nil, fmt.Errorf("criterion tally: %w", err)
	}
	for _, t := range list {
		x, ok := byQuestion[t.question]
		if !ok {
			continue
		}
		m := out.ByCriterion[x.Criterion]
		if m == nil {
			m = map[string]Ratio{}
			out.ByCriterion[x.Criterion] = m
		}
		v := m[t.community]
		if x.Dimension == Satisfaction {
			v.Num += t.c.ScoreSum / 100
			v.Den += t.c.WeightSum
		} else {
			v.Num += float64(t.c.Positive)
			v.Den += float64(t.c.Valid)
		}
		m[t.community] = v
	}
	return out, nil
}
