package web

import (
	"net/http"
	"strconv"
	"strings"
)

// surveyRoundSupervisor names a street's supervisor (复核员).
func (s *Server) surveyRoundSupervisor(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	err = s.Surveys.SetSupervisor(r.Context(), actorOf(r), id, strings.TrimSpace(r.PostFormValue("street")), formID(r, "user"))
	if err != nil {
		return s.refused(err, func(status int, msg string) error { return s.surveyRoundPage(w, r, status, msg) })
	}
	return s.redirectWith(w, r, "/surveys/rounds/"+strconv.FormatInt(id, 10), "survey.round.supervisor_set")
}
