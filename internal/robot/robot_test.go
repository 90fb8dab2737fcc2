package robot_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/pii"
	"github.com/wenming-civic/wenming/internal/robot"
)

// The platforms' signatures, written here again from their documentation
// (not shared with the package), so a mistake in one is caught by the
// other.

// dingtalkSign: "把 timestamp+"\n"+密钥当做签名字符串，使用 HmacSHA256
// 算法计算签名，然后进行 Base64 encode" (the URL encoding is the query's).
func dingtalkSign(secret, timestamp string) string {
	stringToSign := timestamp + "\n" + secret
	mac := hmac.New(sha256.New, []byte(secret))
	io.WriteString(mac, stringToSign)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// feishuSign: the key is timestamp + "\n" + secret and the message is
// empty (the documentation's Python: hmac.new(key_enc, msg_enc=b"", sha256)).
func feishuSign(secret, timestamp string) string {
	key := []byte(timestamp + "\n" + secret)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte{})
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func webhookSign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

const (
	wecomKey     = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
	dingToken    = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b"
	dingSecret   = "SECb6a1c0f0c3f54ba1b0c84d3a09a5e7f2a3d1a26b0a9c4f1b2d3e4f5a6b7c8d9"
	feishuHookID = "2f8a0c5e-7b1d-4c3a-9e6f-1a2b3c4d5e6f"
	feishuSecret = "qH3kF9sLmN2pR7tV"
)

// platform is a local server that speaks the three platforms' robot
// APIs as documented and records what it accepted.
type platform struct {
	t     testing.TB
	clock func() time.Time
	mu    sync.Mutex
	got   map[string][]string // platform → titles/contents accepted
	bad   []string            // what it refused and why
	// answer, when set, overrides the platform's answer.
	answer func(kind string) (int, string)
}

func (p *platform) refuse(w http.ResponseWriter, why string) {
	p.bad = append(p.bad, why)
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, `{"errcode":300001,"errmsg":"`+why+`","code":19021,"msg":"`+why+`"}`)
}

func (p *platform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	raw, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		p.refuse(w, "method or content type")
		return
	}
	q := r.URL.Query()
	now := p.clock()
	var kind, content string
	switch {
	case r.URL.Path == "/cgi-bin/webhook/send":
		kind = robot.WeCom
		var m struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Content string `json:"content"`
			} `json:"markdown"`
		}
		if q.Get("key") != wecomKey || json.Unmarshal(raw, &m) != nil || m.MsgType != "markdown" || m.Markdown.Content == "" {
			p.refuse(w, "wecom format")
			return
		}
		if len(m.Markdown.Content) > 4096 {
			p.refuse(w, "wecom content over 4096 bytes")
			return
		}
		content = m.Markdown.Content
	case r.URL.Path == "/robot/send":
		kind = robot.DingTalk
		ts := q.Get("timestamp")
		ms, err := strconv.ParseInt(ts, 10, 64)
		if q.Get("access_token") != dingToken || err != nil || abs(now.UnixMilli()-ms) > 3600_000 {
			p.refuse(w, "dingtalk token or timestamp")
			return
		}
		// The sign is URL-encoded in the query: base64's + / = escaped.
		rawSign := r.URL.RawQuery[strings.Index(r.URL.RawQuery, "sign=")+5:]
		if i := strings.IndexByte(rawSign, '&'); i >= 0 {
			rawSign = rawSign[:i]
		}
		if strings.ContainsAny(rawSign, "+/=") || q.Get("sign") != dingtalkSign(dingSecret, ts) {
			p.refuse(w, "dingtalk sign")
			return
		}
		var m struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Title string `json:"title"`
				Text  string `json:"text"`
			} `json:"markdown"`
		}
		if json.Unmarshal(raw, &m) != nil || m.MsgType != "markdown" || m.Markdown.Title == "" || m.Markdown.Text == "" {
			p.refuse(w, "dingtalk format")
			return
		}
		content = m.Markdown.Text
	case strings.HasPrefix(r.URL.Path, "/open-apis/bot/v2/hook/"):
		kind = robot.Feishu
		var m struct {
			Timestamp string `json:"timestamp"`
			Sign      string `json:"sign"`
			MsgType   string `json:"msg_type"`
			Card      struct {
				Elements []struct {
					Tag     string `json:"tag"`
					Content string `json:"content"`
				} `json:"elements"`
			} `json:"card"`
		}
		if strings.TrimPrefix(r.URL.Path, "/open-apis/bot/v2/hook/") != feishuHookID || json.Unmarshal(raw, &m) != nil {
			p.refuse(w, "feishu hook or body")
			return
		}
		sec, err := strconv.ParseInt(m.Timestamp, 10, 64)
		if err != nil || abs(now.Unix()-sec) > 3600 || m.Sign != feishuSign(feishuSecret, m.Timestamp) {
			p.refuse(w, "feishu sign")
			return
		}
		if m.MsgType != "interactive" || len(m.Card.Elements) == 0 || m.Card.Elements[0].Tag != "markdown" {
			p.refuse(w, "feishu format")
			return
		}
		content = m.Card.Elements[0].Content
	default:
		p.refuse(w, "path "+r.URL.Path)
		return
	}
	if p.answer != nil {
		if status, body := p.answer(kind); status != 0 {
			w.WriteHeader(status)
			io.WriteString(w, body)
			return
		}
	}
	p.got[kind] = append(p.got[kind], content)
	if kind == robot.Feishu {
		io.WriteString(w, `{"code":0,"msg":"success","data":{}}`)
		return
	}
	io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
}

func (p *platform) count(kind string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.got[kind])
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

type fixture struct {
	d      *db.DB
	now    time.Time
	mu     sync.Mutex
	store  *robot.Store
	sender *robot.Sender
	plat   *platform
	srv    *httptest.Server
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	key, err := pii.ParseKey(pii.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{d: dbtest.Open(t), now: time.Now().Truncate(time.Second)}
	f.plat = &platform{t: t, clock: f.clock, got: map[string][]string{}}
	f.srv = httptest.NewServer(f.plat)
	t.Cleanup(f.srv.Close)
	f.store = &robot.Store{DB: f.d, Key: key, Guard: robot.Guard{AllowPrivate: true}, BaseURL: "https://cw.example.gov.cn",
		Now: f.clock, T: i18n.MustLoad("zh-CN").T}
	f.sender = &robot.Sender{Store: f.store, Timeout: 2 * time.Second}
	return f
}

var admin = access.Actor{UserID: 1, Username: "admin", Roles: []access.Role{access.RoleAdmin}}

// addRobot configures a robot of a platform for the district 410411.
func (f *fixture) addRobot(t *testing.T, platform string, events ...string) int64 {
	t.Helper()
	in := robot.RobotInput{Name: platform + " 群", Platform: platform, RegionCode: "410411", Events: events}
	switch platform {
	case robot.WeCom:
		in.Endpoint = f.srv.URL + "/cgi-bin/webhook/send?key=" + wecomKey
	case robot.DingTalk:
		in.Endpoint, in.Secret = f.srv.URL+"/robot/send?access_token="+dingToken, dingSecret
	case robot.Feishu:
		in.Endpoint, in.Secret = f.srv.URL+"/open-apis/bot/v2/hook/"+feishuHookID, feishuSecret
	}
	id, err := f.store.CreateRobot(context.Background(), admin, in)
	if err != nil {
		t.Fatalf("create %s robot: %v", platform, err)
	}
	return id
}

func (f *fixture) publish(t *testing.T, n int, typ string) {
	t.Helper()
	for i := 0; i < n; i++ {
		err := f.store.Publish(context.Background(), nil, robot.Event{Type: typ, RegionCode: "410411001001",
			Title:    fmt.Sprintf("【派遣】问题 410411-20261204-%04d 已派遣至北渡街道", i+1),
			Markdown: "> 地点：建设路 12 号\n> 说明：店主电话 13912345678，身份证 410411199001011234",
			URL:      fmt.Sprintf("/problems/%d", i+1), Object: map[string]any{"code": fmt.Sprintf("410411-20261204-%04d", i+1)}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) send(t *testing.T) robot.Report {
	t.Helper()
	rep, err := f.sender.Send(context.Background())
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	return rep
}

func (f *fixture) pending(t *testing.T) int {
	t.Helper()
	n, err := db.Count(context.Background(), f.d, "SELECT COUNT(*) FROM outbox_message WHERE channel IN ('robot', 'webhook') AND sent_at IS NULL AND failed_at IS NULL")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPlatformsFormatAndSignature sends one message to a robot of each
// platform; the local server checks each request as documented.
func TestPlatformsFormatAndSignature(t *testing.T) {
	for _, p := range robot.Platforms() {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.addRobot(t, p, robot.CaseDispatched)
			f.publish(t, 1, robot.CaseDispatched)
			f.publish(t, 1, robot.CaseReturned) // not subscribed
			if rep := f.send(t); rep.Sent != 1 || rep.Retrying != 0 {
				t.Fatalf("report %+v, refused: %v", rep, f.plat.bad)
			}
			if len(f.plat.bad) > 0 || f.plat.count(p) != 1 {
				t.Fatalf("platform refused %v, accepted %v", f.plat.bad, f.plat.got)
			}
			msg := f.plat.got[p][0]
			for _, want := range []string{"410411-20261204-0001", "139****5678", "410***********1234", "(https://cw.example.gov.cn/problems/1)", "查看详情"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q:\n%s", want, msg)
				}
			}
			if strings.Contains(msg, "13912345678") || strings.Contains(msg, "410411199001011234") {
				t.Errorf("message shows personal data:\n%s", msg)
			}
			if n := f.pending(t); n != 0 {
				t.Errorf("%d deliveries still pending", n)
			}
			// Nothing is sent twice.
			if rep := f.send(t); rep.Sent != 0 || f.plat.count(p) != 1 {
				t.Errorf("second send: %+v", rep)
			}
		})
	}
}

// TestBurstIsFolded publishes 100 events at once: each platform gets as
// many messages as its limit allows, the last of them a digest of the
// rest, and nothing is dropped.
func TestBurstIsFolded(t *testing.T) {
	tests := []struct {
		platform string
		requests int // the platform's limit in one pass
	}{
		{robot.WeCom, 20},
		{robot.DingTalk, 20},
		{robot.Feishu, 5}, // 5 a second
	}
	for _, tc := range tests {
		t.Run(tc.platform, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.addRobot(t, tc.platform, robot.CaseDispatched)
			f.publish(t, 100, robot.CaseDispatched)
			rep := f.send(t)
			if got := f.plat.count(tc.platform); got != tc.requests || rep.Sent != tc.requests {
				t.Fatalf("%d requests (report %+v), want %d; refused %v", got, rep, tc.requests, f.plat.bad)
			}
			folded := 100 - (tc.requests - 1)
			if rep.Folded != folded {
				t.Errorf("folded %d, want %d", rep.Folded, folded)
			}
			last := f.plat.got[tc.platform][tc.requests-1]
			if !strings.Contains(last, fmt.Sprintf("共 %d 条", folded)) || !strings.Contains(last, "410411-20261204-0100") && !strings.Contains(last, "另有") {
				t.Errorf("digest message:\n%s", last)
			}
			if n := f.pending(t); n != 0 {
				t.Errorf("%d deliveries left pending, want none (folded, not dropped)", n)
			}
			// More within the limit's window wait (not dropped, not sent
			// past the limit), and go out folded once it allows.
			f.publish(t, 7, robot.CaseDispatched)
			if rep := f.send(t); rep.Sent != 0 {
				t.Errorf("sent past the limit: %+v", rep)
			}
			if n := f.pending(t); n != 7 {
				t.Errorf("%d pending, want 7", n)
			}
			f.advance(61 * time.Second)
			rep = f.send(t)
			if n := f.pending(t); n != 0 || rep.Sent == 0 {
				t.Errorf("after a minute: %+v, %d pending", rep, n)
			}
		})
	}
}

// TestDingTalkBlockWaits: a robot the platform blocks (130101) waits the
// ten minutes, then sends what waited as one digest.
func TestDingTalkBlockWaits(t *testing.T) {
	f := newFixture(t)
	f.addRobot(t, robot.DingTalk, robot.CaseDispatched)
	blocked := true
	f.plat.answer = func(string) (int, string) {
		if blocked {
			return http.StatusOK, `{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}`
		}
		return 0, ""
	}
	f.publish(t, 3, robot.CaseDispatched)
	if rep := f.send(t); rep.Sent != 0 || rep.Waiting != 3 {
		t.Fatalf("blocked send: %+v", rep)
	}
	blocked = false
	f.advance(5 * time.Minute)
	if rep := f.send(t); rep.Sent != 0 || f.plat.count(robot.DingTalk) != 0 {
		t.Errorf("sent while blocked: %+v", rep)
	}
	f.advance(6 * time.Minute)
	if rep := f.send(t); rep.Sent != 3 || f.pending(t) != 0 {
		t.Errorf("after the block: %+v, %d pending", rep, f.pending(t))
	}
}

// TestRobotFailureIsRetried keeps the last error and retries later.
func TestRobotFailureIsRetried(t *testing.T) {
	f := newFixture(t)
	f.addRobot(t, robot.WeCom, robot.CaseDispatched)
	down := true
	f.plat.answer = func(string) (int, string) {
		if down {
			return http.StatusBadGateway, "upstream down"
		}
		return 0, ""
	}
	f.publish(t, 2, robot.CaseDispatched)
	if rep := f.send(t); rep.Retrying != 1 || rep.Waiting != 1 {
		t.Fatalf("failed send: %+v", rep)
	}
	log, err := f.store.RobotLog(context.Background(), admin, 1, 10)
	if err != nil || len(log) != 2 {
		t.Fatalf("log %v %v", log, err)
	}
	if e := log[1].LastError; !strings.Contains(e, "502") || strings.Contains(e, wecomKey) {
		t.Errorf("last error %q", e)
	}
	down = false
	f.advance(time.Minute)
	if rep := f.send(t); rep.Sent != 2 {
		t.Errorf("retry: %+v", rep)
	}
}

// TestTwoServersSendOnce runs four senders at once on one database.
func TestTwoServersSendOnce(t *testing.T) {
	f := newFixture(t)
	f.addRobot(t, robot.Feishu, robot.CaseDispatched)
	id, _, err := f.store.CreateWebhook(context.Background(), admin, robot.WebhookInput{Name: "12345", URL: f.srv.URL + "/hook",
		Secret: "0123456789abcdef0123", Events: []string{robot.CaseDispatched}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Header.Get(robot.HeaderEventID)]++
		mu.Unlock()
	}))
	defer hook.Close()
	if _, err := f.d.Exec(context.Background(), "DELETE FROM webhook WHERE id = ?", id); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.store.CreateWebhook(context.Background(), admin, robot.WebhookInput{Name: "12345", URL: hook.URL,
		Secret: "0123456789abcdef0123", Events: []string{robot.CaseDispatched}}); err != nil {
		t.Fatal(err)
	}
	f.publish(t, 4, robot.CaseDispatched)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			other := &robot.Sender{Store: f.store, Timeout: 2 * time.Second}
			if _, err := other.Send(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := f.plat.count(robot.Feishu); got > 4 || got == 0 {
		t.Errorf("feishu got %d messages", got)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("webhook event %s delivered %d times", id, n)
		}
	}
	if len(seen) != 4 {
		t.Errorf("webhook got %d events, want 4", len(seen))
	}
}

// TestWebhookSignatureRetryAndTimeout checks the delivery a receiver gets,
// a retry after a failure with the same event id, and a receiver that
// hangs: that one times out and is retried, and the others are served in
// the same pass.
func TestWebhookSignatureRetryAndTimeout(t *testing.T) {
	f := newFixture(t)
	f.sender.Timeout = 300 * time.Millisecond
	ctx := context.Background()
	const secret = "s3cret-s3cret-s3cret"
	type got struct {
		id, typ string
		body    []byte
	}
	var mu sync.Mutex
	var deliveries []got
	fail := true
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get(robot.HeaderSignature) != webhookSign(secret, body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if fail {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			fail = false
			return
		}
		deliveries = append(deliveries, got{r.Header.Get(robot.HeaderEventID), r.Header.Get(robot.HeaderEventType), body})
	}))
	defer good.Close()
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()
	defer close(release)
	goodID, shown, err := f.store.CreateWebhook(ctx, admin, robot.WebhookInput{Name: "数字城管", URL: good.URL + "/in", Secret: secret,
		Events: []string{robot.CaseDispatched, robot.BulletinIssued}})
	if err != nil || shown != secret {
		t.Fatalf("create: %v %q", err, shown)
	}
	hangID, generated, err := f.store.CreateWebhook(ctx, admin, robot.WebhookInput{Name: "12345", URL: hang.URL, Events: []string{robot.CaseDispatched}})
	if err != nil || len(generated) < 32 {
		t.Fatalf("create: %v %q", err, generated)
	}
	f.publish(t, 1, robot.CaseDispatched)
	start := time.Now()
	rep := f.send(t)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("a pass took %v with a hanging receiver", took)
	}
	if rep.Retrying != 2 {
		t.Fatalf("first pass %+v", rep)
	}
	logs, err := f.store.WebhookLog(ctx, admin, hangID, 10)
	if err != nil || len(logs) != 1 || !strings.Contains(logs[0].LastError, "timeout") || logs[0].State() != "retrying" {
		t.Fatalf("hanging receiver's log: %+v %v", logs, err)
	}
	f.advance(time.Minute)
	rep = f.send(t)
	if rep.Sent != 1 || rep.Retrying != 1 {
		t.Fatalf("second pass %+v", rep)
	}
	if len(deliveries) != 1 {
		t.Fatalf("deliveries %v", deliveries)
	}
	d := deliveries[0]
	var p struct {
		ID     string          `json:"id"`
		Type   string          `json:"type"`
		Time   time.Time       `json:"time"`
		Object json.RawMessage `json:"object"`
	}
	if err := json.Unmarshal(d.body, &p); err != nil {
		t.Fatal(err)
	}
	if p.ID == "" || p.ID != d.id || p.Type != robot.CaseDispatched || d.typ != p.Type || p.Time.IsZero() ||
		!strings.Contains(string(p.Object), "410411-20261204-0001") {
		t.Errorf("payload %s with id header %q", d.body, d.id)
	}
	logs, _ = f.store.WebhookLog(ctx, admin, goodID, 10)
	if len(logs) != 1 || logs[0].State() != "sent" || logs[0].Attempts != 2 || logs[0].EventID != p.ID {
		t.Errorf("log %+v", logs)
	}
	// A handler may not read the log or register one.
	office := access.Actor{UserID: 2, Region: "410411", Roles: []access.Role{access.RoleOffice}}
	if _, err := f.store.WebhookLog(ctx, office, 0, 10); !isKind(err, apperr.KindForbidden) {
		t.Errorf("office reads the webhook log: %v", err)
	}
}

func isKind(err error, k apperr.Kind) bool {
	var e *apperr.Error
	return errors.As(err, &e) && e.Kind == k
}

// TestSSRFRefused: internal targets are refused when saved, and when
// dialled (so a name that later resolves inside is refused too).
func TestSSRFRefused(t *testing.T) {
	ctx := context.Background()
	g := robot.Guard{Resolve: func(_ context.Context, host string) ([]netipAddr, error) { return resolveStub(host) }}
	for _, raw := range []string{
		"ftp://example.com/hook", "file:///etc/passwd", "javascript:alert(1)", "http://user:pw@example.com/",
		"http://127.0.0.1:8080/hook", "http://10.1.2.3/hook", "http://172.16.0.9/", "http://192.168.1.1/",
		"http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[fd00::1]/", "http://0.0.0.0/",
		"http://100.64.1.1/", "http://localhost/hook", "http://inside.example/hook", "http://nowhere.invalid/",
	} {
		if _, err := g.CheckURL(ctx, raw, false); !isKind(err, apperr.KindInvalid) {
			t.Errorf("%s accepted (%v)", raw, err)
		}
	}
	for _, raw := range []string{"https://8.8.8.8/hook", "https://hooks.example/in"} {
		if _, err := g.CheckURL(ctx, raw, false); err != nil {
			t.Errorf("%s refused: %v", raw, err)
		}
	}
	// The dialler refuses a loopback target whatever the name said.
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	if _, err := g.Client(time.Second).Get(srv.URL); err == nil || !strings.Contains(err.Error(), "internal address") {
		t.Errorf("dial to %s: %v", srv.URL, err)
	}
	if res, err := (robot.Guard{AllowPrivate: true}).Client(time.Second).Get(srv.URL); err != nil {
		t.Errorf("allowed dial: %v", err)
	} else {
		res.Body.Close()
	}
	// A store without the setting refuses a robot on a local server.
	f := newFixture(t)
	f.store.Guard = robot.Guard{}
	_, err := f.store.CreateRobot(ctx, admin, robot.RobotInput{Name: "x", Platform: robot.WeCom, RegionCode: "410411",
		Endpoint: f.srv.URL + "/cgi-bin/webhook/send?key=" + wecomKey, Events: []string{robot.CaseDispatched}})
	if !isKind(err, apperr.KindInvalid) {
		t.Errorf("robot on loopback saved: %v", err)
	}
	if _, _, err := f.store.CreateWebhook(ctx, admin, robot.WebhookInput{Name: "x", URL: "http://10.0.0.8/in",
		Events: []string{robot.CaseDispatched}}); !isKind(err, apperr.KindInvalid) {
		t.Errorf("webhook on a private address saved: %v", err)
	}
}

// TestConfigureScopeAndSecrets: only offices (in their jurisdiction) and
// administrators configure robots; endpoints and secrets are sealed,
// never listed, and a malformed secret is refused.
func TestConfigureScopeAndSecrets(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	office := access.Actor{UserID: 2, Region: "410411", Roles: []access.Role{access.RoleOffice}}
	other := access.Actor{UserID: 3, Region: "410402", Roles: []access.Role{access.RoleOffice}}
	handler := access.Actor{UserID: 4, UnitID: 9, Region: "410411001", Roles: []access.Role{access.RoleHandler}}
	leader := access.Actor{UserID: 5, Region: "410411", Roles: []access.Role{access.RoleLeader}}
	in := robot.RobotInput{Name: "北渡街道群", Platform: robot.DingTalk, RegionCode: "410411001",
		Endpoint: f.srv.URL + "/robot/send?access_token=" + dingToken, Secret: dingSecret, Events: []string{robot.CaseDispatched}}
	for _, a := range []access.Actor{handler, leader, other} {
		if _, err := f.store.CreateRobot(ctx, a, in); !isKind(err, apperr.KindForbidden) {
			t.Errorf("%v created a robot: %v", a.Roles, err)
		}
	}
	id, err := f.store.CreateRobot(ctx, office, in)
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := f.store.Robots(ctx, other); len(list) != 0 {
		t.Errorf("another district's office lists %v", list)
	}
	list, err := f.store.Robots(ctx, office)
	if err != nil || len(list) != 1 || list[0].Hint != dingToken[len(dingToken)-4:] || !list[0].HasSecret {
		t.Fatalf("list %+v %v", list, err)
	}
	var endpoint, secret string
	if err := f.d.QueryRow(ctx, "SELECT endpoint, secret FROM robot WHERE id = ?", id).Scan(&endpoint, &secret); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(endpoint, dingToken) || strings.Contains(secret, dingSecret) || !strings.HasPrefix(secret, "v1:") {
		t.Errorf("stored in the clear: %q %q", endpoint, secret)
	}
	bad := in
	bad.Secret = "not-a-dingtalk-secret"
	if _, err := f.store.CreateRobot(ctx, office, bad); !isKind(err, apperr.KindInvalid) {
		t.Errorf("bad secret saved: %v", err)
	}
	bad = in
	bad.Endpoint = f.srv.URL + "/robot/send"
	if _, err := f.store.CreateRobot(ctx, office, bad); !isKind(err, apperr.KindInvalid) {
		t.Errorf("endpoint without a token saved: %v", err)
	}
	// An update without an endpoint keeps it; with an event list changed.
	up := robot.RobotInput{Name: "北渡街道群", Events: []string{robot.CaseReturned, robot.DailyDigest}, DigestAt: "08:30", Enabled: true}
	if err := f.store.UpdateRobot(ctx, office, id, up); err != nil {
		t.Fatal(err)
	}
	var after string
	f.d.QueryRow(ctx, "SELECT endpoint FROM robot WHERE id = ?", id).Scan(&after) //nolint:errcheck
	if after != endpoint {
		t.Errorf("endpoint changed by an update without one")
	}
	if err := f.store.DeleteRobot(ctx, other, id); !isKind(err, apperr.KindNotFound) {
		t.Errorf("other office deleted: %v", err)
	}
	if _, _, err := f.store.CreateWebhook(ctx, office, robot.WebhookInput{Name: "x", URL: "https://8.8.8.8/", Events: []string{robot.CaseDispatched}}); !isKind(err, apperr.KindForbidden) {
		t.Errorf("office registered a webhook: %v", err)
	}
	if _, _, err := f.store.CreateWebhook(ctx, admin, robot.WebhookInput{Name: "x", URL: "https://8.8.8.8/", Secret: "short",
		Events: []string{robot.CaseDispatched}}); !isKind(err, apperr.KindInvalid) {
		t.Errorf("short webhook secret saved: %v", err)
	}
	// Without a data key nothing is saved.
	f.store.Key = nil
	if _, err := f.store.CreateRobot(ctx, office, in); !isKind(err, apperr.KindInvalid) {
		t.Errorf("saved without a data key: %v", err)
	}
}

// TestRoutingByScope: a unit's robot hears its unit, a street's robot its
// street, the office's the whole district; a district bulletin reaches
// the street's robot too.
func TestRoutingByScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mk := func(region string) int64 {
		id, err := f.store.CreateRobot(ctx, admin, robot.RobotInput{Name: region, Platform: robot.WeCom, RegionCode: region,
			Endpoint: f.srv.URL + "/cgi-bin/webhook/send?key=" + wecomKey, Events: []string{robot.CaseDispatched, robot.BulletinIssued}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	district, street, otherStreet := mk("410411"), mk("410411001"), mk("410411002")
	if err := f.store.Publish(ctx, nil, robot.Event{Type: robot.CaseDispatched, RegionCode: "410411001003", Title: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Publish(ctx, nil, robot.Event{Type: robot.BulletinIssued, RegionCode: "410411", Down: true, Title: "b"}); err != nil {
		t.Fatal(err)
	}
	got := map[int64]int{}
	rows, err := f.d.Query(ctx, "SELECT target_id FROM outbox_message WHERE channel = 'robot'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id) //nolint:errcheck
		got[id]++
	}
	rows.Close()
	if got[district] != 2 || got[street] != 2 || got[otherStreet] != 1 {
		t.Errorf("deliveries by robot %v (district %d, street %d, other %d)", got, district, street, otherStreet)
	}
}

// TestDailyDigestOnce queues each robot's digest once a day at its time.
func TestDailyDigestOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	f.now = time.Date(2026, 12, 4, 8, 0, 0, 0, loc)
	calls := 0
	f.store.Digest = func(_ context.Context, unit int64, region string, now time.Time) (robot.DigestData, error) {
		calls++
		return robot.DigestData{Open: 12, DueToday: 1, Overdue: 2, ListURL: "/problems?region=" + region,
			OverdueCases: []robot.DigestCase{{Code: "410411-20261201-0007", Category: "占道经营", Deadline: now.Add(-time.Hour), URL: "/problems/7"}}}, nil
	}
	if _, err := f.store.CreateRobot(ctx, admin, robot.RobotInput{Name: "d", Platform: robot.WeCom, RegionCode: "410411",
		Endpoint: f.srv.URL + "/cgi-bin/webhook/send?key=" + wecomKey, Events: []string{robot.DailyDigest}, DigestAt: "08:30"}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.store.QueueDigests(ctx); err != nil || n != 0 {
		t.Fatalf("before its time: %d %v", n, err)
	}
	f.now = f.now.Add(31 * time.Minute)
	for i := 0; i < 3; i++ {
		if n, err := f.store.QueueDigests(ctx); err != nil || n != map[bool]int{true: 1, false: 0}[i == 0] {
			t.Fatalf("run %d: %d %v", i, n, err)
		}
	}
	f.send(t)
	if f.plat.count(robot.WeCom) != 1 {
		t.Fatalf("digests sent: %v (refused %v)", f.plat.got, f.plat.bad)
	}
	msg := f.plat.got[robot.WeCom][0]
	for _, want := range []string{"每日汇总", "在办 **12** 件", "410411-20261201-0007", "https://cw.example.gov.cn/problems/7"} {
		if !strings.Contains(msg, want) {
			t.Errorf("digest lacks %q:\n%s", want, msg)
		}
	}
	f.now = f.now.Add(24 * time.Hour)
	if n, _ := f.store.QueueDigests(ctx); n != 1 {
		t.Errorf("next day: %d", n)
	}
	_ = url.QueryEscape
}

// TestSubscribed tells a listener whether anyone takes an event type: no
// robot or webhook at first, then a robot's types, then a webhook's; a
// disabled robot takes nothing.
func TestSubscribed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	want := func(typ string, expect bool) {
		t.Helper()
		got, err := f.store.Subscribed(ctx, nil, typ)
		if err != nil || got != expect {
			t.Errorf("Subscribed(%s) = %v, %v; want %v", typ, got, err, expect)
		}
	}
	want(robot.CaseDispatched, false)
	id := f.addRobot(t, robot.WeCom, robot.CaseDispatched)
	want(robot.CaseDispatched, true)
	want(robot.CaseReturned, false)
	if _, _, err := f.store.CreateWebhook(ctx, admin, robot.WebhookInput{Name: "hook", URL: f.srv.URL + "/hook",
		Events: []string{robot.CaseReturned}}); err != nil {
		t.Fatal(err)
	}
	want(robot.CaseReturned, true)
	if _, err := f.d.Exec(ctx, "UPDATE robot SET enabled = FALSE WHERE id = ?", id); err != nil {
		t.Fatal(err)
	}
	want(robot.CaseDispatched, false)
}
