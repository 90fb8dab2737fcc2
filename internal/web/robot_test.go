package web_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/wenming-civic/wenming/internal/robot"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// wecomServer is a local 企业微信 robot endpoint that keeps the markdown it
// accepts, checking the documented request.
type wecomServer struct {
	mu  sync.Mutex
	got []string
}

func (s *wecomServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m struct {
		MsgType  string `json:"msgtype"`
		Markdown struct {
			Content string `json:"content"`
		} `json:"markdown"`
	}
	if r.URL.Path != "/cgi-bin/webhook/send" || r.URL.Query().Get("key") != "5b0d8d0e-0000-4c4c-9999-robotkeytest" ||
		json.NewDecoder(r.Body).Decode(&m) != nil || m.MsgType != "markdown" {
		io.WriteString(w, `{"errcode":93000,"errmsg":"invalid webhook url"}`)
		return
	}
	s.mu.Lock()
	s.got = append(s.got, m.Markdown.Content)
	s.mu.Unlock()
	io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
}

// TestRobotPages: the office configures a street's robot through the
// form (the key is never shown again), a dispatch in the street reaches
// it through the outbox, and the administrator's webhook gets the same
// event signed; only the office and the administrator open the pages.
func TestRobotPages(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	app.Robots.Guard = robot.Guard{AllowPrivate: true} // WENMING_ALLOW_PRIVATE_WEBHOOKS for the local servers
	ctx := context.Background()
	platform := &wecomServer{}
	ps := httptest.NewServer(platform)
	defer ps.Close()
	const key = "5b0d8d0e-0000-4c4c-9999-robotkeytest"

	office := app.SignedIn(t, "office")
	res := office.Get("/robots")
	if res.Status != http.StatusOK {
		t.Fatalf("office opens robots: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "群机器人", `href="/robots"`, "企业微信", "钉钉", "飞书", "问题派遣到单位", "每日汇总")
	servertest.MustNotContain(t, res.Body, `href="/admin/webhooks"`)

	form := url.Values{"name": {"北渡街道创文群"}, "platform": {"wecom"}, "scope": {"region"}, "region_code": {"410411001"},
		"endpoint": {ps.URL + "/cgi-bin/webhook/send?key=" + key}, "events": {"case.dispatched", "case.returned"}}
	res = office.Post("/robots", form)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	res = office.Get("/robots")
	servertest.MustContain(t, res.Body, "北渡街道创文群", "410411001", "密钥末四位 test")
	servertest.MustNotContain(t, res.Body, key, ps.URL)

	// Bad input: a DingTalk robot without its secret, an internal address
	// when that is not allowed, a region outside the office's district.
	bad := func(edit func(url.Values), want string) {
		t.Helper()
		f := cloneForm(form)
		edit(f)
		res := office.Post("/robots", f)
		if res.Status != http.StatusBadRequest && res.Status != http.StatusForbidden {
			t.Errorf("%s: %d", want, res.Status)
		}
		servertest.MustContain(t, res.Body, want)
		servertest.MustNotContain(t, res.Body, key)
	}
	bad(func(f url.Values) { f.Set("platform", "dingtalk") }, "加签")
	bad(func(f url.Values) { f.Set("region_code", "410402001") }, "本辖区")
	bad(func(f url.Values) { f.Set("endpoint", "ftp://example.com/hook") }, "http://")
	app.Robots.Guard = robot.Guard{}
	bad(func(f url.Values) {}, "不能推送到内网")
	app.Robots.Guard = robot.Guard{AllowPrivate: true}

	// The administrator registers a webhook; its secret is shown once.
	admin := app.SignedIn(t, "admin")
	var mu sync.Mutex
	var bodies [][]byte
	var sigs []string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies, sigs = append(bodies, b), append(sigs, r.Header.Get("X-Wenming-Signature"))
		mu.Unlock()
	}))
	defer receiver.Close()
	admin.Get("/admin/webhooks")
	res = admin.Post("/admin/webhooks", url.Values{"name": {"数字城管"}, "url": {receiver.URL + "/wenming"}, "events": {"case.dispatched"}})
	if res.Status != http.StatusCreated {
		t.Fatalf("webhook: %d %s", res.Status, res.Body)
	}
	i := strings.Index(res.Body, `id="new-secret">`)
	if i < 0 {
		t.Fatalf("secret not shown:\n%s", res.Body)
	}
	secret := res.Body[i+len(`id="new-secret">`):]
	secret = secret[:strings.Index(secret, "<")]
	if again := admin.Get("/admin/webhooks"); strings.Contains(again.Body, secret) || !strings.Contains(again.Body, "数字城管") {
		t.Errorf("webhook page shows the secret again or lacks the webhook")
	}

	c := servertest.DispatchedCase(t, app) // at 电力社区 (410411001001), in the street
	if _, err := app.RobotSender.Send(ctx); err != nil {
		t.Fatal(err)
	}
	if len(platform.got) != 1 || !strings.Contains(platform.got[0], c.Code) || !strings.Contains(platform.got[0], "/problems/"+servertest.Itoa(c.ID)) {
		t.Fatalf("robot got %q", platform.got)
	}
	if len(bodies) != 1 {
		t.Fatalf("webhook got %d deliveries", len(bodies))
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(bodies[0])
	if sigs[0] != "sha256="+hex.EncodeToString(mac.Sum(nil)) || !strings.Contains(string(bodies[0]), c.Code) {
		t.Errorf("webhook delivery %s signed %s", bodies[0], sigs[0])
	}
	res = admin.Get("/admin/webhooks")
	servertest.MustContain(t, res.Body, "推送记录", "问题派遣到单位", "已送达")

	form.Del("csrf") // each browser sends its own
	var rows []servertest.Scenario
	for _, who := range []string{"leader", "handler", "inspector"} {
		rows = append(rows,
			servertest.Scenario{Name: who + " opens robots", As: who, URL: "/robots", Status: http.StatusForbidden},
			servertest.Scenario{Name: who + " opens webhooks", As: who, URL: "/admin/webhooks", Status: http.StatusForbidden},
			servertest.Scenario{Name: who + " adds a robot", As: who, Method: http.MethodPost, URL: "/robots", Form: cloneForm(form), Status: http.StatusForbidden})
	}
	rows = append(rows,
		servertest.Scenario{Name: "office opens webhooks", As: "office", URL: "/admin/webhooks", Status: http.StatusForbidden},
		servertest.Scenario{Name: "office's robot page and log", As: "office", URL: "/robots/1", Status: http.StatusOK,
			Contains: []string{"北渡街道创文群", "发送记录", "已送达"}, NotContains: []string{key}},
		servertest.Scenario{Name: "admin's navigation", As: "admin", URL: "/", Contains: []string{`href="/robots"`, `href="/admin/webhooks"`}})
	app.Run(t, rows)
}

// cloneForm copies a form without its CSRF token (Post adds the browser's).
func cloneForm(form url.Values) url.Values {
	f := url.Values{}
	for k, v := range form {
		f[k] = append([]string(nil), v...)
	}
	f.Del("csrf")
	return f
}
