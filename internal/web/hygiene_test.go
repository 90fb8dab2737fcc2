package web_test

import (
	"net/http"
	"testing"

	"github.com/wenming-civic/wenming/internal/server/servertest"
)

// TestIllegalMovePageIsTranslated: verifying a case that is only
// dispatched is refused on the case page with a message that names the
// state and the action in words, not as catalogue keys (the harness also
// scans every page for keys).
func TestIllegalMovePageIsTranslated(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	c := servertest.DispatchedCase(t, app)
	path := "/problems/" + servertest.Itoa(c.ID)
	inspector := app.SignedIn(t, "inspector")
	inspector.Get(path)
	res := inspector.PostMultipart(path+"/act", map[string]string{"action": "verify_pass", "note": "现场已整洁"}, nil)
	if res.Status != http.StatusConflict {
		t.Fatalf("verify a dispatched case: %d\n%s", res.Status, res.Body)
	}
	servertest.MustContain(t, res.Body, "已派遣待签收", "核查通过（结案）")
	servertest.MustNotContain(t, res.Body, "problem.state.", "problem.action.")
}
