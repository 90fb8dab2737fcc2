package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/httpx"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

type loginData struct {
	Login, Next, Error string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
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

type passwordData struct {
	MustChange bool
	Error      string
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "password", "password.title", passwordData{MustChange: reqInfo(r).session.MustChange})
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	info := reqInfo(r)
	var err error
	if next := r.PostFormValue("new"); next != r.PostFormValue("confirm") {
		err = apperr.Invalid("password.mismatch")
	} else {
		err = s.Org.ChangeOwnPassword(r.Context(), info.session.Actor, r.PostFormValue("current"), next, info.session.TokenHash)
	}
	if err != nil {
		e := apperr.As(err)
		if e.Kind != apperr.KindInvalid {
			return err
		}
		s.render(w, r, http.StatusBadRequest, "password", "password.title",
			passwordData{MustChange: info.session.MustChange, Error: s.Catalog.T(e.Code, e.Args...)})
		return nil
	}
	return s.redirectWith(w, r, "/", "password.changed")
}

type homeData struct {
	User       org.User
	Region     []region.Region
	UnitCount  int
	UserCount  int
	ChildCount int
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	ctx := r.Context()
	u, err := s.Org.GetUser(ctx, a, a.UserID)
	if err != nil {
		return err
	}
	d := homeData{User: u}
	if a.Region != "" {
		if d.Region, err = s.Regions.Ancestors(ctx, a.Region); err != nil {
			return err
		}
		if _, d.ChildCount, err = s.Regions.Children(ctx, a.Region, 0, 1); err != nil {
			return err
		}
	}
	if _, d.UnitCount, err = s.Org.ListUnits(ctx, a, org.UnitFilter{Limit: 1}); err != nil {
		return err
	}
	if _, d.UserCount, err = s.Org.ListUsers(ctx, a, org.UserFilter{Limit: 1}); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "home", "home.title", d)
	return nil
}
