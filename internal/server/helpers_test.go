package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/server"
)

// testApp is the whole application on a fresh database with the demo
// district loaded, served on a loopback port.
type testApp struct {
	*server.App
	URL  string
	now  time.Time
	demo demo.Report
}

func newTestApp(t *testing.T) *testApp {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir() // photos
	log := slog.New(slog.NewTextHandler(testLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	app, err := server.New(ctx, cfg, d, log)
	if err != nil {
		t.Fatal(err)
	}
	// Cheap hashes keep the suite fast; the cost parameters are tested in
	// the password package.
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	ta := &testApp{App: app, now: time.Now()}
	app.Auth.Now = func() time.Time { return ta.now }
	app.Org.Now = func() time.Time { return ta.now }
	if ta.demo, err = demo.Load(ctx, app.Regions, app.Org); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	t.Cleanup(srv.Close)
	ta.URL = srv.URL
	return ta
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	t    *testing.T
	app  *testApp
	http *http.Client
	csrf string
}

func (a *testApp) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, app: a, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return response{Status: res.StatusCode, Body: string(body), Location: res.Header.Get("Location"), Header: res.Header}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.app.URL+path, nil)
	return b.do(req)
}

// post submits a form with the page's CSRF token unless the form sets one.
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, set := form["csrf"]; !set {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.app.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// signIn signs in through the real form and fails the test if refused.
func (b *browser) signIn(login, pw string) {
	b.t.Helper()
	b.get("/login")
	res := b.post("/login", url.Values{"login": {login}, "password": {pw}})
	if res.Status != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: status %d\n%s", login, res.Status, res.Body)
	}
}

func demoPassword(role string) string { return "wenming-" + role + "-2026" }

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func mustNotContain(t *testing.T, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("page shows %q", w)
		}
	}
}

// testLogWriter sends the server's warnings and errors to the test log.
type testLogWriter struct{ t *testing.T }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
