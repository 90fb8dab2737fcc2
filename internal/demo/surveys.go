package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/survey"
)

// SurveyDeps are the stores the demo's household survey goes through.
type SurveyDeps struct {
	Surveys *survey.Store
	Org     *org.Store
	Regions *region.Store
}

// surveyCommunities are how many communities of the first two streets get
// households and take part in the demo's rounds.
const surveyCommunities = 3

// LoadSurveys gives a few communities of the district their households
// (made-up people at addresses on the district's roads), and plays two
// mock rounds of the sample questionnaire: one a month ago, done,
// reviewed and closed, with visits of every outcome, and one in progress
// this week. It does nothing when a round exists. It returns the
// households added and the rounds played.
func LoadSurveys(ctx context.Context, d SurveyDeps, now time.Time) (households, rounds int, err error) {
	sys := access.System()
	if list, err := d.Surveys.Rounds(ctx, sys); err != nil || len(list) > 0 {
		return 0, 0, err
	}
	qid, err := d.Surveys.EnsureSample(ctx)
	if err != nil {
		return 0, 0, err
	}
	streets, err := Streets(ctx, d.Regions)
	if err != nil {
		return 0, 0, err
	}
	who := func(login string) (access.Actor, error) {
		c, err := d.Org.FindCredentials(ctx, login)
		if err != nil {
			return access.Actor{}, fmt.Errorf("demo survey user %s: %w", login, err)
		}
		a, _, err := d.Org.Actor(ctx, c.UserID)
		return a, err
	}
	office, err := who("office")
	if err != nil {
		return 0, 0, err
	}
	interviewer, err := who("inspector")
	if err != nil {
		return 0, 0, err
	}
	supervisor, err := who("handler") // 赵承办 of the first street
	if err != nil {
		return 0, 0, err
	}
	rng := rand.New(rand.NewPCG(2026, 10))
	names := NewNamer(2026, 10)
	roads := Roads()
	var areas []string
	supervisors := map[string]int64{}
	for si, st := range streets {
		if si >= 2 {
			break
		}
		supervisors[st.Code] = office.UserID
		if si == 0 {
			supervisors[st.Code] = supervisor.UserID
		}
		for ci, c := range st.Communities {
			if ci >= surveyCommunities || c.Level != region.Community {
				break
			}
			areas = append(areas, c.Code)
			road := roads[rng.IntN(len(roads))]
			yard := 10 + rng.IntN(180)
			for b := 1; b <= 4; b++ {
				for u := 1; u <= 2; u++ {
					for floor := 1; floor <= 3; floor++ {
						in := survey.HouseholdInput{Community: c.Code, Address: road + strconv.Itoa(yard) + "号院", Building: strconv.Itoa(b),
							UnitNo: strconv.Itoa(u), Room: fmt.Sprintf("%d0%d", floor, 1+rng.IntN(2)), HeadName: names.Person(),
							HeadPhone: fmt.Sprintf("13%d%08d", 7+rng.IntN(3), rng.IntN(100000000)), Residents: 1 + rng.IntN(5),
							Eligible: rng.Float64() > 0.08}
						if _, err := d.Surveys.AddHousehold(ctx, office, in); err != nil {
							return households, rounds, fmt.Errorf("demo household: %w", err)
						}
						households++
					}
				}
			}
		}
	}
	realNow := d.Surveys.Now
	defer func() { d.Surveys.Now = realNow }()
	type plan struct {
		name    string
		daysAgo int
		done    float64 // share of households worked through
		aware   float64
		part    float64
		sat     float64 // chance of a good rating
		close   bool
	}
	for i, p := range []plan{
		{"10 月模拟入户调查（第一轮）", 32, 1, 0.82, 0.55, 0.72, true},
		{"11 月模拟入户调查（第二轮）", 3, 0.6, 0.9, 0.68, 0.82, false},
	} {
		start := now.AddDate(0, 0, -p.daysAgo)
		clock := start
		d.Surveys.Now = func() time.Time { return clock }
		r, err := d.Surveys.CreateRound(ctx, office, survey.RoundInput{Name: p.name, QuestionnaireID: qid, Areas: areas, Mode: survey.ModeMock,
			StartsOn: start.Format("2006-01-02"), EndsOn: start.AddDate(0, 0, 7).Format("2006-01-02"),
			Sampling: survey.Sampling{Per: survey.PerCommunity, N: 8, Reserve: 3, Seed: int64(2026 + i)}, MaxAbsent: 2,
			Interviewers: []int64{interviewer.UserID}, Assign: survey.AssignEven, Supervisors: supervisors})
		if err != nil {
			return households, rounds, fmt.Errorf("demo round: %w", err)
		}
		q, err := d.Surveys.Questionnaire(ctx, office, qid)
		if err != nil {
			return households, rounds, err
		}
		n := 0
		// Work through the households; reserves released by a visit join
		// the list, so it is read again until nothing is left to do.
		for pass := 0; pass < 4; pass++ {
			_, list, err := d.Surveys.MyHouseholds(ctx, interviewer, r.ID)
			if err != nil {
				return households, rounds, err
			}
			for _, h := range list {
				if h.Final() || rng.Float64() > p.done {
					continue
				}
				n++
				clock = start.Add(time.Duration(n*23) * time.Minute)
				client := fmt.Sprintf("demo-%d-%d-%d", r.ID, h.ID, pass)
				switch x := rng.Float64(); {
				case x < 0.06:
					_, err = d.Surveys.RecordVisit(ctx, interviewer, survey.VisitInput{SampleID: h.ID, ClientID: client, Outcome: survey.Refused,
						Reason: []string{"居民表示没有时间", "家中老人不便接受访问", "对调查有顾虑，婉拒"}[rng.IntN(3)]})
				case x < 0.14 && pass < 2:
					_, err = d.Surveys.RecordVisit(ctx, interviewer, survey.VisitInput{SampleID: h.ID, ClientID: client, Outcome: survey.Absent})
				case x < 0.16:
					_, err = d.Surveys.RecordVisit(ctx, interviewer, survey.VisitInput{SampleID: h.ID, ClientID: client, Outcome: survey.Ineligible,
						Reason: "常住居民均超过 65 岁"})
				case x < 0.18:
					_, err = d.Surveys.RecordVisit(ctx, interviewer, survey.VisitInput{SampleID: h.ID, ClientID: client, Outcome: survey.Vacant})
				default:
					_, err = d.Surveys.SubmitInterview(ctx, interviewer, survey.InterviewInput{SampleID: h.ID, ClientID: client,
						Answers: demoAnswers(rng, q, p.aware, p.part, p.sat), StartedAt: clock.Add(-time.Duration(8+rng.IntN(10)) * time.Minute)})
				}
				if err != nil {
					return households, rounds, fmt.Errorf("demo visit: %w", err)
				}
			}
		}
		// Review: the first round all of it, the second about half.
		for _, st := range r.Streets() {
			reviewer := office
			if supervisors[st] == supervisor.UserID {
				reviewer = supervisor
			}
			_, queue, err := d.Surveys.ReviewQueue(ctx, reviewer, r.ID)
			if err != nil {
				return households, rounds, err
			}
			for k, iv := range queue {
				if !p.close && k%2 == 1 {
					continue
				}
				clock = clock.Add(5 * time.Minute)
				if err := d.Surveys.Review(ctx, reviewer, iv.ID, survey.ReviewInput{Approve: true}); err != nil {
					return households, rounds, fmt.Errorf("demo review: %w", err)
				}
			}
		}
		if p.close {
			clock = start.AddDate(0, 0, 7)
			if err := d.Surveys.Close(ctx, office, r.ID); err != nil {
				return households, rounds, err
			}
		}
		rounds++
	}
	return households, rounds, nil
}

// demoAnswers answers the sample questionnaire as a resident might.
func demoAnswers(rng *rand.Rand, q survey.Questionnaire, aware, part, sat float64) survey.Answers {
	out := survey.Answers{}
	for _, x := range q.Questions {
		if !survey.Visible(x, out) {
			continue
		}
		var v []string
		switch {
		case x.Kind == survey.KindYesNo:
			yes := map[survey.Dimension]float64{survey.Awareness: aware, survey.Support: 0.96, survey.Participation: part}[x.Dimension]
			switch r := rng.Float64(); {
			case r < yes:
				v = []string{"是"}
			case r < yes+(1-yes)*0.7:
				v = []string{"否"}
			default:
				v = []string{"不清楚"}
			}
		case x.Kind == survey.KindRating:
			switch r := rng.Float64(); {
			case r < sat*0.45:
				v = []string{"非常满意"}
			case r < sat:
				v = []string{"满意"}
			case r < sat+(1-sat)*0.6:
				v = []string{"一般"}
			case r < sat+(1-sat)*0.9:
				v = []string{"不满意"}
			default:
				v = []string{"非常不满意"}
			}
		case x.Kind == survey.KindSingle:
			v = []string{x.Options[rng.IntN(len(x.Options))].Value}
		case x.Kind == survey.KindMulti:
			v = []string{x.Options[rng.IntN(len(x.Options))].Value}
		case x.Kind == survey.KindNumber:
			v = []string{strconv.Itoa(1 + rng.IntN(40))}
		case x.Required:
			v = []string{"希望加强小区环境管理"}
		}
		if len(v) == 0 {
			continue
		}
		a := survey.Answer{Values: v}
		if x.Complaint(v[0]) && rng.Float64() < 0.15 {
			a.Note, a.Consent = "楼道杂物长期无人清理", true
		}
		out[x.Code] = a
	}
	return out
}
