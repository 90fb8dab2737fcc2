// Package servertest runs the whole application for HTTP tests: a server on
// a fresh dbtest database with the demo district loaded, a browser-like
// client that signs in as a role and carries cookies and the CSRF token, a
// bearer-token API client, and seed helpers shared by the page tests
// (internal/web) and the API tests (internal/api).
//
// Every body the clients fetch is scanned for unresolved catalogue keys, so
// a message that shows "problem.state.dispatched" instead of its Chinese
// text fails the test that fetched it.
package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/server"
)

// App is the whole application on a fresh database with the demo district
// loaded, served on a loopback port.
type App struct {
	*server.App
	URL  string
	Demo demo.Report
	now  atomic.Pointer[time.Time]
	keys *Keys
}

// New starts the application for t; it stops when t ends.
func New(t testing.TB) *App {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()       // photos
	cfg.DataKey = pii.GenerateKey() // a fresh data key per test (volunteers' ID numbers)
	log := slog.New(slog.NewTextHandler(logWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	app, err := server.New(ctx, cfg, d, log)
	if err != nil {
		t.Fatal(err)
	}
	// Cheap hashes keep the suite fast; the cost parameters are tested in
	// the password package.
	app.Org.Hasher = password.Params{Memory: 64, Time: 1, Threads: 1}
	keys, err := LoadKeys()
	if err != nil {
		t.Fatal(err)
	}
	ta := &App{App: app, keys: keys}
	start := time.Now()
	ta.now.Store(&start)
	app.Auth.Now = ta.Now
	app.Org.Now = ta.Now
	if ta.Demo, err = demo.Load(ctx, app.Regions, app.Org); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	t.Cleanup(srv.Close)
	ta.URL = srv.URL
	return ta
}

// Now is the clock the sign-in and session code sees.
func (a *App) Now() time.Time { return *a.now.Load() }

// Advance moves that clock forward by d.
func (a *App) Advance(d time.Duration) {
	next := a.Now().Add(d)
	a.now.Store(&next)
}

// Browser is a cookie-keeping client that does not follow redirects.
type Browser struct {
	T    testing.TB
	App  *App
	HTTP *http.Client
	CSRF string
}

// Browser returns a new client with no session.
func (a *App) Browser(t testing.TB) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{T: t, App: a, HTTP: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// SignedIn returns a client signed in as the demo user of role.
func (a *App) SignedIn(t testing.TB, role string) *Browser {
	t.Helper()
	b := a.Browser(t)
	b.SignIn(role, DemoPassword(role))
	return b
}

// Response is what a request answered.
type Response struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// Do sends req, remembers the page's CSRF token and checks the body for
// unresolved catalogue keys.
func (b *Browser) Do(req *http.Request) Response {
	b.T.Helper()
	res, err := b.HTTP.Do(req)
	if err != nil {
		b.T.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfField.FindSubmatch(body); m != nil {
		b.CSRF = string(m[1])
	}
	b.App.CheckNoRawKeys(b.T, req.Method+" "+req.URL.Path, res.Header.Get("Content-Type"), body)
	return Response{Status: res.StatusCode, Body: string(body), Location: res.Header.Get("Location"), Header: res.Header}
}

// Get fetches path.
func (b *Browser) Get(path string) Response {
	b.T.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.App.URL+path, nil)
	return b.Do(req)
}

// Post submits a form with the page's CSRF token unless the form sets one.
func (b *Browser) Post(path string, form url.Values) Response {
	b.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, set := form["csrf"]; !set {
		form.Set("csrf", b.CSRF)
	}
	req, _ := http.NewRequest(http.MethodPost, b.App.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.Do(req)
}

// PostMultipart submits a form with photos, like a browser does.
func (b *Browser) PostMultipart(path string, fields map[string]string, files map[string][][]byte) Response {
	b.T.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if _, set := fields["csrf"]; !set {
		w.WriteField("csrf", b.CSRF)
	}
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for field, list := range files {
		for i, data := range list {
			f, _ := w.CreateFormFile(field, fmt.Sprintf("photo%d.jpg", i))
			f.Write(data)
		}
	}
	w.Close()
	req, _ := http.NewRequest("POST", b.App.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.Do(req)
}

// Upload submits one file in the field "file" under filename, with fields.
func (b *Browser) Upload(path, filename string, fields map[string]string, file []byte) Response {
	b.T.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf", b.CSRF)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", filename)
	fw.Write(file)
	w.Close()
	req, _ := http.NewRequest("POST", b.App.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.Do(req)
}

// SignIn signs in through the real form and fails the test if refused.
func (b *Browser) SignIn(login, pw string) {
	b.T.Helper()
	b.Get("/login")
	res := b.Post("/login", url.Values{"login": {login}, "password": {pw}})
	if res.Status != http.StatusSeeOther {
		b.T.Fatalf("sign in as %s: status %d\n%s", login, res.Status, res.Body)
	}
}

// DemoPassword is the demo district's password of role.
func DemoPassword(role string) string { return "wenming-" + role + "-2026" }

// MustContain fails t for each of wants missing from body.
func MustContain(t testing.TB, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

// MustNotContain fails t for each of unwanted found in body.
func MustNotContain(t testing.TB, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("page shows %q", w)
		}
	}
}

// APICall sends a JSON request with a bearer token (none if empty) and
// checks the answer is JSON free of unresolved catalogue keys.
func APICall(t testing.TB, app *App, method, path, token, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, app.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	ct := res.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: content type %q", method, path, ct)
	}
	app.CheckNoRawKeys(t, method+" "+path, ct, out)
	return res.StatusCode, out
}

// APIError is the API's error body.
type APIError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// ErrorCode returns the code of a JSON error and fails t if body is not one.
func ErrorCode(t testing.TB, body []byte) string {
	t.Helper()
	var e APIError
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not a JSON error: %s", body)
	}
	return e.Error.Code
}

var newToken = regexp.MustCompile(`id="new-token">([^<]+)<`)

// CreateToken issues a token for user through the admin page.
func CreateToken(t testing.TB, admin *Browser, userID, name string) string {
	t.Helper()
	admin.Get("/admin/tokens")
	res := admin.Post("/admin/tokens", url.Values{"name": {name}, "user_id": {userID}})
	m := newToken.FindStringSubmatch(res.Body)
	if res.Status != http.StatusCreated || m == nil {
		t.Fatalf("create token: %d\n%s", res.Status, res.Body)
	}
	return m[1]
}

// UserIDByName returns the id of the user called username.
func UserIDByName(t testing.TB, app *App, username string) string {
	t.Helper()
	users, _, err := app.Org.ListUsers(context.Background(), access.System(), org.UserFilter{Query: username, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == username {
			return Itoa(u.ID)
		}
	}
	t.Fatalf("no user %s", username)
	return ""
}

// UnitID returns the id of the unit whose code is code.
func UnitID(t testing.TB, app *App, code string) string {
	t.Helper()
	units, _, err := app.Org.ListUnits(context.Background(), access.System(), org.UnitFilter{Query: code, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		if u.Code == code {
			return Itoa(u.ID)
		}
	}
	t.Fatalf("no unit %s", code)
	return ""
}

// CategoryID returns the id of the category whose code is code.
func CategoryID(t testing.TB, app *App, code string) string {
	t.Helper()
	sub, err := app.Categories.ByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return Itoa(sub.ID)
}

// Actor returns the actor of the user called username.
func Actor(t testing.TB, app *App, username string) access.Actor {
	t.Helper()
	a, _, err := app.Org.Actor(context.Background(), MustAtoi(t, UserIDByName(t, app, username)))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// JPEGBytes makes a small real JPEG, different for each seed.
func JPEGBytes(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := 0; x < 64; x++ {
		for y := 0; y < 48; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), uint8(seed * 37), 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil)
	return buf.Bytes()
}

// MustAtoi parses s or fails t.
func MustAtoi(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Itoa formats an id.
func Itoa(id int64) string { return strconv.FormatInt(id, 10) }

// logWriter sends the server's warnings and errors to the test log.
type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// RequestContext is a context as a request has it once it authenticated
// (org.Store.RequestAt): the caches kept for the reference generation are
// consulted under it.
func RequestContext(t testing.TB, o *org.Store) context.Context {
	t.Helper()
	rctx, err := o.RequestAt(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rctx
}
