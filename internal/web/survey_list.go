package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/survey"
)

// surveyListData is the survey's front page: the rounds the reader may
// open and, for the office, the form of a new round.
type surveyListData struct {
	Rounds         []survey.Round
	Questionnaires []survey.Questionnaire
	CanManage      bool
	Interviewers   []survey.Person
	Today          string
	Error          string
	Form           surveyRoundForm
}

func (s *Server) surveyListData(r *http.Request) (surveyListData, error) {
	ctx, a := r.Context(), actorOf(r)
	if !survey.MayUse(a) {
		return surveyListData{}, apperr.Forbidden("survey.forbidden")
	}
	rounds, err := s.Surveys.Rounds(ctx, a)
	if err != nil {
		return surveyListData{}, err
	}
	d := surveyListData{Rounds: rounds, CanManage: survey.MayManage(a), Today: s.Problems.Now().In(s.loc).Format("2006-01-02")}
	if d.CanManage {
		if d.Questionnaires, err = s.Surveys.Questionnaires(ctx, a); err != nil {
			return d, err
		}
		if d.Interviewers, _, err = s.Surveys.People(ctx, a, s.Org); err != nil {
			return d, err
		}
		d.Form = surveyRoundForm{Area: a.Region, N: 10, Reserve: 3, Seed: 2026, MaxAbsent: 3, Per: survey.PerCommunity, Assign: survey.AssignEven}
	}
	return d, nil
}

func (s *Server) surveyList(w http.ResponseWriter, r *http.Request) error {
	d, err := s.surveyListData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "surveys", "survey.title", d)
	return nil
}
