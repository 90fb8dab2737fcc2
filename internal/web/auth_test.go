package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	b := app.Browser(t)

	res := b.Get("/regions")
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/login?next=") {
		t.Fatalf("signed-out /regions: %d %s", res.Status, res.Location)
	}
	res = b.Get("/login")
	servertest.MustContain(t, res.Body, "登录文明城市创建管理平台", `name="csrf"`)

	wrong := []struct{ name, login, pw string }{
		{"wrong password", "office", "not-the-password-1"},
		{"unknown user", "nobody", servertest.DemoPassword("office")},
		{"empty password", "office", ""},
	}
	for _, tc := range wrong {
		t.Run(tc.name, func(t *testing.T) {
			res := b.Post("/login", url.Values{"login": {tc.login}, "password": {tc.pw}})
			if res.Status != http.StatusUnauthorized {
				t.Fatalf("status %d", res.Status)
			}
			servertest.MustContain(t, res.Body, "用户名或密码错误")
		})
	}

	res = b.Post("/login", url.Values{"login": {"office"}, "password": {servertest.DemoPassword("office")}, "next": {"/units"}})
	if res.Status != http.StatusSeeOther || res.Location != "/units" {
		t.Fatalf("sign in: %d %s", res.Status, res.Location)
	}
	cookie := res.Header.Get("Set-Cookie")
	for _, attr := range []string{"HttpOnly", "SameSite=Lax", "wm_session="} {
		if !strings.Contains(strings.Join(res.Header.Values("Set-Cookie"), "; "), attr) {
			t.Errorf("session cookie lacks %s: %s", attr, cookie)
		}
	}
	res = b.Get("/regions")
	servertest.MustContain(t, res.Body, "湛河区", "马庄街道", "曹镇乡")

	res = b.Post("/logout", nil)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.Status)
	}
	if res := b.Get("/regions"); res.Status != http.StatusSeeOther {
		t.Fatalf("after logout /regions: %d", res.Status)
	}
}

func TestSignInByPhoneAndOpenRedirect(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	b := app.Browser(t)
	b.Get("/login")
	res := b.Post("/login", url.Values{"login": {"13900000001"}, "password": {servertest.DemoPassword("office")}, "next": {"//evil.example/x"}})
	if res.Status != http.StatusSeeOther || res.Location != "/" {
		t.Fatalf("phone sign-in with foreign next: %d %q", res.Status, res.Location)
	}
}

func TestLockoutAfterFailures(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	b := app.Browser(t)
	b.Get("/login")
	for i := 0; i < app.Config.LoginMaxFailure; i++ {
		if res := b.Post("/login", url.Values{"login": {"office"}, "password": {"bad-password-1"}}); res.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, res.Status)
		}
	}
	res := b.Post("/login", url.Values{"login": {"office"}, "password": {servertest.DemoPassword("office")}})
	if res.Status != http.StatusTooManyRequests {
		t.Fatalf("locked account accepted: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "临时锁定")
	// A name that does not exist locks the same way, so a lockout tells nothing.
	for i := 0; i < app.Config.LoginMaxFailure; i++ {
		b.Post("/login", url.Values{"login": {"ghost"}, "password": {"bad-password-1"}})
	}
	if res := b.Post("/login", url.Values{"login": {"ghost"}, "password": {"bad-password-1"}}); res.Status != http.StatusTooManyRequests {
		t.Fatalf("unknown name not locked: %d", res.Status)
	}
	// Another account from the same address still works, until the address limit.
	b.SignIn("leader", servertest.DemoPassword("leader"))
	// After the lockout the right password works again.
	app.Advance(app.Config.LoginLockout + time.Minute)
	c := app.Browser(t)
	c.SignIn("office", servertest.DemoPassword("office"))
}

func TestAddressLockout(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	b := app.Browser(t)
	b.Get("/login")
	for i := 0; i < app.Config.AddrMaxFailure; i++ {
		// Different names each time: only the address limit can trip.
		b.Post("/login", url.Values{"login": {"guess" + string(rune('a'+i%26)) + string(rune('a'+i/26))}, "password": {"bad-password-1"}})
	}
	res := b.Post("/login", url.Values{"login": {"admin"}, "password": {servertest.DemoPassword("admin")}})
	if res.Status != http.StatusTooManyRequests {
		t.Fatalf("address not locked after %d failures: %d", app.Config.AddrMaxFailure, res.Status)
	}
}

func TestForcedPasswordChange(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	admin := app.Browser(t)
	admin.SignIn("office", servertest.DemoPassword("office"))
	admin.Get("/users/new")
	res := admin.Post("/users", url.Values{
		"username": {"newcomer"}, "display_name": {"新同事"}, "unit_id": {servertest.UnitID(t, app, "410411001")}, "roles": {"handler"},
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("create user: %d\n%s", res.Status, res.Body)
	}
	m := regexp.MustCompile(`id="new-password">([^<]+)<`).FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatal("generated password not shown")
	}
	generated := m[1]

	u := app.Browser(t)
	u.Get("/login")
	res = u.Post("/login", url.Values{"login": {"newcomer"}, "password": {generated}})
	if res.Location != "/password" {
		t.Fatalf("first sign-in went to %q", res.Location)
	}
	if res := u.Get("/units"); res.Status != http.StatusSeeOther || res.Location != "/password" {
		t.Fatalf("must-change user reached /units: %d %s", res.Status, res.Location)
	}
	u.Get("/password")
	res = u.Post("/password", url.Values{"current": {generated}, "new": {"short"}, "confirm": {"short"}})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("weak password: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "密码至少 8 位")
	res = u.Post("/password", url.Values{"current": {generated}, "new": {"my-own-pass-7"}, "confirm": {"my-own-pass-8"}})
	servertest.MustContain(t, res.Body, "两次输入的新密码不一致")
	res = u.Post("/password", url.Values{"current": {generated}, "new": {"my-own-pass-7"}, "confirm": {"my-own-pass-7"}})
	if res.Status != http.StatusSeeOther || res.Location != "/" {
		t.Fatalf("change password: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	if res := u.Get("/units"); res.Status != http.StatusOK {
		t.Fatalf("after change /units: %d", res.Status)
	}
	fresh := app.Browser(t)
	fresh.SignIn("newcomer", "my-own-pass-7")
}

func TestSessionExpires(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	b := app.Browser(t)
	b.SignIn("office", servertest.DemoPassword("office"))
	if res := b.Get("/units"); res.Status != http.StatusOK {
		t.Fatalf("/units: %d", res.Status)
	}
	// Activity slides the idle expiry forward…
	app.Advance(app.Config.SessionTTL - time.Minute)
	if res := b.Get("/units"); res.Status != http.StatusOK {
		t.Fatalf("active session refused: %d", res.Status)
	}
	// …but idleness ends it.
	app.Advance(app.Config.SessionTTL + time.Minute)
	res := b.Get("/units")
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/login") {
		t.Fatalf("expired session: %d %s", res.Status, res.Location)
	}
	res = b.Post("/units", url.Values{"code": {"late"}, "name": {"迟到单位"}, "kind": {"other"}})
	if res.Status != http.StatusUnauthorized {
		t.Fatalf("post with expired session: %d", res.Status)
	}
}
