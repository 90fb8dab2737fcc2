package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func TestAPITokens(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	admin := app.Browser(t)
	admin.SignIn("admin", servertest.DemoPassword("admin"))
	officeID := servertest.UserIDByName(t, app, "office")
	token := servertest.CreateToken(t, admin, officeID, "12345 热线对接")

	status, body := servertest.APICall(t, app, "GET", "/api/v1/me", "", "")
	if status != http.StatusUnauthorized || servertest.ErrorCode(t, body) != "api.token_required" {
		t.Fatalf("no token: %d %s", status, body)
	}
	status, body = servertest.APICall(t, app, "GET", "/api/v1/me", "wmt_not-a-real-token", "")
	if status != http.StatusUnauthorized || servertest.ErrorCode(t, body) != "auth.token_invalid" {
		t.Fatalf("bad token: %d %s", status, body)
	}

	status, body = servertest.APICall(t, app, "GET", "/api/v1/me", token, "")
	if status != http.StatusOK || !strings.Contains(string(body), `"username":"office"`) || !strings.Contains(string(body), `"139****0001"`) {
		t.Fatalf("me: %d %s", status, body)
	}
	status, body = servertest.APICall(t, app, "GET", "/api/v1/regions?parent=410411", token, "")
	var page struct {
		Items []struct{ Code, Name string } `json:"items"`
		Total int                           `json:"total"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &page) != nil || page.Total != 10 || page.Items[0].Name != "马庄街道" {
		t.Fatalf("regions: %d %s", status, body)
	}
	status, body = servertest.APICall(t, app, "GET", "/api/v1/regions?limit=9999", token, "")
	if status != http.StatusBadRequest || servertest.ErrorCode(t, body) != "api.bad_limit" {
		t.Fatalf("bad limit: %d %s", status, body)
	}
	status, body = servertest.APICall(t, app, "GET", "/api/v1/regions/999999", token, "")
	if status != http.StatusNotFound {
		t.Fatalf("unknown region: %d %s", status, body)
	}

	status, body = servertest.APICall(t, app, "POST", "/api/v1/units", token,
		`{"code":"410411-cgzf","name":"湛河区城市管理综合执法大队","kind":"department","line":"urban_management","region_code":"410411"}`)
	if status != http.StatusCreated {
		t.Fatalf("create unit: %d %s", status, body)
	}
	status, body = servertest.APICall(t, app, "POST", "/api/v1/units", token, `{"code":"x","name":`)
	if status != http.StatusBadRequest || servertest.ErrorCode(t, body) != "api.bad_json" {
		t.Fatalf("bad json: %d %s", status, body)
	}
	status, body = servertest.APICall(t, app, "POST", "/api/v1/units", token, `{"code":"far-unit","name":"外区","kind":"other","region_code":"4101"}`)
	if status != http.StatusBadRequest && status != http.StatusForbidden {
		t.Fatalf("unit outside scope: %d %s", status, body)
	}
	status, body = servertest.APICall(t, app, "GET", "/api/v1/nothing-here", token, "")
	if status != http.StatusNotFound || servertest.ErrorCode(t, body) != "api.no_such_endpoint" {
		t.Fatalf("unknown endpoint: %d %s", status, body)
	}

	// Session cookies do not open the API: no CSRF exposure there.
	req, _ := http.NewRequest("GET", app.URL+"/api/v1/me", nil)
	for _, c := range admin.HTTP.Jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("cookie opened the API: %v %v", res.StatusCode, err)
	}

	// Revoke through the page; the token stops working at once.
	res := admin.Get("/admin/tokens")
	m := regexp.MustCompile(`action="/admin/tokens/(\d+)/revoke"`).FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatal("no revoke button")
	}
	if res := admin.Post("/admin/tokens/"+m[1]+"/revoke", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.Status)
	}
	status, body = servertest.APICall(t, app, "GET", "/api/v1/me", token, "")
	if status != http.StatusUnauthorized || servertest.ErrorCode(t, body) != "auth.token_invalid" {
		t.Fatalf("revoked token: %d %s", status, body)
	}
	res = admin.Get("/admin/tokens")
	servertest.MustContain(t, res.Body, "12345 热线对接", "已于")
	servertest.MustNotContain(t, res.Body, token)
}

func TestTokenScopeFollowsUser(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	foreign := servertest.AddForeignDistrict(t, app)
	admin := app.Browser(t)
	admin.SignIn("admin", servertest.DemoPassword("admin"))
	token := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "handler"), "街道对接")
	status, _ := servertest.APICall(t, app, "GET", "/api/v1/units/"+foreign, token, "")
	if status != http.StatusNotFound {
		t.Fatalf("handler token saw a foreign unit: %d", status)
	}
	status, body := servertest.APICall(t, app, "GET", "/api/v1/users", token, "")
	if status != http.StatusOK || strings.Contains(string(body), `"username":"office"`) {
		t.Fatalf("handler token users: %d %s", status, body)
	}
	// Only administrators manage tokens.
	office := app.Browser(t)
	office.SignIn("office", servertest.DemoPassword("office"))
	if res := office.Get("/admin/tokens"); res.Status != http.StatusForbidden {
		t.Fatalf("office opened tokens: %d", res.Status)
	}
}

func TestGuessingTokensLocksTheAddress(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	admin := app.Browser(t)
	admin.SignIn("admin", servertest.DemoPassword("admin"))
	token := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "office"), "12345 热线对接")
	for i := 0; i < app.Config.AddrMaxFailure; i++ {
		if status, _ := servertest.APICall(t, app, "GET", "/api/v1/me", "wmt_guess"+servertest.Itoa(int64(i)), ""); status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, status)
		}
	}
	status, body := servertest.APICall(t, app, "GET", "/api/v1/me", "wmt_guess-again", "")
	if status != http.StatusTooManyRequests || servertest.ErrorCode(t, body) != "auth.locked" {
		t.Fatalf("after %d guesses: %d %s", app.Config.AddrMaxFailure, status, body)
	}
	// The integration's real token still works from that address: a valid
	// token is checked without the throttle table.
	if status, body := servertest.APICall(t, app, "GET", "/api/v1/me", token, ""); status != http.StatusOK {
		t.Fatalf("valid token from a locked address: %d %s", status, body)
	}
}

// TestRevokedTokenRefusedOnEveryServer: a second server keeps the tokens
// it has seen (a row changed around the store is not read again), and a
// token revoked on the first is refused by the second at once, because
// the revocation counts the organisation's generation up.
func TestRevokedTokenRefusedOnEveryServer(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	other := app.Another(t, nil)
	admin := app.Browser(t)
	admin.SignIn("admin", servertest.DemoPassword("admin"))
	token := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "office"), "两台服务器")
	me := func(on *servertest.App) int {
		status, _ := servertest.APICall(t, on, "GET", "/api/v1/me", token, "")
		return status
	}
	if me(other) != http.StatusOK || me(app) != http.StatusOK {
		t.Fatal("the new token is refused")
	}
	ctx := context.Background()
	if _, err := app.DB.Exec(ctx, "UPDATE api_token SET revoked_at = 1 WHERE token_prefix = ?", token[:10]); err != nil {
		t.Fatal(err)
	}
	if me(other) != http.StatusOK {
		t.Fatal("the token was read again: the second server keeps nothing")
	}
	if _, err := app.DB.Exec(ctx, "UPDATE api_token SET revoked_at = NULL WHERE token_prefix = ?", token[:10]); err != nil {
		t.Fatal(err)
	}
	res := admin.Get("/admin/tokens")
	m := regexp.MustCompile(`action="/admin/tokens/(\d+)/revoke"`).FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatal("no revoke button")
	}
	if res := admin.Post("/admin/tokens/"+m[1]+"/revoke", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.Status)
	}
	if got := me(other); got != http.StatusUnauthorized {
		t.Fatalf("the second server accepted the revoked token: %d", got)
	}
}
