package servertest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/site"
	"github.com/wenming-civic/wenming/internal/survey"
)

// The projection world's areas: two streets of the demo district and two
// communities of the first.
const (
	ProjStreetA = "410411001"
	ProjStreetB = "410411002"
	ProjCommA   = "410411001001"
	ProjCommB   = "410411001002"
)

// ProjectionWorld is what SeedProjection made, for the tests to check
// the projected score against figures counted by hand.
type ProjectionWorld struct {
	Version  int64
	Criteria map[string]int64 // node id by code
	Sites    []int64          // 1–3 in street A, 4 in street B
	Plans    []int64          // the first round, the second, a covert one never published
	Round    int64            // the closed survey round
}

// SeedProjection makes a small framework and activates it, with
//
//	1.1.1.1 实地考察 4 分 (公共广场)
//	1.1.1.2 实地考察、材料审核 2 分 (公共广场)
//	1.1.1.3 实地考察 2 分 (公共厕所: no site, so 无数据)
//	1.2.1.1 问卷调查 3 分 (the sample questionnaire's A1–A5)
//	1.2.1.2 问卷调查 1 分 (B1–B3 and C8)
//	3.1.1.1 材料审核 6 分
//
// four squares (1–3 in street A, 4 in street B), three inspection rounds:
//
//	round 1 (open):  every site passes everything but site 4's 1.1.1.2 (不适用)
//	round 2 (open):  sites 1–3 only; 1.1.1.1 fails at 1 and 3, 1.1.1.2 at 2 and 3
//	round 3 (covert, unpublished): site 1 fails everything — not counted
//
// and a closed survey round in communities A and B of street A with three
// approved interviews (X and Y in A, one in B; see the answers below).
func SeedProjection(t testing.TB, app *App) ProjectionWorld {
	t.Helper()
	ctx := context.Background()
	sys := access.System()
	w := ProjectionWorld{Criteria: map[string]int64{}}
	v, err := app.Framework.CreateVersion(ctx, sys, framework.VersionInput{Name: "预估测试体系"})
	if err != nil {
		t.Fatal(err)
	}
	w.Version = v.ID
	score := func(x float64) *float64 { return &x }
	ids := map[string]int64{}
	node := func(parent, code, text string, methods []framework.Method, s *float64, types ...string) {
		n, err := app.Framework.CreateNode(ctx, sys, v.ID, framework.NodeInput{ParentID: ids[parent], Code: code, Text: text,
			Methods: methods, Score: s, SiteTypes: types})
		if err != nil {
			t.Fatalf("node %s: %v", code, err)
		}
		ids[code] = n.ID
	}
	field, surveyM, dossier := framework.MethodField, framework.MethodSurvey, framework.MethodDossier
	node("", "1", "宣传与环境", nil, nil)
	node("1", "1.1", "公共场所", nil, nil)
	node("1.1", "1.1.1", "广场与公厕", nil, nil)
	node("1.1.1", "1.1.1.1", "广场干净整洁", []framework.Method{field}, score(4), "square")
	node("1.1.1", "1.1.1.2", "广场公益广告完好并留存台账", []framework.Method{field, dossier}, score(2), "square")
	node("1.1.1", "1.1.1.3", "公厕干净无异味", []framework.Method{field}, score(2), "toilet")
	node("1", "1.2", "群众评价", nil, nil)
	node("1.2", "1.2.1", "知晓与支持", nil, nil)
	node("1.2.1", "1.2.1.1", "市民对创建工作的知晓率", []framework.Method{surveyM}, score(3))
	node("1.2.1", "1.2.1.2", "市民对创建工作的支持率和满意度", []framework.Method{surveyM}, score(1))
	node("", "3", "长效机制", nil, nil)
	node("3", "3.1", "制度建设", nil, nil)
	node("3.1", "3.1.1", "工作制度", nil, nil)
	node("3.1.1", "3.1.1.1", "创建工作制度健全、台账完整", []framework.Method{dossier}, score(6))
	for _, c := range []string{"1.1.1.1", "1.1.1.2", "1.1.1.3", "1.2.1.1", "1.2.1.2", "3.1.1.1"} {
		w.Criteria[c] = ids[c]
	}
	if err := app.Framework.Activate(ctx, sys, v.ID); err != nil {
		t.Fatal(err)
	}

	for i, street := range []string{ProjStreetA, ProjStreetA, ProjStreetA, ProjStreetB} {
		s, err := app.Sites.Create(ctx, sys, site.Input{Name: fmt.Sprintf("预估测试广场%d", i+1), TypeCode: "square",
			RegionCode: street, Address: fmt.Sprintf("预估路%d号", i+1)})
		if err != nil {
			t.Fatal(err)
		}
		w.Sites = append(w.Sites, s.ID)
	}
	office, insp := Actor(t, app, "office"), Actor(t, app, "inspector")
	photo, err := app.Media.Ingest(ctx, bytes.NewReader(JPEGBytes(31)), "fail.jpg")
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now().AddDate(0, 0, -30)
	realNow := app.Inspect.Now
	app.Inspect.Now = func() time.Time { return clock }
	defer func() { app.Inspect.Now = realNow }()
	// outcomes: site index → criterion code → outcome (pass by default).
	round := func(name string, covert bool, sites []int, outcomes map[int]map[string]inspect.Outcome) {
		t.Helper()
		var siteIDs []int64
		for _, i := range sites {
			siteIDs = append(siteIDs, w.Sites[i])
		}
		p, err := app.Inspect.CreatePlan(ctx, office, inspect.PlanInput{Name: name, RegionCode: "410411", Covert: covert,
			StartsOn: clock.Format("2006-01-02"), EndsOn: clock.AddDate(0, 0, 3).Format("2006-01-02"), SiteIDs: siteIDs,
			Inspectors: []int64{insp.UserID}})
		if err != nil {
			t.Fatal(err)
		}
		w.Plans = append(w.Plans, p.ID)
		for _, i := range sites {
			clock = clock.Add(time.Hour)
			cl, err := app.Inspect.Checklist(ctx, insp, p.ID, w.Sites[i])
			if err != nil {
				t.Fatal(err)
			}
			in := inspect.SubmitInput{PlanID: p.ID, SiteID: w.Sites[i], ClientID: fmt.Sprintf("proj-%d-%d", p.ID, i)}
			for _, c := range cl.Criteria {
				o := inspect.Pass
				if x, ok := outcomes[i][c.Code]; ok {
					o = x
				}
				r := inspect.ResultInput{NodeID: c.ID, Outcome: o}
				if o == inspect.Fail {
					r.Photo, r.Note = photo.Hash, "预估测试不合格"
				}
				in.Results = append(in.Results, r)
			}
			if _, err := app.Inspect.Submit(ctx, insp, in); err != nil {
				t.Fatalf("%s site %d: %v", name, i+1, err)
			}
		}
		clock = clock.AddDate(0, 0, 7)
	}
	round("预估第一轮", false, []int{0, 1, 2, 3}, map[int]map[string]inspect.Outcome{3: {"1.1.1.2": inspect.NotApplicable}})
	round("预估第二轮", false, []int{0, 1, 2}, map[int]map[string]inspect.Outcome{
		0: {"1.1.1.1": inspect.Fail}, 1: {"1.1.1.2": inspect.Fail}, 2: {"1.1.1.1": inspect.Fail, "1.1.1.2": inspect.Fail}})
	round("预估暗访", true, []int{0}, map[int]map[string]inspect.Outcome{0: {"1.1.1.1": inspect.Fail, "1.1.1.2": inspect.Fail}})

	w.Round = seedProjectionSurvey(t, app)
	return w
}

// seedProjectionSurvey plays a closed round with three approved
// interviews: X in A (all positive, 满意), Y in A (A2 否, A3 不清楚, A5 否,
// B2 否, 非常满意) and one in B (all positive, 非常满意).
func seedProjectionSurvey(t testing.TB, app *App) int64 {
	t.Helper()
	ctx := context.Background()
	s := app.Surveys
	office, interviewer, supervisor := Actor(t, app, "office"), Actor(t, app, "inspector"), Actor(t, app, "handler")
	qid, err := s.EnsureSample(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{ProjCommA, ProjCommB} {
		for i := 1; i <= 6; i++ {
			if _, err := s.AddHousehold(ctx, office, survey.HouseholdInput{Community: c, Building: "1", UnitNo: "1",
				Room: fmt.Sprint(200 + i), HeadName: "测试户", HeadPhone: fmt.Sprintf("1390001%04d", i), Residents: 2, Eligible: true}); err != nil {
				t.Fatal(err)
			}
		}
	}
	r, err := s.CreateRound(ctx, office, survey.RoundInput{Name: "预估模拟调查", QuestionnaireID: qid,
		Areas: []string{ProjCommA, ProjCommB}, Mode: survey.ModeMock, StartsOn: "2026-11-01", EndsOn: "2026-11-30",
		Sampling: survey.Sampling{Per: survey.PerCommunity, N: 3, Reserve: 1, Seed: 5}, MaxAbsent: 2,
		Interviewers: []int64{interviewer.UserID}, Assign: survey.AssignStreet, Supervisors: map[string]int64{ProjStreetA: supervisor.UserID}})
	if err != nil {
		t.Fatal(err)
	}
	_, list, err := s.MyHouseholds(ctx, interviewer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var inA, inB []int64
	for _, h := range list {
		if h.Community == ProjCommA {
			inA = append(inA, h.ID)
		} else {
			inB = append(inB, h.ID)
		}
	}
	answers := func(sat string, kv ...string) survey.Answers {
		a := survey.Answers{}
		for i, code := range []string{"A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "B4", "B6", "B7"} {
			a[code] = survey.Answer{Values: []string{"是"}}
			if i >= 8 {
				a[code] = survey.Answer{Values: []string{"否"}}
			}
		}
		a["D1"], a["D2"] = survey.Answer{Values: []string{"31-45 岁"}}, survey.Answer{Values: []string{"12"}}
		for i := 1; i <= 8; i++ {
			a[fmt.Sprintf("C%d", i)] = survey.Answer{Values: []string{sat}}
		}
		for i := 0; i+1 < len(kv); i += 2 {
			a[kv[i]] = survey.Answer{Values: strings.Split(kv[i+1], "|")}
		}
		return a
	}
	for i, iv := range []struct {
		sample int64
		a      survey.Answers
	}{
		{inA[0], answers("满意")},
		{inA[1], answers("非常满意", "A2", "否", "A3", "不清楚", "A5", "否", "B2", "否")},
		{inB[0], answers("非常满意")},
	} {
		got, err := s.SubmitInterview(ctx, interviewer, survey.InterviewInput{SampleID: iv.sample, ClientID: fmt.Sprintf("proj-iv-%d", i),
			Answers: iv.a, StartedAt: time.Now().Add(-9 * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Review(ctx, supervisor, got.ID, survey.ReviewInput{Approve: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(ctx, office, r.ID); err != nil {
		t.Fatal(err)
	}
	return r.ID
}
