package web

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/survey"
)

// surveyQuestionnaireExport writes a version as the sheet that imports again.
func (s *Server) surveyQuestionnaireExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q, err := s.Surveys.Questionnaire(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := survey.WriteQuestionnaire(&buf, q); err != nil {
		return err
	}
	return s.download(w, &buf, xlsxMIME, "questionnaire-"+strconv.FormatInt(id, 10)+".xlsx", q.Name+".xlsx")
}

const xlsxMIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
