package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/survey"
)

// surveyQuestionnaireImport reads an uploaded sheet into a new version,
// all or nothing, with row-numbered errors.
func (s *Server) surveyQuestionnaireImport(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorOf(r)
	d := surveyQuestionnairesData{}
	fail := func(err error) error {
		return s.refused(err, func(status int, msg string) error {
			d.Error = msg
			return s.surveyQuestionnairesPage(w, r, status, d)
		})
	}
	if !survey.MayManage(a) {
		return apperr.Forbidden("survey.forbidden")
	}
	data, base, err := surveySheet(r)
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
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		name = base
	}
	q, err := s.Surveys.CreateQuestionnaire(ctx, a, survey.QuestionnaireInput{Name: name, Note: r.PostFormValue("note"), Source: base, Questions: qs})
	if err != nil {
		return fail(err)
	}
	return s.redirectWith(w, r, "/surveys/questionnaires/"+strconv.FormatInt(q.ID, 10), "survey.q.imported", strconv.Itoa(len(qs)))
}
