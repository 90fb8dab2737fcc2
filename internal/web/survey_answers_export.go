package web

import (
	"bytes"
	"net/http"
	"strconv"
)

// surveyAnswersExport writes the answers for analysis, personal data
// masked (the office only).
func (s *Server) surveyAnswersExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.Surveys.ExportAnswers(r.Context(), actorOf(r), id, &buf); err != nil {
		return err
	}
	return s.download(w, &buf, xlsxMIME, "survey-"+strconv.FormatInt(id, 10)+"-answers.xlsx", "答卷-"+strconv.FormatInt(id, 10)+".xlsx")
}
