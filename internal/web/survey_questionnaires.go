package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/survey"
)

// surveyQuestionnairesData lists the versions side by side, with the
// import form for the office.
type surveyQuestionnairesData struct {
	List       []survey.Questionnaire
	CanManage  bool
	Errors     []string
	MoreErrors int
	Error      string
}

func (s *Server) surveyQuestionnairesPage(w http.ResponseWriter, r *http.Request, status int, d surveyQuestionnairesData) error {
	a := actorOf(r)
	list, err := s.Surveys.Questionnaires(r.Context(), a)
	if err != nil {
		return err
	}
	d.List, d.CanManage = list, survey.MayManage(a)
	s.render(w, r, status, "survey_questionnaires", "survey.q.title", d)
	return nil
}

func (s *Server) surveyQuestionnaires(w http.ResponseWriter, r *http.Request) error {
	return s.surveyQuestionnairesPage(w, r, http.StatusOK, surveyQuestionnairesData{})
}
