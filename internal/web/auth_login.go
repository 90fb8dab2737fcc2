package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/httpx"
)

type loginData struct {
	Login, Next, Error string
}

func (s *Server) loginShow(w http.ResponseWriter, r *http.Request) error {
	if actorOf(r).SignedIn() {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	s.ensurePre(w, r)
	s.render(w, r, http.StatusOK, "login", "login.title", loginData{Next: localPath(r.URL.Query().Get("next"))})
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	login, next := r.PostFormValue("login"), localPath(r.PostFormValue("next"))
	res, err := s.Auth.SignIn(r.Context(), login, r.PostFormValue("password"), s.clientAddr(r), r.UserAgent())
	if err != nil {
		e := apperr.As(err)
		if e.Kind != apperr.KindUnauthorized && e.Kind != apperr.KindTooMany {
			return err
		}
		s.render(w, r, httpx.Status(e.Kind), "login", "login.title", loginData{Login: login, Next: next, Error: s.Catalog.T(e.Code)})
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookieName(), Value: res.Token, Path: "/", HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: int(s.Auth.SessionMaxAge.Seconds())})
	s.clearCookie(w, preCookie)
	if res.MustChange {
		return s.redirectWith(w, r, "/password", "password.must_change")
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}
