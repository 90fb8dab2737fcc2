package web

import (
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/survey"
)

type surveyResultsData struct {
	R         survey.Results
	Sort      string
	Asc       bool
	CanManage bool
}

// surveyResults shows 三率一度 with the visit rates by community, street
// and district, the weakest questions and the change against the
// previous round; ?sort= orders the community table, ?area= the weakest.
func (s *Server) surveyResults(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	a := actorOf(r)
	res, err := s.Surveys.Results(r.Context(), a, id, strings.TrimSpace(q.Get("area")))
	if err != nil {
		return err
	}
	d := surveyResultsData{R: res, Sort: q.Get("sort"), Asc: q.Get("asc") == "1", CanManage: res.Round.CanManage(a)}
	survey.SortCommunities(d.R.Communities, d.Sort, d.Asc)
	s.render(w, r, http.StatusOK, "survey_results", "survey.results.title", d)
	return nil
}
