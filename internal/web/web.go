// Package web serves the server-rendered zh-CN pages: sign-in, the region
// tree, units, users and API tokens. It owns HTTP only; every decision about
// who may see or change what is made by the domain packages.
package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/auth"
	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/httpx"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/notice"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/outbox"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/routing"
	"github.com/wenming-civic/wenming/internal/site"
)

// Deps are what the pages need.
type Deps struct {
	Auth       *auth.Service
	Org        *org.Store
	Regions    *region.Store
	Catalog    *i18n.Catalog
	Log        *slog.Logger
	Problems   *problem.Store
	Notices    *notice.Store
	Categories *category.Store
	Framework  *framework.Store
	Sites      *site.Store
	// Inspections runs plans, checklists and scores.
	Inspections *inspect.Store
	Bulletins   *bulletin.Store
	Calendar    *calendar.Store
	Routing     *routing.Store
	Media       *media.Service
	Hours       problem.HoursCounter
	Duplicates  problem.DuplicateRule
	// CategoryGroups lists the active categories for select boxes.
	CategoryGroups func(ctx context.Context) ([]CategoryGroup, error)
	Map            MapConfig
	Secret         []byte // signs CSRF tokens
	SecureCookies  bool
	TrustProxy     bool
	// PublicLimit throttles the public report form per client address.
	PublicLimit RateLimiter
	// Outbox shows the administrator the SMS messages and their delivery;
	// SMSGateway says whether a gateway sends them.
	Outbox     *outbox.Book
	SMSGateway bool
}

// MapConfig says which basemap tiles pages draw under their markers.
type MapConfig struct {
	TileURL     string // e.g. https://{s}.tile.example/{z}/{x}/{y}.png; empty: no tiles
	TileCRS     string // wgs84 or gcj02 (AMap, Tencent)
	Attribution string
}

// RateLimiter allows or refuses one more request for a key.
type RateLimiter interface {
	Allow(ctx context.Context, key string) (bool, error)
}

// Server holds the parsed templates and assets.
type Server struct {
	Deps
	pages  *pages
	assets *assets
	loc    *time.Location
	// ingestSlots bounds how many uploads are decoded at once.
	ingestSlots chan struct{}
}

// New parses the templates and indexes the static files.
func New(d Deps) (*Server, error) {
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	s := &Server{Deps: d, assets: a, loc: calendar.Shanghai(), ingestSlots: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
	if s.pages, err = parsePages(s.funcs()); err != nil {
		return nil, err
	}
	return s, nil
}

// handlerFunc is a page handler that returns its error to one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Register adds the pages to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.Handle("GET /static/", s.assets)
	mux.Handle("GET /login", s.page(s.loginForm, false))
	mux.Handle("POST /login", s.page(s.login, false))
	mux.Handle("POST /logout", s.page(s.logout, true))
	mux.Handle("GET /password", s.page(s.passwordForm, true))
	mux.Handle("POST /password", s.page(s.changePassword, true))
	mux.Handle("GET /{$}", s.page(s.home, true))

	mux.Handle("GET /regions", s.page(s.regionTree, true))
	mux.Handle("GET /regions/search", s.page(s.regionSearch, true))
	mux.Handle("GET /regions/{code}", s.page(s.regionDetail, true))
	mux.Handle("GET /regions/{code}/children", s.page(s.regionChildren, true))
	mux.Handle("POST /regions/{code}/grids", s.page(s.gridAdd, true))
	mux.Handle("POST /regions/{code}/grids/import", s.page(s.gridImport, true))
	mux.Handle("GET /grids/{code}/edit", s.page(s.gridEditForm, true))
	mux.Handle("POST /grids/{code}", s.page(s.gridUpdate, true))
	mux.Handle("POST /grids/{code}/delete", s.page(s.gridDelete, true))

	mux.Handle("GET /units", s.page(s.unitList, true))
	mux.Handle("GET /units/new", s.page(s.unitNew, true))
	mux.Handle("POST /units", s.page(s.unitCreate, true))
	mux.Handle("GET /units/{id}", s.page(s.unitDetail, true))
	mux.Handle("GET /units/{id}/edit", s.page(s.unitEdit, true))
	mux.Handle("POST /units/{id}", s.page(s.unitUpdate, true))

	mux.Handle("GET /users", s.page(s.userList, true))
	mux.Handle("GET /users/new", s.page(s.userNew, true))
	mux.Handle("POST /users", s.page(s.userCreate, true))
	mux.Handle("GET /users/{id}", s.page(s.userDetail, true))
	mux.Handle("GET /users/{id}/edit", s.page(s.userEdit, true))
	mux.Handle("POST /users/{id}", s.page(s.userUpdate, true))
	mux.Handle("POST /users/{id}/reset-password", s.page(s.userResetPassword, true))

	mux.Handle("GET /admin/tokens", s.page(s.tokenList, true))
	mux.Handle("GET /admin/sms", s.page(s.smsLog, true))
	mux.Handle("POST /admin/tokens", s.page(s.tokenCreate, true))
	mux.Handle("POST /admin/tokens/{id}/revoke", s.page(s.tokenRevoke, true))
	s.registerLedger(mux)
	s.registerPublic(mux)
	s.registerConfig(mux)
	s.registerFramework(mux)
	s.registerSites(mux)
	s.registerInspections(mux)
	s.registerBulletins(mux)
	s.registerDashboard(mux)
}

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

// page wraps a handler with the session, CSRF check, forced password change
// and error mapping.
func (s *Server) page(h handlerFunc, needSession bool) http.Handler {
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
		signedIn := info.session.Actor.SignedIn()
		if needSession && !signedIn {
			if r.Method == http.MethodGet && r.Header.Get("HX-Request") == "" {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.fail(w, r, auth.ErrNoSession)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, maxUploadBody)
			if !s.validCSRF(r, info) {
				s.Log.Warn("csrf check failed", "path", r.URL.Path, "addr", s.clientAddr(r))
				s.fail(w, r, apperr.Forbidden("error.csrf"))
				return
			}
		}
		if signedIn && info.session.MustChange && r.URL.Path != "/password" && r.URL.Path != "/logout" {
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return
		}
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// csrfToken binds a token to the session (or, before sign-in, to the
// pre-session cookie) with the installation key, so it cannot be forged
// from another site or reused for another session.
func (s *Server) csrfToken(info *request) string {
	var subject string
	switch {
	case info.session.TokenHash != "":
		subject = "session|" + info.session.TokenHash
	case info.preID != "":
		subject = "pre|" + info.preID
	default:
		return ""
	}
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte(subject))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) validCSRF(r *http.Request, info *request) bool {
	want := s.csrfToken(info)
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return want != "" && got != "" && hmac.Equal([]byte(want), []byte(got))
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

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// setFlash leaves a catalogue key for the next page to show once.
func (s *Server) setFlash(w http.ResponseWriter, key string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: key, Path: "/", MaxAge: 60, HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil || !s.Catalog.Has(c.Value) {
		return ""
	}
	s.clearCookie(w, flashCookie)
	return s.Catalog.T(c.Value)
}

// redirectWith sends the browser on after a successful change.
func (s *Server) redirectWith(w http.ResponseWriter, r *http.Request, to, flashKey string) error {
	if flashKey != "" {
		s.setFlash(w, flashKey)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// clientAddr is the address used for rate limits and logs.
func (s *Server) clientAddr(r *http.Request) string {
	return httpx.ClientAddr(r, s.TrustProxy)
}

// fail renders an error page with the status of its kind.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	status := httpx.Status(e.Kind)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		e, status = apperr.Invalid("error.body_too_large"), http.StatusRequestEntityTooLarge
	}
	if status >= 500 {
		s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if e.Kind == apperr.KindUnauthorized && r.Method == http.MethodGet && r.Header.Get("HX-Request") == "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	msg := s.Catalog.T(e.Code, e.Args...)
	if status >= 500 || !s.Catalog.Has(e.Code) {
		msg = s.Catalog.T(kindMessage(e.Kind))
	}
	s.render(w, r, status, "error", "error.title", map[string]any{"Message": msg, "Status": status})
}

func kindMessage(k apperr.Kind) string {
	switch k {
	case apperr.KindInvalid:
		return "error.invalid"
	case apperr.KindUnauthorized:
		return "error.unauthorized"
	case apperr.KindForbidden:
		return "error.forbidden"
	case apperr.KindNotFound:
		return "error.not_found"
	case apperr.KindTooMany:
		return "error.too_many"
	}
	return "error.internal"
}

// pageParams reads ?page= into an offset, 20 rows a page.
func pageParams(r *http.Request) (page, offset, limit int) {
	const perPage = 20
	page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	return page, (page - 1) * perPage, perPage
}

// pager describes the links under a list.
type pager struct {
	Page, Pages, Total int
	Prev, Next         string
}

func newPager(r *http.Request, page, limit, total int) pager {
	p := pager{Page: page, Total: total, Pages: max(1, (total+limit-1)/limit)}
	link := func(n int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	return p
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFound("error.not_found")
	}
	return id, nil
}

func formID(r *http.Request, name string) int64 {
	id, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	return id
}

// copyBody streams a stored file to the client.
func copyBody(w http.ResponseWriter, r io.Reader) (int64, error) { return io.Copy(w, r) }

// localPath accepts only a same-site path as a redirect target.
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}
