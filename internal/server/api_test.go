package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func apiCall(t *testing.T, app *testApp, method, path, token, body string) (int, []byte) {
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
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: content type %q", method, path, ct)
	}
	return res.StatusCode, out
}

func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not a JSON error: %s", body)
	}
	return e.Error.Code
}

// createToken issues a token for user through the admin page.
func createToken(t *testing.T, admin *browser, userID, name string) string {
	t.Helper()
	admin.get("/admin/tokens")
	res := admin.post("/admin/tokens", url.Values{"name": {name}, "user_id": {userID}})
	m := regexp.MustCompile(`id="new-token">([^<]+)<`).FindStringSubmatch(res.Body)
	if res.Status != http.StatusCreated || m == nil {
		t.Fatalf("create token: %d\n%s", res.Status, res.Body)
	}
	return m[1]
}

func TestAPITokens(t *testing.T) {
	app := newTestApp(t)
	admin := app.browser(t)
	admin.signIn("admin", demoPassword("admin"))
	officeID := userIDByName(t, app, "office")
	token := createToken(t, admin, officeID, "12345 热线对接")

	status, body := apiCall(t, app, "GET", "/api/v1/me", "", "")
	if status != http.StatusUnauthorized || errorCode(t, body) != "api.token_required" {
		t.Fatalf("no token: %d %s", status, body)
	}
	status, body = apiCall(t, app, "GET", "/api/v1/me", "wmt_not-a-real-token", "")
	if status != http.StatusUnauthorized || errorCode(t, body) != "auth.token_invalid" {
		t.Fatalf("bad token: %d %s", status, body)
	}

	status, body = apiCall(t, app, "GET", "/api/v1/me", token, "")
	if status != http.StatusOK || !strings.Contains(string(body), `"username":"office"`) || !strings.Contains(string(body), `"139****0001"`) {
		t.Fatalf("me: %d %s", status, body)
	}
	status, body = apiCall(t, app, "GET", "/api/v1/regions?parent=410411", token, "")
	var page struct {
		Items []struct{ Code, Name string } `json:"items"`
		Total int                           `json:"total"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &page) != nil || page.Total != 10 || page.Items[0].Name != "马庄街道" {
		t.Fatalf("regions: %d %s", status, body)
	}
	status, body = apiCall(t, app, "GET", "/api/v1/regions?limit=9999", token, "")
	if status != http.StatusBadRequest || errorCode(t, body) != "api.bad_limit" {
		t.Fatalf("bad limit: %d %s", status, body)
	}
	status, body = apiCall(t, app, "GET", "/api/v1/regions/999999", token, "")
	if status != http.StatusNotFound {
		t.Fatalf("unknown region: %d %s", status, body)
	}

	status, body = apiCall(t, app, "POST", "/api/v1/units", token,
		`{"code":"410411-cgzf","name":"湛河区城市管理综合执法大队","kind":"department","line":"urban_management","region_code":"410411"}`)
	if status != http.StatusCreated {
		t.Fatalf("create unit: %d %s", status, body)
	}
	status, body = apiCall(t, app, "POST", "/api/v1/units", token, `{"code":"x","name":`)
	if status != http.StatusBadRequest || errorCode(t, body) != "api.bad_json" {
		t.Fatalf("bad json: %d %s", status, body)
	}
	status, body = apiCall(t, app, "POST", "/api/v1/units", token, `{"code":"far-unit","name":"外区","kind":"other","region_code":"4101"}`)
	if status != http.StatusBadRequest && status != http.StatusForbidden {
		t.Fatalf("unit outside scope: %d %s", status, body)
	}
	status, body = apiCall(t, app, "GET", "/api/v1/nothing-here", token, "")
	if status != http.StatusNotFound || errorCode(t, body) != "api.no_such_endpoint" {
		t.Fatalf("unknown endpoint: %d %s", status, body)
	}

	// Session cookies do not open the API: no CSRF exposure there.
	req, _ := http.NewRequest("GET", app.URL+"/api/v1/me", nil)
	for _, c := range admin.http.Jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("cookie opened the API: %v %v", res.StatusCode, err)
	}

	// Revoke through the page; the token stops working at once.
	res := admin.get("/admin/tokens")
	m := regexp.MustCompile(`action="/admin/tokens/(\d+)/revoke"`).FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatal("no revoke button")
	}
	if res := admin.post("/admin/tokens/"+m[1]+"/revoke", nil); res.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.Status)
	}
	status, body = apiCall(t, app, "GET", "/api/v1/me", token, "")
	if status != http.StatusUnauthorized || errorCode(t, body) != "auth.token_invalid" {
		t.Fatalf("revoked token: %d %s", status, body)
	}
	res = admin.get("/admin/tokens")
	mustContain(t, res.Body, "12345 热线对接", "已于")
	mustNotContain(t, res.Body, token)
}

func TestTokenScopeFollowsUser(t *testing.T) {
	app := newTestApp(t)
	foreign := addForeignDistrict(t, app)
	admin := app.browser(t)
	admin.signIn("admin", demoPassword("admin"))
	token := createToken(t, admin, userIDByName(t, app, "handler"), "街道对接")
	status, _ := apiCall(t, app, "GET", "/api/v1/units/"+foreign, token, "")
	if status != http.StatusNotFound {
		t.Fatalf("handler token saw a foreign unit: %d", status)
	}
	status, body := apiCall(t, app, "GET", "/api/v1/users", token, "")
	if status != http.StatusOK || strings.Contains(string(body), `"username":"office"`) {
		t.Fatalf("handler token users: %d %s", status, body)
	}
	// Only administrators manage tokens.
	office := app.browser(t)
	office.signIn("office", demoPassword("office"))
	if res := office.get("/admin/tokens"); res.Status != http.StatusForbidden {
		t.Fatalf("office opened tokens: %d", res.Status)
	}
}

func userIDByName(t *testing.T, app *testApp, username string) string {
	t.Helper()
	var id int64
	if err := app.DB.QueryRow(t.Context(), "SELECT id FROM app_user WHERE username = ?", username).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return strconvI(id)
}

func TestGuessingTokensLocksTheAddress(t *testing.T) {
	app := newTestApp(t)
	for i := 0; i < app.Config.AddrMaxFailure; i++ {
		if status, _ := apiCall(t, app, "GET", "/api/v1/me", "wmt_guess"+strconvI(int64(i)), ""); status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, status)
		}
	}
	status, body := apiCall(t, app, "GET", "/api/v1/me", "wmt_guess-again", "")
	if status != http.StatusTooManyRequests || errorCode(t, body) != "auth.locked" {
		t.Fatalf("after %d guesses: %d %s", app.Config.AddrMaxFailure, status, body)
	}
}
