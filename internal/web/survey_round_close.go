package web

import (
	"net/http"
	"strconv"
)

// surveyRoundClose ends the round's field work.
func (s *Server) surveyRoundClose(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Surveys.Close(r.Context(), actorOf(r), id); err != nil {
		return s.refused(err, func(status int, msg string) error { return s.surveyRoundPage(w, r, status, msg) })
	}
	return s.redirectWith(w, r, "/surveys/rounds/"+strconv.FormatInt(id, 10), "survey.round.closed")
}
