package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// TestAbandonedRequestIsNoServerError: a request whose client went away
// (the wall screen reloading, a closed tab) is not answered with a 500 nor
// logged as the server's failure.
func TestAbandonedRequestIsNoServerError(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	office := app.SignedIn(t, "office")
	u, err := url.Parse(app.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/dashboard/data.json?days=90", "/problems"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		for _, c := range office.HTTP.Jar.Cookies(u) {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		app.Handler.ServeHTTP(rec, req)
		if rec.Code >= 500 || rec.Body.Len() > 0 {
			t.Errorf("%s, abandoned: %d with %d bytes", path, rec.Code, rec.Body.Len())
		}
	}
}
