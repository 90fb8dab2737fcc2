package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/apperr"
)

func (s *Server) bulletinIssue(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("error.invalid")
	}
	req, _, err := s.composeRequest(r.Context(), actorOf(r), r.PostForm)
	if err != nil {
		return s.composeFailed(w, r, r.PostForm, err)
	}
	b, err := s.Bulletins.Issue(r.Context(), actorOf(r), req)
	if err != nil {
		return s.composeFailed(w, r, r.PostForm, err)
	}
	return s.redirectWith(w, r, "/bulletins/"+strconv.FormatInt(b.ID, 10), "bulletin.issued")
}
