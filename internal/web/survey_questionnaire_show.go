package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/survey"
)

type surveyQuestionnaireData struct {
	Q          survey.Questionnaire
	CanManage  bool
	Errors     []string
	MoreErrors int
	Error      string
}

func (s *Server) surveyQuestionnairePage(w http.ResponseWriter, r *http.Request, status int, d surveyQuestionnaireData) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	if d.Q, err = s.Surveys.Questionnaire(r.Context(), a, id); err != nil {
		return err
	}
	d.CanManage = survey.MayManage(a)
	s.render(w, r, status, "survey_questionnaire", "survey.q.version_title", d)
	return nil
}

func (s *Server) surveyQuestionnaireShow(w http.ResponseWriter, r *http.Request) error {
	return s.surveyQuestionnairePage(w, r, http.StatusOK, surveyQuestionnaireData{})
}
