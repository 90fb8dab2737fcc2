package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/survey"
)

type surveyInterviewShowData struct {
	V     survey.InterviewView
	Error string
}

func (s *Server) surveyInterviewShowPage(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.Surveys.InterviewFor(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	s.render(w, r, status, "survey_interview_show", "survey.review.interview_title", surveyInterviewShowData{V: v, Error: msg})
	return nil
}

// surveyInterviewShow shows an interview with every version of its answers.
func (s *Server) surveyInterviewShow(w http.ResponseWriter, r *http.Request) error {
	return s.surveyInterviewShowPage(w, r, http.StatusOK, "")
}
