package web_test

import (
	"net/http"
	"testing"

	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// TestMiddlewareOrder: the chain applies session, CSRF, the forced
// password change and then the rate limit, so a forged or unauthenticated
// request never spends a citizen's allowance and a signed-out visitor is
// sent to sign in before anything else is checked.
func TestMiddlewareOrder(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	report := map[string]string{"description": "路灯不亮", "region_code": "410411001001"}

	citizen := app.Browser(t)
	citizen.Get("/public/report")
	forged := map[string]string{"csrf": "forged"}
	for k, v := range report {
		forged[k] = v
	}
	for i := 0; i <= app.Config.PublicPerHour; i++ {
		if res := citizen.PostMultipart("/public/report", forged, nil); res.Status != http.StatusForbidden {
			t.Fatalf("forged report %d: %d, want 403 before the rate limit", i, res.Status)
		}
	}
	if res := citizen.PostMultipart("/public/report", report, nil); res.Status != http.StatusCreated {
		t.Fatalf("forged posts spent the allowance: %d", res.Status)
	}

	tests := []struct {
		name     string
		method   string
		path     string
		status   int
		location string
	}{
		{"signed out, a page", http.MethodGet, "/settings", http.StatusSeeOther, "/login?next=%2Fsettings"},
		{"signed out, a change without a token", http.MethodPost, "/units", http.StatusUnauthorized, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(tc.method, app.URL+tc.path, nil)
			res := app.Browser(t).Do(req)
			if res.Status != tc.status || res.Location != tc.location {
				t.Errorf("%d %q, want %d %q", res.Status, res.Location, tc.status, tc.location)
			}
		})
	}
}
