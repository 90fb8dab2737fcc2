package web

import (
	"net/http"
	"strconv"
)

// surveyQuestionnaireCopy makes a changeable copy of a version.
func (s *Server) surveyQuestionnaireCopy(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q, err := s.Surveys.CopyQuestionnaire(r.Context(), actorOf(r), id, r.PostFormValue("name"))
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.surveyQuestionnairePage(w, r, status, surveyQuestionnaireData{Error: msg})
		})
	}
	return s.redirectWith(w, r, "/surveys/questionnaires/"+strconv.FormatInt(q.ID, 10), "survey.q.copied")
}
