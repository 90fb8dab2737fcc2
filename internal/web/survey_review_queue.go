package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/survey"
)

type surveyReviewData struct {
	Round survey.Round
	List  []survey.Interview
}

// surveyReviewQueue lists the interviews waiting for the reader's review.
func (s *Server) surveyReviewQueue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var d surveyReviewData
	if d.Round, d.List, err = s.Surveys.ReviewQueue(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "survey_review", "survey.review.title", d)
	return nil
}
