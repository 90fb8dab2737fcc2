package web

import (
	"net/http"
)

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(s.sessionCookieName()); err == nil {
		if err := s.Auth.SignOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearCookie(w, s.sessionCookieName())
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
