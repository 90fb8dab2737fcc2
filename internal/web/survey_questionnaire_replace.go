package web

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/survey"
)

// surveyQuestionnaireReplace changes a version's questions from a sheet
// while no interview has answered it.
func (s *Server) surveyQuestionnaireReplace(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d := surveyQuestionnaireData{}
	fail := func(err error) error {
		return s.refused(err, func(status int, msg string) error {
			d.Error = msg
			return s.surveyQuestionnairePage(w, r, status, d)
		})
	}
	data, _, err := surveySheet(r)
	if err != nil {
		return fail(err)
	}
	qs, rowErrs, err := survey.ParseQuestionnaire(bytes.NewReader(data))
	if err != nil {
		return fail(err)
	}
	if len(rowErrs) > 0 {
		d.Errors, d.MoreErrors = s.rowMessages(rowErrs)
		return fail(apperr.Invalid("survey.import_rejected", len(rowErrs)))
	}
	if err := s.Surveys.ReplaceQuestions(r.Context(), actorOf(r), id, qs); err != nil {
		return fail(err)
	}
	return s.redirectWith(w, r, "/surveys/questionnaires/"+strconv.FormatInt(id, 10), "survey.q.replaced")
}
