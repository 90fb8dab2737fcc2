package e2e

// The two-server test (not a browser test: it runs in `go test ./...`
// when PostgreSQL and the S3 server are there, as in .ci/run's PostgreSQL
// pass). Two `wenming serve` processes on one PostgreSQL schema and one
// bucket show that the app servers hold no state of their own.

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
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/lease"
	"github.com/wenming-civic/wenming/internal/media/s3test"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/robot"
	"github.com/wenming-civic/wenming/internal/server"
)

func TestTwoServersOnePostgresAndBucket(t *testing.T) {
	dsn := os.Getenv(dbtest.EnvPostgres)
	if dsn == "" {
		// .ci/run's PostgreSQL pass sets it; its SQLite pass skips here.
		t.Skipf("%s not set: the two-server test needs PostgreSQL", dbtest.EnvPostgres)
	}
	s3 := s3test.Config(t) // skips locally, fails under CI=true, without a server
	if testing.Short() {
		t.Skip("two servers for over a minute")
	}
	ctx := context.Background()
	schemaDSN, drop := dbtest.NewSchema(t, dsn)
	t.Cleanup(drop)
	work := t.TempDir()

	bin := filepath.Join(work, "wenming")
	build := exec.Command("go", "build", "-o", bin, "../cmd/wenming")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build wenming: %v\n%s", err, out)
	}

	// The SMS gateway counts each message id it receives.
	var mu sync.Mutex
	received := map[string]int{}
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			ID string `json:"id"`
		}
		json.NewDecoder(r.Body).Decode(&m) //nolint:errcheck // counted below
		mu.Lock()
		received[m.ID]++
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(gateway.Close)
	// A webhook receiver counts each event id it is sent: the robot and
	// webhook job runs on both servers and must deliver each event once.
	hooked := map[string]int{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hooked[r.Header.Get("X-Wenming-Event-Id")]++
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(hook.Close)
	dataKey := strings.Repeat("5a", 32)

	cfg := config.Defaults()
	cfg.DataDir = filepath.Join(work, "seed")
	cfg.DatabaseURL = schemaDSN
	cfg.StorageURL, cfg.S3Endpoint, cfg.S3Region, cfg.S3AccessKey, cfg.S3SecretKey = s3.URL, s3.Endpoint, s3.Region, s3.AccessKey, s3.SecretKey
	cfg.DataKey, cfg.AllowPrivateWebhooks = dataKey, true
	category := seed(t, ctx, cfg, hook.URL)

	env := append(os.Environ(),
		"WENMING_DATABASE_URL="+schemaDSN, "WENMING_STORAGE_URL="+s3.URL, "WENMING_S3_ENDPOINT="+s3.Endpoint,
		"WENMING_S3_REGION="+s3.Region, "WENMING_S3_ACCESS_KEY="+s3.AccessKey, "WENMING_S3_SECRET_KEY="+s3.SecretKey,
		"WENMING_SMS_URL="+gateway.URL, "WENMING_SMS_EVERY=5s", "WENMING_ESCALATE_EVERY=1m", "WENMING_LOG_LEVEL=debug",
		"WENMING_LOG_FORMAT=json", "WENMING_DATA_KEY="+dataKey, "WENMING_ALLOW_PRIVATE_WEBHOOKS=true", "WENMING_ROBOT_EVERY=5s")
	started := time.Now()
	a := startServe(t, bin, env, filepath.Join(work, "a"))
	b := startServe(t, bin, env, filepath.Join(work, "b"))

	// A session made on one works on the other (cookies ignore the port,
	// as one host name behind a load balancer would carry them).
	office := newClient(t)
	office.signIn(a.url, "office", "wenming-office-2026")
	if code, _ := office.get(b.url + "/problems"); code != http.StatusOK {
		t.Fatalf("the session from server A is not known to server B: %d", code)
	}

	// A photo uploaded through one is served by the other.
	inspector := newClient(t)
	inspector.signIn(b.url, "inspector", "wenming-inspector-2026")
	loc := inspector.report(a.url, category, clusterJPEG())
	_, page := office.get(b.url + loc)
	ph := regexp.MustCompile(`src="(/photos/[0-9a-f]{64}/thumb)"`).FindStringSubmatch(page)
	if ph == nil {
		t.Fatalf("case %s on server B shows no photo", loc)
	}
	if code, body := office.get(b.url + ph[1]); code != http.StatusOK || len(body) < 100 {
		t.Fatalf("photo uploaded through A, served by B: %d, %d bytes", code, len(body))
	}

	// A sign-in lockout counts across both: five failures split 3 + 2.
	for i, srv := range []*serve{a, b, a, b, a} {
		newClient(t).signInStatus(srv.url, "handler", fmt.Sprintf("wrong-%d", i))
	}
	if _, body := newClient(t).signInStatus(b.url, "handler", "wenming-handler-2026"); !strings.Contains(body, "登录失败次数过多") {
		t.Fatalf("the fifth failure, on the other server, did not lock the account:\n%.400s", body)
	}

	// Each leased job runs once a period: wait for both servers' first
	// minute ticks, and a few outbox rounds.
	if wait := 75*time.Second - time.Since(started); wait > 0 {
		time.Sleep(wait)
	}
	d, err := db.Open(ctx, db.Options{PostgresURL: schemaDSN})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	leases := lease.New(d)
	for _, job := range []string{"escalate", "scheduled_bulletins"} {
		st, ok, err := leases.Get(ctx, job)
		if err != nil || !ok {
			t.Fatalf("job %s never ran: %v", job, err)
		}
		ran := a.count(t, job) + b.count(t, job)
		if st.Runs != 1 || ran != 1 {
			t.Errorf("job %s ran %d times (lease row: %d) in its first minute on two servers, want once", job, ran, st.Runs)
		}
	}
	bulletins := &bulletin.Store{DB: d, Now: time.Now}
	if _, n, err := bulletins.List(ctx, access.System(), 0, 10); err != nil || n != 1 {
		t.Errorf("scheduled bulletin issued %d times, want once (%v)", n, err)
	}
	// The escalation's messages go out at the next outbox round or two.
	for i := 0; i < 60; i++ {
		mu.Lock()
		n := len(received)
		mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	// The escalation's webhook events likewise.
	for i := 0; i < 60; i++ {
		mu.Lock()
		n := len(hooked)
		mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(received) == 0 {
		t.Error("the outbox sent nothing")
	}
	if len(hooked) == 0 {
		t.Error("the webhook received nothing")
	}
	for id, n := range hooked {
		if id == "" || n != 1 {
			t.Errorf("webhook event %q delivered %d times", id, n)
		}
	}
	for id, n := range received {
		if n != 1 {
			t.Errorf("SMS %s delivered %d times", id, n)
		}
	}
	t.Logf("escalate by %s, bulletin by %s; %d SMS and %d webhook events, each once", a.holderOf(t, "escalate")+b.holderOf(t, "escalate"),
		a.holderOf(t, "scheduled_bulletins")+b.holderOf(t, "scheduled_bulletins"), len(received), len(hooked))
}

// seed loads the demo district and cases whose deadlines passed since,
// a daily bulletin due at the next minute and a webhook for every event,
// before the servers start.
func seed(t *testing.T, ctx context.Context, cfg config.Config, webhook string) (category string) {
	t.Helper()
	d, err := db.Open(ctx, db.Options{PostgresURL: cfg.DatabaseURL})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	app, err := server.New(ctx, cfg, d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, app.Regions, app.Org); err != nil {
		t.Fatal(err)
	}
	// Cases played up to twenty days ago: open ones have fallen overdue
	// since, so the escalation job has work to do (and messages to send).
	// Three days were too few on a Monday morning in Shanghai: no working
	// day had ended since the last deadlines were set.
	deps := demo.CaseDeps{DB: d, Problems: app.Problems, Media: app.Media, Categories: app.Categories, Org: app.Org, Regions: app.Regions}
	if _, err := demo.LoadCases(ctx, deps, time.Now().Add(-20*24*time.Hour), 60, 20); err != nil {
		t.Fatal(err)
	}
	users, _, err := app.Org.ListUsers(ctx, access.System(), org.UserFilter{Query: "office", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var officeActor access.Actor
	for _, u := range users {
		if u.Username == "office" {
			officeActor, _, err = app.Org.Actor(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, _, err := app.Robots.CreateWebhook(ctx, access.System(), robot.WebhookInput{Name: "12345 热线对接",
		URL: webhook, Events: robot.WebhookEventTypes()}); err != nil {
		t.Fatal(err)
	}
	next := time.Now().In(calendar.Shanghai()).Add(time.Minute)
	if _, err := app.Bulletins.CreateSchedule(ctx, officeActor, bulletin.ScheduleInput{ScopeRegion: "410411", Kind: "day",
		Hour: next.Hour(), Minute: next.Minute()}); err != nil {
		t.Fatal(err)
	}
	sub, err := app.Categories.ByCode(ctx, "SR01")
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(sub.ID)
}

type serve struct {
	url string
	log string
}

func startServe(t *testing.T, bin string, env []string, dir string) *serve {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(env, "WENMING_ADDR="+addr, "WENMING_DATA_DIR="+dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt) //nolint:errcheck // it may have died
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }() //nolint:errcheck // exit status not needed
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill() //nolint:errcheck // stuck
		}
		logf.Close()
	})
	s := &serve{url: "http://" + addr, log: logf.Name()}
	for i := 0; ; i++ {
		res, err := http.Get(s.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		if i > 300 {
			out, _ := os.ReadFile(s.log)
			t.Fatalf("wenming serve did not get ready: %v\n%s", err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// count is how many times the server's log says it ran job.
func (s *serve) count(t *testing.T, job string) int {
	t.Helper()
	out, err := os.ReadFile(s.log)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(out), `"msg":"job ran","job":"`+job+`"`)
}

func (s *serve) holderOf(t *testing.T, job string) string {
	if s.count(t, job) > 0 {
		return s.url
	}
	return ""
}

type client struct {
	t    *testing.T
	http *http.Client
	csrf string
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func newClient(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(req *http.Request) (int, string, http.Header) {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfInput.FindSubmatch(body); m != nil {
		c.csrf = string(m[1])
	}
	return res.StatusCode, string(body), res.Header
}

func (c *client) get(u string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	code, body, _ := c.do(req)
	return code, body
}

func (c *client) signInStatus(base, login, password string) (int, string) {
	c.get(base + "/login")
	form := url.Values{"csrf": {c.csrf}, "login": {login}, "password": {password}}
	req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	code, body, _ := c.do(req)
	return code, body
}

func (c *client) signIn(base, login, password string) {
	c.t.Helper()
	if code, body := c.signInStatus(base, login, password); code != http.StatusSeeOther {
		c.t.Fatalf("sign in as %s on %s: %d\n%.400s", login, base, code, body)
	}
}

func (c *client) report(base, category string, photo []byte) string {
	c.t.Helper()
	c.get(base + "/report")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"csrf": c.csrf, "source": "inspection", "description": "两台服务器：人行道上堆放杂物",
		"address": "建设路", "region_code": "410411001001", "category_id": category} {
		mw.WriteField(k, v) //nolint:errcheck // into memory
	}
	fw, _ := mw.CreateFormFile("photos", "现场.jpg")
	fw.Write(photo) //nolint:errcheck // into memory
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/report", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	code, body, h := c.do(req)
	if code != http.StatusSeeOther {
		c.t.Fatalf("report through %s: %d\n%.600s", base, code, body)
	}
	return h.Get("Location")
}

func clusterJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 3), uint8(y * 4), 99, 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil) //nolint:errcheck // into memory
	return buf.Bytes()
}
