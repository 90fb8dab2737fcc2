package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/auth"
	"github.com/wenming-civic/wenming/internal/org"
)

type tokenData struct {
	Tokens   []auth.Token
	NewToken string
	Error    string
	Users    []org.User
}

func (s *Server) tokenPage(w http.ResponseWriter, r *http.Request, status int, d tokenData) error {
	a := actorOf(r)
	toks, err := s.Auth.ListTokens(r.Context(), a)
	if err != nil {
		return err
	}
	users, _, err := s.Org.ListUsers(r.Context(), a, org.UserFilter{Limit: 500})
	if err != nil {
		return err
	}
	d.Tokens, d.Users = toks, users
	s.render(w, r, status, "tokens", "token.title", d)
	return nil
}

func (s *Server) tokenList(w http.ResponseWriter, r *http.Request) error {
	return s.tokenPage(w, r, http.StatusOK, tokenData{})
}
