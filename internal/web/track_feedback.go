package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/problem"
)

// feedbackInput reads the satisfaction form.
func feedbackInput(r *http.Request) problem.FeedbackInput {
	return problem.FeedbackInput{Rating: problem.Rating(r.PostFormValue("rating")), Comment: r.PostFormValue("comment"),
		Reopen: r.PostFormValue("reopen") == "1"}
}

// trackFeedback keeps the satisfaction answer given on a token's status
// page, once; refused, the page says why.
func (s *Server) trackFeedback(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	err := s.Problems.RateByToken(r.Context(), token, feedbackInput(r))
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			st, serr := s.Problems.Track(r.Context(), token)
			if serr != nil {
				return serr
			}
			s.renderTrack(w, r, status, s.tokenTrack(token, st, msg))
			return nil
		})
	}
	return s.redirectWith(w, r, "/track/"+token, "citizen.rated")
}

// caseFeedback keeps the satisfaction answer of the signed-in reporter.
func (s *Server) caseFeedback(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	if err := s.Problems.Rate(r.Context(), a, id, feedbackInput(r)); err != nil {
		return s.refused(err, func(status int, msg string) error {
			st, serr := s.Problems.Status(r.Context(), a, id)
			if serr != nil {
				return serr
			}
			s.renderTrack(w, r, status, memberTrack(st, msg))
			return nil
		})
	}
	return s.redirectWith(w, r, "/problems/"+strconv.FormatInt(id, 10), "citizen.rated")
}
