package web

import (
	"net/http"
)

func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) error {
	plain, _, err := s.Auth.CreateToken(r.Context(), actorOf(r), formID(r, "user_id"), r.PostFormValue("name"))
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.tokenPage(w, r, status, tokenData{Error: msg})
		})
	}
	return s.tokenPage(w, r, http.StatusCreated, tokenData{NewToken: plain})
}
