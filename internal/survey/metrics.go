package survey

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/region"
)

func geoPoint(lng, lat float64) geo.Point { return geo.Point{Lng: lng, Lat: lat} }

// QuestionCount counts the approved answers to a question (or pooled over
// a dimension's questions).
type QuestionCount struct {
	Answered  int
	Valid     int
	Positive  int
	ScoreSum  float64 // Σ weight × score over valid scored answers
	WeightSum float64 // Σ weight over the same answers
}

func (c *QuestionCount) add(o QuestionCount) {
	c.Answered += o.Answered
	c.Valid += o.Valid
	c.Positive += o.Positive
	c.ScoreSum += o.ScoreSum
	c.WeightSum += o.WeightSum
}

// Ratio is a rate as its numerator and denominator; without a denominator
// there is no rate.
type Ratio struct {
	Num, Den float64
}

// OK reports whether the rate exists.
func (r Ratio) OK() bool { return r.Den > 0 }

// Value is Num / Den (0 without a denominator).
func (r Ratio) Value() float64 {
	if r.Den <= 0 {
		return 0
	}
	return r.Num / r.Den
}

// Figures are a scope's counts (a community, street, district or the
// whole round), from which every rate follows by DESIGN.md's formulas.
type Figures struct {
	Code string
	Name string
	// Households: sampled (reserves once released), visited at least
	// once, refusing, and approved interviews.
	Sampled, Visited, Refused, Completed int
	Submitted                            int // waiting for review
	Dims                                 map[Dimension]QuestionCount
}

func newFigures(code, name string) Figures {
	return Figures{Code: code, Name: name, Dims: map[Dimension]QuestionCount{}}
}

func (f *Figures) add(o Figures) {
	f.Sampled += o.Sampled
	f.Visited += o.Visited
	f.Refused += o.Refused
	f.Completed += o.Completed
	f.Submitted += o.Submitted
	for d, c := range o.Dims {
		x := f.Dims[d]
		x.add(c)
		f.Dims[d] = x
	}
}

// VisitRate is 入户率: households visited at least once / sampled.
func (f Figures) VisitRate() Ratio { return Ratio{float64(f.Visited), float64(f.Sampled)} }

// CompletionRate is 完成率 (答卷率): approved interviews / households visited.
func (f Figures) CompletionRate() Ratio { return Ratio{float64(f.Completed), float64(f.Visited)} }

// RefusalRate is 拒访率: refusals / households visited.
func (f Figures) RefusalRate() Ratio { return Ratio{float64(f.Refused), float64(f.Visited)} }

// Rate is a dimension's rate: positive answers to its questions / valid
// answers to them; for 满意 the satisfaction (满意度): the weighted mean of
// the option scores, 0–100.
func (f Figures) Rate(d Dimension) Ratio {
	c := f.Dims[d]
	if d == Satisfaction {
		return Ratio{c.ScoreSum, c.WeightSum}
	}
	return Ratio{float64(c.Positive), float64(c.Valid)}
}

// Awareness etc. name the four figures of 三率一度 for the templates.
func (f Figures) Awareness() Ratio     { return f.Rate(Awareness) }
func (f Figures) Support() Ratio       { return f.Rate(Support) }
func (f Figures) Participation() Ratio { return f.Rate(Participation) }
func (f Figures) Satisfaction() Ratio  { return f.Rate(Satisfaction) }

// QuestionShare is a question's share of positive answers in a scope.
type QuestionShare struct {
	Question Question
	Count    QuestionCount
}

// Share is positive / valid.
func (q QuestionShare) Share() Ratio { return Ratio{float64(q.Count.Positive), float64(q.Count.Valid)} }

// Results are a round's figures by community, street and district, and
// for the whole round, with the weakest questions and the previous round
// of the same area.
type Results struct {
	Round       Round
	Overall     Figures
	Districts   []Figures
	Streets     []Figures
	Communities []Figures
	// Weakest are the questions with a dimension, lowest positive share
	// first, in the area asked for (the whole round by default).
	Area     string
	AreaName string
	Weakest  []QuestionShare
	Previous *Results // the previous round of the same area, if any
}

// Results computes a round's figures from the tally of approved answers
// and the sample's visit counts. Street and district figures pool their
// communities' counts; they are not means of community rates.
func (s *Store) Results(ctx context.Context, a access.Actor, round int64, area string) (Results, error) {
	r, err := s.Round(ctx, a, round)
	if err != nil {
		return Results{}, err
	}
	res, err := s.results(ctx, r, area)
	if err != nil {
		return res, err
	}
	prev, err := s.previousRound(ctx, r)
	if err != nil {
		return res, err
	}
	if prev != nil {
		p, err := s.results(ctx, *prev, "")
		if err != nil {
			return res, err
		}
		res.Previous = &p
	}
	return res, nil
}

func (s *Store) previousRound(ctx context.Context, r Round) (*Round, error) {
	ids, err := db.Int64s(ctx, s.DB, "SELECT id FROM survey_round WHERE region_code = ? AND id < ? ORDER BY id DESC LIMIT 1", r.RegionCode, r.ID)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	p, err := s.round(ctx, ids[0])
	return &p, err
}

func (s *Store) results(ctx context.Context, r Round, area string) (Results, error) {
	res := Results{Round: r, Area: area}
	q, err := s.questionnaire(ctx, s.DB, r.QuestionnaireID)
	if err != nil {
		return res, err
	}
	byCommunity := map[string]*Figures{}
	for _, c := range r.Communities {
		f := newFigures(c.Code, c.Name)
		byCommunity[c.Code] = &f
	}
	rows, err := s.DB.Query(ctx, `SELECT community_code, sampled, visited, refused, approved, submitted
		FROM survey_round_community WHERE round_id = ?`, r.ID)
	type countRow struct {
		code                                         string
		sampled, visited, refused, approved, waiting int
	}
	counts, err := db.Collect(rows, err, func(x *sql.Rows) (countRow, error) {
		var v countRow
		return v, x.Scan(&v.code, &v.sampled, &v.visited, &v.refused, &v.approved, &v.waiting)
	})
	if err != nil {
		return res, fmt.Errorf("round counts: %w", err)
	}
	for _, v := range counts {
		if f := byCommunity[v.code]; f != nil {
			f.Sampled, f.Visited, f.Refused, f.Completed, f.Submitted = v.sampled, v.visited, v.refused, v.approved, v.waiting
		}
	}
	// The tally by community and dimension, and by question for the
	// whole round (community '') or the area asked for (a range of the key).
	rows, err = s.DB.Query(ctx, `SELECT community_code, dimension, answered, valid, positive, score_sum, weight_sum
		FROM survey_tally_dim WHERE round_id = ?`, r.ID)
	type dimRow struct {
		community string
		dim       Dimension
		c         QuestionCount
	}
	dims, err := db.Collect(rows, err, func(x *sql.Rows) (dimRow, error) {
		var t dimRow
		return t, x.Scan(&t.community, &t.dim, &t.c.Answered, &t.c.Valid, &t.c.Positive, &t.c.ScoreSum, &t.c.WeightSum)
	})
	if err != nil {
		return res, fmt.Errorf("tally by dimension: %w", err)
	}
	for _, t := range dims {
		if f := byCommunity[t.community]; f != nil {
			d := f.Dims[t.dim]
			d.add(t.c)
			f.Dims[t.dim] = d
		}
	}
	where, args := "round_id = ? AND community_code = ''", []any{r.ID}
	if area != "" {
		cond, a := region.SubtreeSQL("community_code", area)
		where, args = "round_id = ? AND "+cond, append([]any{r.ID}, a...)
	}
	rows, err = s.DB.Query(ctx, `SELECT question_id, answered, valid, positive, score_sum, weight_sum FROM survey_tally WHERE `+where, args...)
	type qRow struct {
		q int64
		c QuestionCount
	}
	qrows, err := db.Collect(rows, err, func(x *sql.Rows) (qRow, error) {
		var t qRow
		return t, x.Scan(&t.q, &t.c.Answered, &t.c.Valid, &t.c.Positive, &t.c.ScoreSum, &t.c.WeightSum)
	})
	if err != nil {
		return res, fmt.Errorf("tally by question: %w", err)
	}
	perQuestion := map[int64]QuestionCount{}
	for _, t := range qrows {
		c := perQuestion[t.q]
		c.add(t.c)
		perQuestion[t.q] = c
	}
	res.Overall = newFigures(r.RegionCode, r.RegionName)
	streets, districts := map[string]*Figures{}, map[string]*Figures{}
	for _, c := range r.Communities {
		f := *byCommunity[c.Code]
		res.Communities = append(res.Communities, f)
		res.Overall.add(f)
		for _, p := range []struct {
			m    map[string]*Figures
			code string
		}{{streets, streetOf(c.Code)}, {districts, c.Code[:min(6, len(c.Code))]}} {
			g := p.m[p.code]
			if g == nil {
				x := newFigures(p.code, "")
				g = &x
				p.m[p.code] = g
			}
			g.add(f)
		}
	}
	var codes []string
	for c := range streets {
		codes = append(codes, c)
	}
	for c := range districts {
		codes = append(codes, c)
	}
	if area != "" {
		codes = append(codes, area)
	}
	names, err := region.Names(ctx, s.DB, codes)
	if err != nil {
		return res, err
	}
	res.AreaName = names[area]
	for _, m := range []map[string]*Figures{streets, districts} {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			f := *m[k]
			f.Name = names[k]
			if len(k) == 9 {
				res.Streets = append(res.Streets, f)
			} else {
				res.Districts = append(res.Districts, f)
			}
		}
	}
	for _, x := range q.Questions {
		if x.Dimension == None {
			continue
		}
		c := perQuestion[x.ID]
		if c.Valid == 0 {
			continue
		}
		res.Weakest = append(res.Weakest, QuestionShare{Question: x, Count: c})
	}
	sort.SliceStable(res.Weakest, func(i, j int) bool {
		return res.Weakest[i].Share().Value() < res.Weakest[j].Share().Value()
	})
	if len(res.Weakest) > 5 {
		res.Weakest = res.Weakest[:5]
	}
	return res, nil
}

// SortCommunities orders the community table by a column (name, visit,
// completion, refusal, awareness, support, participation, satisfaction),
// descending for rates unless asc.
func SortCommunities(list []Figures, by string, asc bool) {
	key := func(f Figures) float64 {
		switch by {
		case "visit":
			return f.VisitRate().Value()
		case "completion":
			return f.CompletionRate().Value()
		case "refusal":
			return f.RefusalRate().Value()
		case "awareness", "support", "participation", "satisfaction":
			return f.Rate(Dimension(by)).Value()
		case "sampled":
			return float64(f.Sampled)
		}
		return 0
	}
	if by == "" || by == "name" {
		sort.SliceStable(list, func(i, j int) bool {
			if asc {
				return strings.Compare(list[i].Code, list[j].Code) > 0
			}
			return list[i].Code < list[j].Code
		})
		return
	}
	sort.SliceStable(list, func(i, j int) bool {
		if asc {
			return key(list[i]) < key(list[j])
		}
		return key(list[i]) > key(list[j])
	})
}

// Pct is the rate in per cent with one decimal, "—" without one.
func (r Ratio) Pct() string {
	if !r.OK() {
		return "—"
	}
	return strconv.FormatFloat(r.Value()*100, 'f', 1, 64) + "%"
}

// Score is a 0–100 score with one decimal, "—" without one.
func (r Ratio) Score() string {
	if !r.OK() {
		return "—"
	}
	return strconv.FormatFloat(r.Value(), 'f', 1, 64)
}

// Figure is one of the seven rates by its key: visit, completion,
// refusal, awareness, support, participation, satisfaction.
func (f Figures) Figure(key string) Ratio {
	switch key {
	case "visit":
		return f.VisitRate()
	case "completion":
		return f.CompletionRate()
	case "refusal":
		return f.RefusalRate()
	}
	return f.Rate(Dimension(key))
}

// FigureText is Figure as shown: a score for satisfaction, else per cent.
func (f Figures) FigureText(key string) string {
	if key == string(Satisfaction) {
		return f.Figure(key).Score()
	}
	return f.Figure(key).Pct()
}

// FigureKeys lists the rates in the order pages show them.
func FigureKeys() []string {
	return []string{"visit", "completion", "refusal", string(Awareness), string(Support), string(Participation), string(Satisfaction)}
}

// Change is a rate's change against the previous round, in points
// ("+2.5", "-1.0"), "" without a previous figure.
func (r Results) Change(key string) string {
	if r.Previous == nil {
		return ""
	}
	cur, prev := r.Overall.Figure(key), r.Previous.Overall.Figure(key)
	if !cur.OK() || !prev.OK() {
		return ""
	}
	d := cur.Value() - prev.Value()
	if key != string(Satisfaction) {
		d *= 100
	}
	s := strconv.FormatFloat(d, 'f', 1, 64)
	if d >= 0 {
		s = "+" + s
	}
	return s
}

// Latest returns the results of the newest round the actor may read that
// has approved interviews, for the dashboard (nil: none). Only figures,
// never answers.
func (s *Store) Latest(ctx context.Context, a access.Actor) (*Results, error) {
	if !MayUse(a) {
		return nil, nil
	}
	ids, err := db.Int64s(ctx, s.DB, `SELECT r.id FROM survey_round r WHERE EXISTS (SELECT 1 FROM survey_round_community c
		WHERE c.round_id = r.id AND c.approved > 0) ORDER BY r.id DESC LIMIT 20`)
	if err != nil {
		return nil, fmt.Errorf("latest round: %w", err)
	}
	for _, id := range ids {
		r, err := s.round(ctx, id)
		if err != nil {
			return nil, err
		}
		if !r.mayRead(a) {
			continue
		}
		res, err := s.Results(ctx, a, id, "")
		if err != nil {
			return nil, err
		}
		return &res, nil
	}
	return nil, nil
}

// RoundFigures are a round's figures as a bulletin freezes them: the
// whole round and its streets.
type RoundFigures struct {
	ID      int64     `json:"id"`
	Name    string    `json:"name"`
	Mode    string    `json:"mode"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Overall Figures   `json:"overall"`
	Streets []Figures `json:"streets"`
}

// PeriodRounds lists the rounds whose field work overlaps the days from–to
// (YYYY-MM-DD) and whose communities lie in one of the areas, with their
// figures from approved interviews, for the bulletin's 入户调查 section.
// Figures only, never answers.
func PeriodRounds(ctx context.Context, d *db.DB, areas []string, from, to string) ([]RoundFigures, error) {
	s := &Store{DB: d}
	ids, err := db.Int64s(ctx, d, "SELECT id FROM survey_round WHERE starts_on <= ? AND ends_on >= ? ORDER BY starts_on, id", to, from)
	if err != nil {
		return nil, fmt.Errorf("rounds of the period: %w", err)
	}
	var out []RoundFigures
	for _, id := range ids {
		r, err := s.round(ctx, id)
		if err != nil {
			return nil, err
		}
		inside := len(r.Communities) > 0
		for _, c := range r.Communities {
			if !slices.ContainsFunc(areas, func(a string) bool { return access.InSubtree(c.Code, a) }) {
				inside = false
				break
			}
		}
		if !inside || r.Approved == 0 {
			continue
		}
		res, err := s.results(ctx, r, "")
		if err != nil {
			return nil, err
		}
		out = append(out, RoundFigures{ID: r.ID, Name: r.Name, Mode: r.Mode, From: r.StartsOn, To: r.EndsOn, Overall: res.Overall,
			Streets: res.Streets})
	}
	return out, nil
}
