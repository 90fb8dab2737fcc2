package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func TestHealthReadyMetrics(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		res, err := http.Get(app.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || strings.TrimSpace(string(body)) != want {
			t.Errorf("%s: %d %q", path, res.StatusCode, body)
		}
	}
	b := app.Browser(t)
	b.Get("/login")
	b.Get("/regions/410411")
	res, err := http.Get(app.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{
		`wenming_http_requests_total{code="200",method="GET",route="GET /login"} 1`,
		`wenming_http_requests_total{code="303",method="GET",route="GET /regions/{code}"} 1`,
		`wenming_http_request_duration_seconds_bucket{method="GET",route="GET /login"`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// Closing the database makes the server not ready.
	app.DB.Close()
	res, err = http.Get(app.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with closed database: %d", res.StatusCode)
	}
}

func TestSecurityHeadersAndStatic(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	b := app.Browser(t)
	res := b.Get("/login")
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"} {
		if res.Header.Get(h) == "" {
			t.Errorf("missing %s", h)
		}
	}
	i := strings.Index(res.Body, `href="/static/`)
	if i < 0 {
		t.Fatal("no stylesheet link")
	}
	href := res.Body[i+6:]
	href = href[:strings.Index(href, `"`)]
	r, err := http.Get(app.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("static %s: %d %q %q", href, r.StatusCode, r.Header.Get("Cache-Control"), r.Header.Get("Content-Type"))
	}
}
