package survey_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/survey"
)

func benchEnv(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// insertRows writes rows in multi-row INSERTs of up to 200 rows.
func insertRows(b *testing.B, d *db.DB, head string, cols int, rows [][]any) {
	b.Helper()
	ctx := context.Background()
	err := d.InTx(ctx, func(tx *db.Tx) error {
		for i := 0; i < len(rows); i += 200 {
			part := rows[i:min(i+200, len(rows))]
			one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
			var args []any
			for _, r := range part {
				args = append(args, r...)
			}
			if _, err := tx.Exec(ctx, head+" VALUES "+strings.TrimSuffix(strings.Repeat(one+", ", len(part)), ", "), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSurveyRound builds a city-sized round and measures what the
// issue asks: interviews submitted per second through the API, the time
// to compute every rate of the round by community and street, and the
// results page. The scale comes from WENMING_BENCH_SURVEY_COMMUNITIES
// (500), _HOUSEHOLDS per community (600: 300,000) and _N per community
// (100: 50,000 interviews of the 25-question sample). The submissions
// measured are b.N (-benchtime 2000x); the rest of the round's interviews
// are written as the approvals would have left them (interview rows,
// visits and the tally), so the rates are read at full size.
//
//	go test -run '^$' -bench SurveyRound -benchtime 2000x ./internal/survey/
func BenchmarkSurveyRound(b *testing.B) {
	ctx := context.Background()
	nComm := benchEnv("WENMING_BENCH_SURVEY_COMMUNITIES", 500)
	perComm := benchEnv("WENMING_BENCH_SURVEY_HOUSEHOLDS", 600)
	n := benchEnv("WENMING_BENCH_SURVEY_N", 100)
	app := servertest.New(b)
	office := servertest.Actor(b, app, "office")
	now := time.Now().UnixMilli()
	began := time.Now()
	// Communities under the demo district's streets.
	streets, err := demo.Streets(ctx, app.Regions)
	if err != nil {
		b.Fatal(err)
	}
	var regions, households [][]any
	var codes []string
	for i := 0; i < nComm; i++ {
		street := streets[i%len(streets)].Code
		code := street + fmt.Sprintf("%03d", 500+i/len(streets))
		codes = append(codes, code)
		regions = append(regions, []any{code, "合成社区" + strconv.Itoa(i), 5, street, now, now})
		for h := 0; h < perComm; h++ {
			households = append(households, []any{code, strconv.Itoa(1 + h/24), strconv.Itoa(1 + h%24/12), strconv.Itoa(101 + h%12),
				"合成住户", "13900000000", 3, h%20 != 0, now, now})
		}
	}
	insertRows(b, app.DB, "INSERT INTO region (code, name, level, parent_code, created_at, updated_at)", 6, regions)
	insertRows(b, app.DB, `INSERT INTO survey_household (community_code, building, unit_no, room, head_name, head_phone, residents,
		eligible, created_at, updated_at)`, 10, households)
	qid, err := app.Surveys.EnsureSample(ctx)
	if err != nil {
		b.Fatal(err)
	}
	insp := servertest.Actor(b, app, "inspector")
	t0 := time.Now()
	r, err := app.Surveys.CreateRound(ctx, office, survey.RoundInput{Name: "合成城市入户调查", QuestionnaireID: qid, Areas: codes,
		Mode: survey.ModeMock, StartsOn: "2026-01-01", EndsOn: "2099-01-01", Sampling: survey.Sampling{N: n, Reserve: 5, Seed: 1},
		Interviewers: []int64{insp.UserID}, Assign: survey.AssignEven})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d communities, %d households, round of %d drawn in %s (set-up %s)", app.DB.Dialect(), nComm, len(households),
		r.Sampled, time.Since(t0).Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	samples, err := db.Int64s(ctx, app.DB, "SELECT id FROM survey_sample WHERE round_id = ? AND reserve = FALSE ORDER BY id", r.ID)
	if err != nil {
		b.Fatal(err)
	}
	admin := app.SignedIn(b, "admin")
	token := servertest.CreateToken(b, admin, servertest.UserIDByName(b, app, "inspector"), "bench")
	answers := func(sample int64) string {
		var parts []string
		for _, c := range []string{"A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "B4", "B6", "B7"} {
			parts = append(parts, `"`+c+`":{"v":["是"]}`)
		}
		parts = append(parts, `"B5":{"v":["环境清洁"]}`, `"A6":{"v":["网络和手机"]}`, `"D1":{"v":["18-30 岁"]}`, `"D2":{"v":["5"]}`,
			`"D3":{"v":["企业职工"]}`, `"C9":{"v":["无"]}`)
		for i := 1; i <= 8; i++ {
			parts = append(parts, fmt.Sprintf(`"C%d":{"v":["满意"]}`, i))
		}
		return fmt.Sprintf(`{"sample_id":%d,"client_id":"bench-%08d","answers":{%s}}`, sample, sample, strings.Join(parts, ","))
	}
	var next atomic.Int64
	b.Run("submit", func(b *testing.B) {
		b.SetParallelism(2)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := next.Add(1) - 1
				if int(i) >= len(samples) {
					b.Fatal("more submissions than households")
				}
				req, _ := http.NewRequest("POST", app.URL+"/api/v1/survey-interviews", strings.NewReader(answers(samples[i])))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusCreated {
					b.Fatalf("submit: %d", res.StatusCode)
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "interviews/s")
	})
	// Approve what was submitted, through the store (the supervisor's
	// clicks), and time it.
	ids, err := db.Int64s(ctx, app.DB, "SELECT id FROM survey_interview WHERE round_id = ? AND state = 'submitted' ORDER BY id", r.ID)
	if err != nil {
		b.Fatal(err)
	}
	t0 = time.Now()
	for _, id := range ids {
		if err := app.Surveys.Review(ctx, office, id, survey.ReviewInput{Approve: true}); err != nil {
			b.Fatal(err)
		}
	}
	if len(ids) > 0 {
		b.Logf("approved %d interviews: %.0f/s", len(ids), float64(len(ids))/time.Since(t0).Seconds())
	}
	// The rest of the round as its approvals would have left it.
	rest := samples[min(int(next.Load()), len(samples)):]
	var ivs [][]any
	for _, s := range rest {
		ivs = append(ivs, []any{r.ID, s, insp.UserID, "approved", 1, now})
	}
	if len(ivs) > 0 {
		rows, err := app.DB.Query(ctx, "SELECT id, community_code FROM survey_sample WHERE round_id = ? AND reserve = FALSE ORDER BY id", r.ID)
		if err != nil {
			b.Fatal(err)
		}
		comm := map[int64]string{}
		for rows.Next() {
			var id int64
			var c string
			if err := rows.Scan(&id, &c); err != nil {
				b.Fatal(err)
			}
			comm[id] = c
		}
		rows.Close()
		for i := range ivs {
			ivs[i] = []any{r.ID, rest[i], comm[rest[i]], insp.UserID, "approved", 1, now}
		}
		insertRows(b, app.DB, "INSERT INTO survey_interview (round_id, sample_id, community_code, interviewer_id, state, version, submitted_at)", 7, ivs)
		if _, err := app.DB.Exec(ctx, "UPDATE survey_sample SET visits = 1, status = 'completed' WHERE round_id = ? AND reserve = FALSE", r.ID); err != nil {
			b.Fatal(err)
		}
		if _, err := app.DB.Exec(ctx, "UPDATE survey_round_community SET visited = sampled, approved = sampled, submitted = 0 WHERE round_id = ?", r.ID); err != nil {
			b.Fatal(err)
		}
		q, err := app.Surveys.Questionnaire(ctx, office, qid)
		if err != nil {
			b.Fatal(err)
		}
		var tally, dims [][]any
		perDim := map[survey.Dimension]int{}
		for _, x := range q.Questions {
			perDim[x.Dimension]++
		}
		for _, c := range append(slices.Clone(codes), "") {
			k := n
			if c == "" {
				k = n * nComm
			}
			for _, x := range q.Questions {
				score, weight := 0.0, 0.0
				if x.Dimension == survey.Satisfaction {
					score, weight = float64(k)*80, float64(k)
				}
				tally = append(tally, []any{r.ID, c, x.ID, k, k, k * 9 / 10, score, weight})
			}
			if c == "" {
				continue
			}
			for _, d := range survey.Dimensions() {
				m := perDim[d] * n
				score, weight := 0.0, 0.0
				if d == survey.Satisfaction {
					score, weight = float64(m)*80, float64(m)
				}
				dims = append(dims, []any{r.ID, c, string(d), m, m, m * 9 / 10, score, weight})
			}
		}
		for _, t := range []string{"survey_tally", "survey_tally_dim"} {
			if _, err := app.DB.Exec(ctx, "DELETE FROM "+t+" WHERE round_id = ?", r.ID); err != nil {
				b.Fatal(err)
			}
		}
		insertRows(b, app.DB, "INSERT INTO survey_tally (round_id, community_code, question_id, answered, valid, positive, score_sum, weight_sum)", 8, tally)
		insertRows(b, app.DB, "INSERT INTO survey_tally_dim (round_id, community_code, dimension, answered, valid, positive, score_sum, weight_sum)", 8, dims)
		if err := app.DB.Analyze(ctx, []string{"survey_sample", "survey_interview", "survey_tally", "survey_tally_dim", "survey_round_community"}, nil); err != nil {
			b.Logf("analyze: %v", err)
		}
	}
	b.Run("rates", func(b *testing.B) {
		for b.Loop() {
			res, err := app.Surveys.Results(ctx, office, r.ID, "")
			if err != nil {
				b.Fatal(err)
			}
			if len(res.Communities) != nComm || res.Overall.Completed < len(samples)-1 {
				b.Fatalf("results: %d communities, %d completed", len(res.Communities), res.Overall.Completed)
			}
		}
	})
	page := app.SignedIn(b, "office")
	path := "/surveys/rounds/" + strconv.FormatInt(r.ID, 10) + "/results"
	b.Run("page", func(b *testing.B) {
		var took []time.Duration
		for b.Loop() {
			t := time.Now()
			res, err := page.HTTP.Get(app.URL + path)
			if err != nil {
				b.Fatal(err)
			}
			_, err = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusOK {
				b.Fatalf("results page: %d %v", res.StatusCode, err)
			}
			took = append(took, time.Since(t))
		}
		slices.Sort(took)
		b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
	})
}
