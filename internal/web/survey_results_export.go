package web

import (
	"bytes"
	"net/http"
	"strconv"
)

// surveyResultsExport writes the office's sheet: one row per community
// with all its rates.
func (s *Server) surveyResultsExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.Surveys.ExportResults(r.Context(), actorOf(r), id, &buf); err != nil {
		return err
	}
	return s.download(w, &buf, xlsxMIME, "survey-"+strconv.FormatInt(id, 10)+"-results.xlsx", "三率一度-"+strconv.FormatInt(id, 10)+".xlsx")
}
