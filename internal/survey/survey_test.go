package survey_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/survey"
)

const (
	street = "410411001"
	commA  = "410411001001"
	commB  = "410411001002"
)

type fixture struct {
	s                                   *survey.Store
	o                                   *org.Store
	office, interviewer, supervisor, hq access.Actor
	community                           access.Actor
	questionnaire                       int64
}

func actor(t *testing.T, o *org.Store, login string) access.Actor {
	t.Helper()
	ctx := context.Background()
	c, err := o.FindCredentials(ctx, login)
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := o.Actor(ctx, c.UserID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func setup(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	o := org.New(d)
	o.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	if _, err := demo.Load(ctx, &region.Store{DB: d}, o); err != nil {
		t.Fatal(err)
	}
	s := &survey.Store{DB: d, Now: time.Now}
	qid, err := s.EnsureSample(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{s: s, o: o, office: actor(t, o, "office"), interviewer: actor(t, o, "inspector"), supervisor: actor(t, o, "handler"),
		community: actor(t, o, "shequ"), hq: actor(t, o, "leader"), questionnaire: qid}
	for _, c := range []string{commA, commB} {
		for i := 1; i <= 10; i++ {
			if _, err := s.AddHousehold(ctx, f.office, survey.HouseholdInput{Community: c, Building: fmt.Sprint(i % 3), UnitNo: "1",
				Room: fmt.Sprint(100 + i), HeadName: "张三丰", HeadPhone: "1390000" + fmt.Sprintf("%04d", i), Residents: 3, Eligible: i != 10}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return f
}

func (f fixture) round(t *testing.T, seed int64) survey.Round {
	t.Helper()
	r, err := f.s.CreateRound(context.Background(), f.office, survey.RoundInput{Name: "模拟入户调查", QuestionnaireID: f.questionnaire,
		Areas: []string{commA, commB}, Mode: survey.ModeMock, StartsOn: "2026-11-01", EndsOn: "2026-11-30",
		Sampling: survey.Sampling{Per: survey.PerCommunity, N: 4, Reserve: 2, Seed: seed}, MaxAbsent: 2,
		Interviewers: []int64{f.interviewer.UserID}, Assign: survey.AssignStreet, Supervisors: map[string]int64{street: f.supervisor.UserID}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDrawIsReproducibleAndReservesComeInOrder(t *testing.T) {
	pools := []survey.Pool{{Community: commA, Households: []int64{1, 2, 3, 4, 5, 6, 7, 8, 9}}, {Community: commB, Households: []int64{11, 12, 13}}}
	q := survey.Quotas(pools, survey.Sampling{Per: survey.PerCommunity, N: 4})
	a, b := survey.Draw(pools, q, 2, 42), survey.Draw(pools, q, 2, 42)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("same seed, different draws:\n%v\n%v", a, b)
	}
	if c := survey.Draw(pools, q, 2, 43); fmt.Sprint(a) == fmt.Sprint(c) {
		t.Fatal("another seed drew the same sample")
	}
	// commA: 4 drawn and 2 reserves; commB has 3 households: all drawn, no reserve.
	var primaryA, reserveA, inB int
	for _, d := range a {
		switch {
		case d.Community == commA && d.Reserve:
			reserveA++
			if d.Order <= 4 {
				t.Fatalf("reserve before the drawn: %+v", d)
			}
		case d.Community == commA:
			primaryA++
		default:
			inB++
		}
	}
	if primaryA != 4 || reserveA != 2 || inB != 3 {
		t.Fatalf("draw %d+%d in A, %d in B", primaryA, reserveA, inB)
	}
	// Proportional quotas by street: 9 and 3 households share 8 as 6 and 2.
	q = survey.Quotas(pools, survey.Sampling{Per: survey.PerStreet, N: 8})
	if q[commA] != 6 || q[commB] != 2 {
		t.Fatalf("proportional quotas %v", q)
	}
}

func answers(kv ...string) survey.Answers {
	out := survey.Answers{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = survey.Answer{Values: strings.Split(kv[i+1], "|")}
	}
	return out
}

// base is an interview that says 是 to every yes/no question, B4 否 (so
// B5 is skipped), and rates everything sat.
func base(sat string) survey.Answers {
	a := answers("A1", "是", "A2", "是", "A3", "是", "A4", "是", "A5", "是", "B1", "是", "B2", "是", "B3", "是", "B4", "否",
		"B6", "否", "B7", "否", "D1", "31-45 岁", "D2", "12")
	for i := 1; i <= 8; i++ {
		a[fmt.Sprintf("C%d", i)] = survey.Answer{Values: []string{sat}}
	}
	return a
}

func (f fixture) households(t *testing.T, round int64, community string) []survey.SampleHousehold {
	t.Helper()
	_, list, err := f.s.MyHouseholds(context.Background(), f.interviewer, round)
	if err != nil {
		t.Fatal(err)
	}
	var out []survey.SampleHousehold
	for _, h := range list {
		if h.Community == community {
			out = append(out, h)
		}
	}
	return out
}

func (f fixture) interview(t *testing.T, sample int64, client string, a survey.Answers) survey.Interview {
	t.Helper()
	iv, err := f.s.SubmitInterview(context.Background(), f.interviewer, survey.InterviewInput{SampleID: sample, ClientID: client, Answers: a,
		StartedAt: time.Now().Add(-9 * time.Minute)})
	if err != nil {
		t.Fatalf("interview %s: %v", client, err)
	}
	return iv
}

func near(t *testing.T, what string, got survey.Ratio, num, den float64) {
	t.Helper()
	if got.Den != den || math.Abs(got.Num-num) > 1e-9 {
		t.Errorf("%s = %v/%v, want %v/%v", what, got.Num, got.Den, num, den)
	}
}

// TestRatesOnAWorkedExample plays a round and checks every rate against
// figures counted by hand.
func TestRatesOnAWorkedExample(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	r := f.round(t, 7)
	if r.Sampled != 8 {
		t.Fatalf("sampled %d, want 4 + 4 (reserves not yet released)", r.Sampled)
	}
	hA := f.households(t, r.ID, commA)
	if len(hA) != 4 {
		t.Fatalf("interviewer sees %d households in A", len(hA))
	}
	if !hA[0].Household.Masked || strings.Contains(hA[0].Household.HeadName, "三丰") {
		t.Fatalf("interviewer sees the name: %+v", hA[0].Household)
	}
	// A: 1 and 2 interviewed; 3 refuses (a reserve is released at once);
	// 4 is not at home once; the released reserve is interviewed but not reviewed.
	x := f.interview(t, hA[0].ID, "client-x-0001", base("满意"))
	y := base("非常满意")
	for k, v := range map[string]string{"A2": "否", "A3": "不清楚", "A5": "否", "B2": "否", "B4": "是", "B5": "环境清洁|邻里互助", "B6": "是"} {
		y[k] = survey.Answer{Values: strings.Split(v, "|")}
	}
	y["C1"] = survey.Answer{Values: []string{"不满意"}, Note: "垃圾清运不及时", Consent: true}
	yi := f.interview(t, hA[1].ID, "client-y-0001", y)
	v, err := f.s.RecordVisit(ctx, f.interviewer, survey.VisitInput{SampleID: hA[2].ID, ClientID: "visit-refuse-1", Outcome: survey.Refused, Reason: "家中有事"})
	if err != nil || v.Released == 0 {
		t.Fatalf("refusal: %+v %v", v, err)
	}
	if _, err := f.s.RecordVisit(ctx, f.interviewer, survey.VisitInput{SampleID: hA[3].ID, ClientID: "visit-absent-1", Outcome: survey.Absent}); err != nil {
		t.Fatal(err)
	}
	hA = f.households(t, r.ID, commA)
	var reserve survey.SampleHousehold
	for _, h := range hA {
		if h.Reserve {
			reserve = h
		}
	}
	if reserve.ID != v.Released || reserve.Order != 5 {
		t.Fatalf("released reserve %+v, want order 5 (id %d)", reserve, v.Released)
	}
	f.interview(t, reserve.ID, "client-z-0001", base("一般"))
	// B: one interview, all positive.
	hB := f.households(t, r.ID, commB)
	b := base("非常满意")
	b["B4"], b["B5"], b["B6"], b["B7"] = survey.Answer{Values: []string{"是"}}, survey.Answer{Values: []string{"其他"}}, survey.Answer{Values: []string{"是"}}, survey.Answer{Values: []string{"是"}}
	bi := f.interview(t, hB[0].ID, "client-b-0001", b)
	for _, id := range []int64{x.ID, yi.ID, bi.ID} {
		if err := f.s.Review(ctx, f.supervisor, id, survey.ReviewInput{Approve: true}); err != nil {
			t.Fatal(err)
		}
	}

	res, err := f.s.Results(ctx, f.office, r.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	var a, bf survey.Figures
	for _, c := range res.Communities {
		switch c.Code {
		case commA:
			a = c
		case commB:
			bf = c
		}
	}
	// A: sampled 4 + 1 released reserve; visited 1, 2, 3, 4 and the reserve.
	near(t, "A 入户率", a.VisitRate(), 5, 5)
	near(t, "A 完成率", a.CompletionRate(), 2, 5) // the reserve's interview is not approved
	near(t, "A 拒访率", a.RefusalRate(), 1, 5)
	near(t, "A 知晓率", a.Awareness(), 5+2, 5+4) // Y: 是 否 不清楚 是 否 — 不清楚 is not valid
	near(t, "A 支持率", a.Support(), 3+2, 6)
	near(t, "A 参与率", a.Participation(), 0+2, 6)
	near(t, "A 满意度", a.Satisfaction(), 8*80+40+7*100, 16)
	if got := a.Satisfaction().Value(); got != 86.25 {
		t.Errorf("A 满意度 %v, want 86.25", got)
	}
	near(t, "B 知晓率", bf.Awareness(), 5, 5)
	near(t, "B 入户率", bf.VisitRate(), 1, 4)
	// The street pools the answers of its communities: 12/14, not the mean of 7/9 and 5/5.
	if len(res.Streets) != 1 {
		t.Fatalf("streets %+v", res.Streets)
	}
	st := res.Streets[0]
	near(t, "street 知晓率", st.Awareness(), 12, 14)
	near(t, "street 入户率", st.VisitRate(), 6, 9)
	near(t, "street 满意度", st.Satisfaction(), 1380+800, 24)
	near(t, "round 参与率", res.Overall.Participation(), 2+3, 9)
	if res.Overall.Submitted != 1 {
		t.Errorf("waiting for review %d, want 1", res.Overall.Submitted)
	}
	// The weakest question is the participation question B7 (0 of 3... B7: X 否, Y 否, B 是 → 1/3).
	if len(res.Weakest) == 0 || res.Weakest[0].Share().Value() > 0.34 {
		t.Fatalf("weakest %+v", res.Weakest)
	}

	// The worked example of DESIGN.md: 156 of 160 support → 97.5%.
	if got := (survey.Ratio{Num: 156, Den: 160}).Value(); got != 0.975 {
		t.Fatalf("支持率 %v", got)
	}
}

func TestInterviewRules(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	r := f.round(t, 3)
	h := f.households(t, r.ID, commA)
	submit := func(who access.Actor, sample int64, client string, a survey.Answers) error {
		_, err := f.s.SubmitInterview(ctx, who, survey.InterviewInput{SampleID: sample, ClientID: client, Answers: a})
		return err
	}
	missing := base("满意")
	delete(missing, "A1")
	skipped := base("满意")
	skipped["B4"] = survey.Answer{Values: []string{"是"}} // B5 now required
	outside := base("满意")
	outside["C2"] = survey.Answer{Values: []string{"很好"}}
	for _, tc := range []struct {
		name string
		who  access.Actor
		a    survey.Answers
		code string
	}{
		{"missing required", f.interviewer, missing, "survey.answer_required"},
		{"required after skip logic", f.interviewer, skipped, "survey.answer_required"},
		{"answer outside the options", f.interviewer, outside, "survey.answer_not_option"},
		{"not dealt to the actor", f.supervisor, base("满意"), "survey.not_dealt_to_you"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := submit(tc.who, h[0].ID, "client-"+strings.ReplaceAll(tc.name, " ", "-"), tc.a)
			if e := apperr.As(err); e.Code != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
	// Sent twice: recorded once.
	first := f.interview(t, h[0].ID, "client-twice-01", base("满意"))
	again := f.interview(t, h[0].ID, "client-twice-01", base("满意"))
	if !again.Repeat || again.ID != first.ID || len(again.Versions) != 1 {
		t.Fatalf("repeat %+v", again)
	}
	// Return → resubmit → approve keeps both versions.
	if err := f.s.Review(ctx, f.supervisor, first.ID, survey.ReviewInput{}); err == nil {
		t.Fatal("a return without a comment was accepted")
	}
	if err := f.s.Review(ctx, f.supervisor, first.ID, survey.ReviewInput{Comment: "D2 居住年数有误"}); err != nil {
		t.Fatal(err)
	}
	fixed := base("满意")
	fixed["D2"] = survey.Answer{Values: []string{"3"}}
	second := f.interview(t, h[0].ID, "client-fixed-01", fixed)
	if second.Version != 2 || len(second.Versions) != 2 || second.Versions[0].Answers["D2"].Values[0] != "12" {
		t.Fatalf("resubmission %+v", second)
	}
	if err := f.s.Review(ctx, f.supervisor, first.ID, survey.ReviewInput{Approve: true}); err != nil {
		t.Fatal(err)
	}
	v, err := f.s.InterviewFor(ctx, f.office, first.ID)
	if err != nil || v.State != survey.StateApproved || len(v.Versions) != 2 {
		t.Fatalf("approved %+v %v", v.Interview, err)
	}
	// A closed round takes no more interviews.
	if err := f.s.Close(ctx, f.office, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := submit(f.interviewer, h[1].ID, "client-closed-1", base("满意")); apperr.As(err).Code != "survey.round_closed" {
		t.Fatalf("closed round: %v", err)
	}
	// Absent twice (the round's limit) releases a reserve.
	f2 := f.round(t, 4)
	h2 := f.households(t, f2.ID, commB)
	for i := 1; i <= 2; i++ {
		v, err := f.s.RecordVisit(ctx, f.interviewer, survey.VisitInput{SampleID: h2[0].ID, ClientID: fmt.Sprintf("absent-%d-xx", i), Outcome: survey.Absent})
		if err != nil {
			t.Fatal(err)
		}
		if (v.Released != 0) != (i == 2) {
			t.Fatalf("visit %d released %d", i, v.Released)
		}
	}
	if _, err := f.s.RecordVisit(ctx, f.interviewer, survey.VisitInput{SampleID: h2[1].ID, ClientID: "refuse-noreason", Outcome: survey.Refused}); apperr.As(err).Code != "survey.refusal_needs_reason" {
		t.Fatalf("refusal without reason: %v", err)
	}
}

func TestHouseholdScope(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	for _, tc := range []struct {
		name   string
		who    access.Actor
		comm   string
		ok     bool
		masked bool
	}{
		{"office", f.office, commA, true, false},
		{"community handler, own list", f.community, commA, true, false},
		{"community handler, another community", f.community, commB, false, false},
		{"street handler", f.supervisor, commA, true, true},
		{"leader", f.hq, commA, true, true},
		{"interviewer", f.interviewer, commA, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, err := f.s.Households(ctx, tc.who, tc.comm, 0, 50)
			if !tc.ok {
				if err == nil || len(list.Items) > 0 {
					t.Fatalf("saw %d households", len(list.Items))
				}
				return
			}
			if err != nil || len(list.Items) != 10 {
				t.Fatalf("%d households, %v", len(list.Items), err)
			}
			if got := strings.Contains(list.Items[0].HeadPhone, "****"); got != tc.masked {
				t.Fatalf("masked %v: %+v", got, list.Items[0])
			}
		})
	}
	if _, err := f.s.AddHousehold(ctx, f.supervisor, survey.HouseholdInput{Community: commA, Room: "9"}); !errors.Is(err, err) || apperr.As(err).Kind != apperr.KindForbidden {
		t.Fatalf("street handler added to a community's list: %v", err)
	}
}

func sheet(t *testing.T, rows [][]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	for i, r := range rows {
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", ref, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestQuestionnaireSheet(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	q, err := f.s.Questionnaire(ctx, f.office, f.questionnaire)
	if err != nil {
		t.Fatal(err)
	}
	if !q.Sample || len(q.Questions) < 20 || len(q.Questions) > 30 {
		t.Fatalf("sample questionnaire: %v questions, sample %v", len(q.Questions), q.Sample)
	}
	var buf bytes.Buffer
	if err := survey.WriteQuestionnaire(&buf, q); err != nil {
		t.Fatal(err)
	}
	back, errs, err := survey.ParseQuestionnaire(&buf)
	if err != nil || len(errs) > 0 {
		t.Fatalf("round trip: %v %v", errs, err)
	}
	if len(back) != len(q.Questions) || fmt.Sprint(back[10].Options) != fmt.Sprint(q.Questions[10].Options) || back[10].ShowIfCode != "B4" {
		t.Fatalf("round trip changed the questions:\n%+v\n%+v", back[10], q.Questions[10])
	}
	for i := range back {
		a, b := back[i], q.Questions[i]
		if a.Code != b.Code || a.Kind != b.Kind || a.Dimension != b.Dimension || a.Required != b.Required || len(a.Options) != len(b.Options) {
			t.Fatalf("question %d: %+v vs %+v", i, a, b)
		}
		for j := range a.Options {
			if a.Options[j].Positive != b.Options[j].Positive || a.Options[j].Void != b.Options[j].Void ||
				(a.Options[j].Score == nil) != (b.Options[j].Score == nil) {
				t.Fatalf("question %s option %d: %+v vs %+v", a.Code, j, a.Options[j], b.Options[j])
			}
		}
	}
	head := []any{"编码", "题目", "题型", "维度", "选项", "分值", "显示条件"}
	bad := sheet(t, [][]any{head,
		{"Q1", "您是否知道创城？", "是否", "知晓", "", "", ""},
		{"Q1", "重复的编码", "是否", "", "", "", ""},
		{"Q3", "未知题型", "排序", "", "", "", ""},
		{"Q4", "跳转到后面缺失的题", "是否", "", "", "", "Q9=是"},
		{"Q5", "分值不是数字", "评分", "满意", "好|一般|差", "100|六十|0", ""},
	})
	_, errs, err = survey.ParseQuestionnaire(bytes.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{3: "survey.q.code_duplicate", 4: "survey.q.kind_unknown", 5: "survey.q.skip_unknown", 6: "survey.q.score_not_number"}
	got := map[int][]string{}
	for _, e := range errs {
		got[e.Row] = append(got[e.Row], e.Code)
	}
	for row, code := range want {
		if !slices.Contains(got[row], code) {
			t.Errorf("row %d: got %q, want %q (all: %+v)", row, got[row], code, errs)
		}
	}
	// A version with answers cannot change, only be copied.
	r := f.round(t, 1)
	h := f.households(t, r.ID, commA)
	f.interview(t, h[0].ID, "client-lock-001", base("满意"))
	if err := f.s.ReplaceQuestions(ctx, f.office, f.questionnaire, back); apperr.As(err).Code != "survey.questionnaire_answered" {
		t.Fatalf("changed an answered version: %v", err)
	}
	c, err := f.s.CopyQuestionnaire(ctx, f.office, f.questionnaire, "")
	if err != nil || len(c.Questions) != len(q.Questions) || c.Answered {
		t.Fatalf("copy %+v %v", c.Name, err)
	}
	if err := f.s.ReplaceQuestions(ctx, f.office, c.ID, back[:5]); err != nil {
		t.Fatalf("changing the copy: %v", err)
	}
}
