package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
)

func TestSignInAndOut(t *testing.T) {
	app := newTestApp(t)
	b := app.browser(t)

	res := b.get("/regions")
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/login?next=") {
		t.Fatalf("signed-out /regions: %d %s", res.Status, res.Location)
	}
	res = b.get("/login")
	mustContain(t, res.Body, "登录文明城市创建管理平台", `name="csrf"`)

	wrong := []struct{ name, login, pw string }{
		{"wrong password", "office", "not-the-password-1"},
		{"unknown user", "nobody", demoPassword("office")},
		{"empty password", "office", ""},
	}
	for _, tc := range wrong {
		t.Run(tc.name, func(t *testing.T) {
			res := b.post("/login", url.Values{"login": {tc.login}, "password": {tc.pw}})
			if res.Status != http.StatusUnauthorized {
				t.Fatalf("status %d", res.Status)
			}
			mustContain(t, res.Body, "用户名或密码错误")
		})
	}

	res = b.post("/login", url.Values{"login": {"office"}, "password": {demoPassword("office")}, "next": {"/units"}})
	if res.Status != http.StatusSeeOther || res.Location != "/units" {
		t.Fatalf("sign in: %d %s", res.Status, res.Location)
	}
	cookie := res.Header.Get("Set-Cookie")
	for _, attr := range []string{"HttpOnly", "SameSite=Lax", "wm_session="} {
		if !strings.Contains(strings.Join(res.Header.Values("Set-Cookie"), "; "), attr) {
			t.Errorf("session cookie lacks %s: %s", attr, cookie)
		}
	}
	res = b.get("/regions")
	mustContain(t, res.Body, "湛河区", "马庄街道", "曹镇乡")

	res = b.post("/logout", nil)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.Status)
	}
	if res := b.get("/regions"); res.Status != http.StatusSeeOther {
		t.Fatalf("after logout /regions: %d", res.Status)
	}
}

func TestSignInByPhoneAndOpenRedirect(t *testing.T) {
	app := newTestApp(t)
	b := app.browser(t)
	b.get("/login")
	res := b.post("/login", url.Values{"login": {"13900000001"}, "password": {demoPassword("office")}, "next": {"//evil.example/x"}})
	if res.Status != http.StatusSeeOther || res.Location != "/" {
		t.Fatalf("phone sign-in with foreign next: %d %q", res.Status, res.Location)
	}
}

func TestCSRFRequired(t *testing.T) {
	app := newTestApp(t)
	b := app.browser(t)
	b.get("/login")
	res := b.post("/login", url.Values{"login": {"office"}, "password": {demoPassword("office")}, "csrf": {""}})
	if res.Status != http.StatusForbidden {
		t.Fatalf("login without token: %d", res.Status)
	}
	mustContain(t, res.Body, "页面已过期或来源不明")

	b.signIn("office", demoPassword("office"))
	before := countUnits(t, app)
	res = b.post("/units", url.Values{"csrf": {"forged"}, "code": {"x-unit"}, "name": {"伪造单位"}, "kind": {"other"}, "region_code": {"410411"}})
	if res.Status != http.StatusForbidden {
		t.Fatalf("forged token: %d", res.Status)
	}
	// A token of another session does not work either.
	other := app.browser(t)
	other.signIn("admin", demoPassword("admin"))
	res = b.post("/units", url.Values{"csrf": {other.csrf}, "code": {"x-unit"}, "name": {"伪造单位"}, "kind": {"other"}, "region_code": {"410411"}})
	if res.Status != http.StatusForbidden {
		t.Fatalf("another session's token: %d", res.Status)
	}
	if after := countUnits(t, app); after != before {
		t.Fatalf("units changed from %d to %d", before, after)
	}
}

func countUnits(t *testing.T, app *testApp) int {
	t.Helper()
	_, n, err := app.Org.ListUnits(context.Background(), access.System(), org.UnitFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLockoutAfterFailures(t *testing.T) {
	app := newTestApp(t)
	b := app.browser(t)
	b.get("/login")
	for i := 0; i < app.Config.LoginMaxFailure; i++ {
		if res := b.post("/login", url.Values{"login": {"office"}, "password": {"bad-password-1"}}); res.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, res.Status)
		}
	}
	res := b.post("/login", url.Values{"login": {"office"}, "password": {demoPassword("office")}})
	if res.Status != http.StatusTooManyRequests {
		t.Fatalf("locked account accepted: %d", res.Status)
	}
	mustContain(t, res.Body, "临时锁定")
	// A name that does not exist locks the same way, so a lockout tells nothing.
	for i := 0; i < app.Config.LoginMaxFailure; i++ {
		b.post("/login", url.Values{"login": {"ghost"}, "password": {"bad-password-1"}})
	}
	if res := b.post("/login", url.Values{"login": {"ghost"}, "password": {"bad-password-1"}}); res.Status != http.StatusTooManyRequests {
		t.Fatalf("unknown name not locked: %d", res.Status)
	}
	// Another account from the same address still works, until the address limit.
	b.signIn("leader", demoPassword("leader"))
	// After the lockout the right password works again.
	app.now = app.now.Add(app.Config.LoginLockout + time.Minute)
	c := app.browser(t)
	c.signIn("office", demoPassword("office"))
}

func TestAddressLockout(t *testing.T) {
	app := newTestApp(t)
	b := app.browser(t)
	b.get("/login")
	for i := 0; i < app.Config.AddrMaxFailure; i++ {
		// Different names each time: only the address limit can trip.
		b.post("/login", url.Values{"login": {"guess" + string(rune('a'+i%26)) + string(rune('a'+i/26))}, "password": {"bad-password-1"}})
	}
	res := b.post("/login", url.Values{"login": {"admin"}, "password": {demoPassword("admin")}})
	if res.Status != http.StatusTooManyRequests {
		t.Fatalf("address not locked after %d failures: %d", app.Config.AddrMaxFailure, res.Status)
	}
}

func TestForcedPasswordChange(t *testing.T) {
	app := newTestApp(t)
	admin := app.browser(t)
	admin.signIn("office", demoPassword("office"))
	admin.get("/users/new")
	res := admin.post("/users", url.Values{
		"username": {"newcomer"}, "display_name": {"新同事"}, "unit_id": {unitID(t, app, "410411001")}, "roles": {"handler"},
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("create user: %d\n%s", res.Status, res.Body)
	}
	m := regexp.MustCompile(`id="new-password">([^<]+)<`).FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatal("generated password not shown")
	}
	generated := m[1]

	u := app.browser(t)
	u.get("/login")
	res = u.post("/login", url.Values{"login": {"newcomer"}, "password": {generated}})
	if res.Location != "/password" {
		t.Fatalf("first sign-in went to %q", res.Location)
	}
	if res := u.get("/units"); res.Status != http.StatusSeeOther || res.Location != "/password" {
		t.Fatalf("must-change user reached /units: %d %s", res.Status, res.Location)
	}
	u.get("/password")
	res = u.post("/password", url.Values{"current": {generated}, "new": {"short"}, "confirm": {"short"}})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("weak password: %d", res.Status)
	}
	mustContain(t, res.Body, "密码至少 8 位")
	res = u.post("/password", url.Values{"current": {generated}, "new": {"my-own-pass-7"}, "confirm": {"my-own-pass-8"}})
	mustContain(t, res.Body, "两次输入的新密码不一致")
	res = u.post("/password", url.Values{"current": {generated}, "new": {"my-own-pass-7"}, "confirm": {"my-own-pass-7"}})
	if res.Status != http.StatusSeeOther || res.Location != "/" {
		t.Fatalf("change password: %d %s\n%s", res.Status, res.Location, res.Body)
	}
	if res := u.get("/units"); res.Status != http.StatusOK {
		t.Fatalf("after change /units: %d", res.Status)
	}
	fresh := app.browser(t)
	fresh.signIn("newcomer", "my-own-pass-7")
}

func unitID(t *testing.T, app *testApp, code string) string {
	t.Helper()
	units, _, err := app.Org.ListUnits(context.Background(), access.System(), org.UnitFilter{Query: code, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		if u.Code == code {
			return strconvI(u.ID)
		}
	}
	t.Fatalf("no unit %s", code)
	return ""
}

func TestSessionExpires(t *testing.T) {
	app := newTestApp(t)
	b := app.browser(t)
	b.signIn("office", demoPassword("office"))
	if res := b.get("/units"); res.Status != http.StatusOK {
		t.Fatalf("/units: %d", res.Status)
	}
	// Activity slides the idle expiry forward…
	app.now = app.now.Add(app.Config.SessionTTL - time.Minute)
	if res := b.get("/units"); res.Status != http.StatusOK {
		t.Fatalf("active session refused: %d", res.Status)
	}
	// …but idleness ends it.
	app.now = app.now.Add(app.Config.SessionTTL + time.Minute)
	res := b.get("/units")
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/login") {
		t.Fatalf("expired session: %d %s", res.Status, res.Location)
	}
	res = b.post("/units", url.Values{"code": {"late"}, "name": {"迟到单位"}, "kind": {"other"}})
	if res.Status != http.StatusUnauthorized {
		t.Fatalf("post with expired session: %d", res.Status)
	}
}
