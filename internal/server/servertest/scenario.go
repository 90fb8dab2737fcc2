package servertest

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/problem"
)

// Scenario is one HTTP exchange and what it must answer, in the style of
// PocketBase's tests.ApiScenario: a page request made as a signed-in role
// (or anonymously), or an API request made with a bearer token.
type Scenario struct {
	Name   string
	Method string     // GET when empty
	URL    string     // path on the app
	Form   url.Values // page form for POST; the CSRF token is added
	Body   string     // JSON body; makes the scenario an API call
	As     string     // demo role whose browser makes a page request; "" is signed out
	Token  string     // bearer token of an API call
	API    bool       // an API call even without a body

	Status      int      // expected status
	Contains    []string // expected in the body
	NotContains []string // never in the body
	ErrorCode   string   // expected code of a JSON error
	JSONError   bool     // the body must be a JSON error with a code, whichever
}

// Run plays the scenarios in order on app, each as a subtest; later rows
// see what earlier ones changed. Browsers are kept per role across rows.
func (a *App) Run(t *testing.T, scenarios []Scenario) {
	t.Helper()
	browsers := map[string]*Browser{}
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			t.Helper()
			method := sc.Method
			if method == "" {
				method = http.MethodGet
			}
			var status int
			var body string
			if sc.API || sc.Body != "" || sc.Token != "" {
				var out []byte
				status, out = APICall(t, a, method, sc.URL, sc.Token, sc.Body)
				body = string(out)
			} else {
				b := browsers[sc.As]
				if b == nil {
					b = a.Browser(t)
					if sc.As != "" {
						b.SignIn(sc.As, DemoPassword(sc.As))
					}
					browsers[sc.As] = b
				}
				// The browser outlives this subtest: report through it here.
				b.T = t
				var res Response
				if method == http.MethodGet {
					res = b.Get(sc.URL)
				} else {
					res = b.Post(sc.URL, sc.Form)
				}
				status, body = res.Status, res.Body
			}
			if sc.Status != 0 && status != sc.Status {
				t.Errorf("%s %s: status %d, want %d\n%s", method, sc.URL, status, sc.Status, clip(body))
			}
			MustContain(t, body, sc.Contains...)
			MustNotContain(t, body, sc.NotContains...)
			if sc.JSONError {
				ErrorCode(t, []byte(body))
			}
			if sc.ErrorCode != "" {
				if got := ErrorCode(t, []byte(body)); got != sc.ErrorCode {
					t.Errorf("%s %s: error code %q, want %q", method, sc.URL, got, sc.ErrorCode)
				}
			}
		})
	}
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return strings.TrimSpace(s)
}

// DispatchedCase reports a case at 电力社区 as the inspector and has the
// office file and dispatch it, through the ledger itself.
func DispatchedCase(t testing.TB, app *App) *problem.Case {
	t.Helper()
	ctx := context.Background()
	cat := MustAtoi(t, CategoryID(t, app, "SR02"))
	c, err := app.Problems.Report(ctx, Actor(t, app, "inspector"), problem.ReportInput{Source: problem.SourceInspection, CategoryID: cat,
		Description: "单元门口堆放废旧家具", RegionCode: "410411001001"})
	if err != nil {
		t.Fatal(err)
	}
	office := Actor(t, app, "office")
	for _, act := range []problem.Action{problem.ActFile, problem.ActDispatch} {
		if c, err = app.Problems.Move(ctx, office, c.ID, problem.MoveInput{Action: act}); err != nil {
			t.Fatalf("%s: %v", act, err)
		}
	}
	return c
}

// ProblemCount is how many cases the ledger holds.
func ProblemCount(t testing.TB, app *App) int {
	t.Helper()
	_, n, err := app.Problems.List(context.Background(), access.System(), problem.Filter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
