package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/survey"
)

// surveyInterviewData is the interview on the phone: one question a
// screen (survey.js), all of them without JavaScript.
type surveyInterviewData struct {
	Round         survey.Round
	Household     survey.SampleHousehold
	Questionnaire survey.Questionnaire
	Prefill       survey.Answers
	Returned      *survey.InterviewView
	Result        *survey.Interview
	ClientID      string
	Error         string
}

func (s *Server) surveyInterviewPage(w http.ResponseWriter, r *http.Request, status int, d surveyInterviewData) error {
	sample, err := surveySampleID(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	if d.Round, d.Household, err = s.Surveys.SampleFor(ctx, a, sample); err != nil {
		return err
	}
	if d.Questionnaire, err = s.Surveys.Questionnaire(ctx, a, d.Round.QuestionnaireID); err != nil {
		return err
	}
	if d.Household.InterviewID != 0 && d.Result == nil {
		v, err := s.Surveys.InterviewFor(ctx, a, d.Household.InterviewID)
		if err != nil {
			return err
		}
		if v.State == survey.StateReturned {
			d.Returned = &v
			if d.Prefill == nil {
				d.Prefill = v.Current().Answers
			}
		} else {
			d.Result = &v.Interview
		}
	}
	if d.ClientID == "" {
		d.ClientID = newClientID()
	}
	s.render(w, r, status, "survey_interview", "survey.interview.title", d)
	return nil
}

func (s *Server) surveyInterviewForm(w http.ResponseWriter, r *http.Request) error {
	return s.surveyInterviewPage(w, r, http.StatusOK, surveyInterviewData{})
}
