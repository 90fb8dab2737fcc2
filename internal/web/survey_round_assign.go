package web

import (
	"net/http"
	"strconv"
	"strings"
)

// surveyRoundAssign deals the round's communities to interviewers: by
// street or evenly over the chosen interviewers, or one community by hand.
func (s *Server) surveyRoundAssign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	if community := strings.TrimSpace(r.PostFormValue("community")); community != "" {
		err = s.Surveys.AssignCommunity(ctx, a, id, community, formID(r, "interviewer"))
	} else {
		var ids []int64
		for _, v := range r.PostForm["interviewers"] {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				ids = append(ids, n)
			}
		}
		err = s.Surveys.Assign(ctx, a, id, r.PostFormValue("mode"), ids)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error { return s.surveyRoundPage(w, r, status, msg) })
	}
	return s.redirectWith(w, r, "/surveys/rounds/"+strconv.FormatInt(id, 10), "survey.round.assigned")
}
