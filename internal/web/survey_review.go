package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/survey"
)

// surveyReview approves an interview or returns it with a comment.
func (s *Server) surveyReview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := survey.ReviewInput{Approve: r.PostFormValue("decision") == "approve", Comment: r.PostFormValue("comment")}
	ctx, a := r.Context(), actorOf(r)
	v, err := s.Surveys.InterviewFor(ctx, a, id)
	if err != nil {
		return err
	}
	if err := s.Surveys.Review(ctx, a, id, in); err != nil {
		return s.refused(err, func(status int, msg string) error { return s.surveyInterviewShowPage(w, r, status, msg) })
	}
	flash := "survey.review.returned"
	if in.Approve {
		flash = "survey.review.approved"
	}
	return s.redirectWith(w, r, "/surveys/rounds/"+strconv.FormatInt(v.RoundID, 10)+"/review", flash)
}
