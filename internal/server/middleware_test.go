package server_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/server/servertest"
)

func TestCSRFRequired(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	b := app.Browser(t)
	b.Get("/login")
	res := b.Post("/login", url.Values{"login": {"office"}, "password": {servertest.DemoPassword("office")}, "csrf": {""}})
	if res.Status != http.StatusForbidden {
		t.Fatalf("login without token: %d", res.Status)
	}
	servertest.MustContain(t, res.Body, "页面已过期或来源不明")

	b.SignIn("office", servertest.DemoPassword("office"))
	before := countUnits(t, app)
	res = b.Post("/units", url.Values{"csrf": {"forged"}, "code": {"x-unit"}, "name": {"伪造单位"}, "kind": {"other"}, "region_code": {"410411"}})
	if res.Status != http.StatusForbidden {
		t.Fatalf("forged token: %d", res.Status)
	}
	// A token of another session does not work either.
	other := app.Browser(t)
	other.SignIn("admin", servertest.DemoPassword("admin"))
	res = b.Post("/units", url.Values{"csrf": {other.CSRF}, "code": {"x-unit"}, "name": {"伪造单位"}, "kind": {"other"}, "region_code": {"410411"}})
	if res.Status != http.StatusForbidden {
		t.Fatalf("another session's token: %d", res.Status)
	}
	if after := countUnits(t, app); after != before {
		t.Fatalf("units changed from %d to %d", before, after)
	}
}

func countUnits(t *testing.T, app *servertest.App) int {
	t.Helper()
	_, n, err := app.Org.ListUnits(context.Background(), access.System(), org.UnitFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
