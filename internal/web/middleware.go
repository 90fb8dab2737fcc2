package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/auth"
	"github.com/wenming-civic/wenming/internal/httpx"
)

type ctxKey struct{}

// request is what the middleware learns about a request.
type request struct {
	session auth.Session // zero when signed out
	preID   string       // pre-session cookie value, for forms before sign-in
}

func reqInfo(r *http.Request) *request {
	if v, ok := r.Context().Value(ctxKey{}).(*request); ok {
		return v
	}
	return &request{}
}

func actorOf(r *http.Request) access.Actor { return reqInfo(r).session.Actor }

const (
	preCookie   = "wm_pre"
	flashCookie = "wm_flash"
	// maxUploadBody bounds every form; the largest carries six photos.
	maxUploadBody = 64 << 20
)

func (s *Server) sessionCookieName() string {
	if s.SecureCookies {
		return "__Host-wm_session" // the prefix forbids Domain and forces Secure and Path=/
	}
	return "wm_session"
}

// chain wraps a page in the middleware, listed here once in the order it
// applies:
//
//  1. session: the session cookie becomes the request's actor; a page that
//     needs one sends the signed-out to sign in;
//  2. csrf: a request that changes something carries the token bound to its
//     session (or pre-session cookie), and its body is bounded;
//  3. mustChange: a user with a temporary password changes it first;
//  4. rateLimit (when limit is set): one more request per client address;
//
// and serve renders the error the page returns.
func (s *Server) chain(h handlerFunc, needSession bool, limit RateLimiter) http.Handler {
	var next http.Handler = s.serve(h)
	if limit != nil {
		next = s.rateLimit(limit, "public:", next)
	}
	next = s.mustChange(next)
	next = s.csrf(next)
	return s.session(needSession, next)
}

// session reads the session and the pre-session cookie into the request.
func (s *Server) session(needSession bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := &request{}
		if c, err := r.Cookie(s.sessionCookieName()); err == nil && c.Value != "" {
			sess, err := s.Auth.Authenticate(r.Context(), c.Value)
			switch {
			case err == nil:
				info.session = sess
			case errors.Is(err, auth.ErrNoSession):
				s.clearCookie(w, s.sessionCookieName())
			default:
				s.fail(w, r, err)
				return
			}
		}
		if c, err := r.Cookie(preCookie); err == nil && len(c.Value) >= 20 {
			info.preID = c.Value
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, info))
		if needSession && !info.session.Actor.SignedIn() {
			if r.Method == http.MethodGet && r.Header.Get("HX-Request") == "" {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.fail(w, r, auth.ErrNoSession)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// csrf refuses a change without the token of its session and bounds every
// form's body.
func (s *Server) csrf(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, maxUploadBody)
			if !s.validCSRF(r, reqInfo(r)) {
				s.Log.Warn("csrf check failed", "path", r.URL.Path, "addr", s.clientAddr(r))
				s.fail(w, r, apperr.Forbidden("error.csrf"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// mustChange sends a user with a temporary password to change it; only
// that page and signing out stay open.
func (s *Server) mustChange(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := reqInfo(r).session
		if sess.Actor.SignedIn() && sess.MustChange && r.URL.Path != "/password" && r.URL.Path != "/logout" {
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// rateLimit allows one more request per client address and route.
func (s *Server) rateLimit(limit RateLimiter, prefix string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, err := limit.Allow(r.Context(), prefix+s.clientAddr(r))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !ok {
			s.fail(w, r, apperr.New(apperr.KindTooMany, "public.too_many"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// serve runs a page and renders the error it returns.
func (s *Server) serve(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// csrfToken binds a token to the session (or, before sign-in, to the
// pre-session cookie) with the installation key, so it cannot be forged
// from another site or reused for another session.
func (s *Server) csrfToken(info *request) string {
	subject := clientSubject(info)
	if subject == "" {
		return ""
	}
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte(subject))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// clientSubject names the client a token is bound to: its session, or
// before sign-in its pre-session cookie; "" for neither.
func clientSubject(info *request) string {
	switch {
	case info.session.TokenHash != "":
		return "session|" + info.session.TokenHash
	case info.preID != "":
		return "pre|" + info.preID
	}
	return ""
}

// maskedCSRF is the session's token as a page carries it: XORed with a
// fresh random pad that travels with it, so that no two pages hold the
// same bytes and a compressed page (BREACH) gives the token away to no
// one who can watch the sizes of responses.
func (s *Server) maskedCSRF(info *request) string {
	raw, err := base64.RawURLEncoding.DecodeString(s.csrfToken(info))
	if err != nil || len(raw) == 0 {
		return ""
	}
	out := make([]byte, 2*len(raw))
	if _, err := rand.Read(out[:len(raw)]); err != nil {
		return ""
	}
	for i, b := range raw {
		out[len(raw)+i] = out[i] ^ b
	}
	return base64.RawURLEncoding.EncodeToString(out)
}

// unmaskCSRF reads a masked token back into the session's token; a token
// that is not masked is returned as it is.
func unmaskCSRF(got string) string {
	b, err := base64.RawURLEncoding.DecodeString(got)
	if err != nil || len(b) != 2*sha256.Size {
		return got
	}
	n := len(b) / 2
	for i := 0; i < n; i++ {
		b[n+i] ^= b[i]
	}
	return base64.RawURLEncoding.EncodeToString(b[n:])
}

func (s *Server) validCSRF(r *http.Request, info *request) bool {
	want := s.csrfToken(info)
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return want != "" && got != "" && hmac.Equal([]byte(want), []byte(unmaskCSRF(got)))
}

// ensurePre gives a signed-out visitor the cookie its form token is bound to.
func (s *Server) ensurePre(w http.ResponseWriter, r *http.Request) {
	info := reqInfo(r)
	if info.preID != "" {
		return
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return
	}
	info.preID = base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: preCookie, Value: info.preID, Path: "/", HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: 3600})
}

// clientAddr is the address used for rate limits and logs.
func (s *Server) clientAddr(r *http.Request) string {
	return httpx.ClientAddr(r, s.TrustProxy)
}
