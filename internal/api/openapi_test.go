package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/wenming-civic/wenming/internal/api"
	"github.com/wenming-civic/wenming/internal/server/servertest"
	"github.com/wenming-civic/wenming/internal/survey"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

// routeRecorder is an api.Mux that lists the patterns registered on it.
type routeRecorder struct{ patterns []string }

func (r *routeRecorder) Handle(pattern string, _ http.Handler) {
	r.patterns = append(r.patterns, pattern)
}
func (r *routeRecorder) HandleFunc(pattern string, _ func(http.ResponseWriter, *http.Request)) {
	r.patterns = append(r.patterns, pattern)
}

func fetchDoc(t *testing.T, app *servertest.App) []byte {
	t.Helper()
	res, err := http.Get(app.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	doc, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	return doc
}

// TestOpenAPIDescribesEveryRoute: the document is valid OpenAPI 3.1 (by
// libopenapi and its validator, against the specification's schema), and
// it describes exactly the routes the API registers under /api/v1 and
// /open311/v2.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	raw := fetchDoc(t, app)
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if v := doc.GetVersion(); v != "3.1.0" {
		t.Errorf("version %q", v)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("build model: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("document: %s (%s)", e.Message, e.Reason)
		}
	}

	described := map[string]bool{}
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method, o := range item.GetOperations().FromOldest() {
			described[strings.ToUpper(method)+" "+path] = true
			if o.Responses == nil || o.Responses.Codes.Len() == 0 {
				t.Errorf("%s %s: no responses", method, path)
			}
			// Every operation says what its errors look like.
			if _, ok := o.Responses.Codes.Get("500"); !ok {
				t.Errorf("%s %s: no error response", method, path)
			}
		}
	}
	rec := &routeRecorder{}
	// Every optional part on, as the server wires it.
	(&api.API{Surveys: &survey.Store{}, Volunteers: &volunteer.Store{}}).Register(rec)
	served := map[string]bool{}
	for _, pat := range rec.patterns {
		method, path, ok := strings.Cut(pat, " ")
		if !ok {
			continue // the catch-all that answers api.no_such_endpoint
		}
		if strings.HasPrefix(path, "/api/v1/") || strings.HasPrefix(path, "/open311/v2/") {
			served[method+" "+path] = true
		}
	}
	var missing, extra []string
	for r := range served {
		if !described[r] {
			missing = append(missing, r)
		}
	}
	for r := range described {
		if !served[r] {
			extra = append(extra, r)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("served but not described: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("described but not served: %v", extra)
	}
	if len(served) < 25 {
		t.Errorf("only %d routes found", len(served))
	}
}

// TestOpenAPIMatchesAnswers sends real requests and validates each
// answer (and the request) against the document, errors included.
func TestOpenAPIMatchesAnswers(t *testing.T) {
	t.Parallel()
	app := servertest.New(t)
	doc, err := libopenapi.NewDocument(fetchDoc(t, app))
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	admin := app.SignedIn(t, "admin")
	token := servertest.CreateToken(t, admin, servertest.UserIDByName(t, app, "office"), "openapi")
	c := servertest.DispatchedCase(t, app)
	cat := servertest.CategoryID(t, app, "SR02")
	tests := []struct {
		method, path, body string
		auth               bool
		status             int
	}{
		{"GET", "/api/v1/me", "", true, 200},
		{"GET", "/api/v1/me", "", false, 401},
		{"GET", "/api/v1/regions?parent=410411&limit=3", "", true, 200},
		{"GET", "/api/v1/regions/410411001", "", true, 200},
		{"GET", "/api/v1/regions/999999", "", true, 404},
		{"GET", "/api/v1/units?limit=5", "", true, 200},
		{"GET", "/api/v1/users?limit=5", "", true, 200},
		{"GET", "/api/v1/problems?limit=5", "", true, 200},
		{"GET", "/api/v1/problems?limit=0", "", true, 400},
		{"GET", "/api/v1/problems/" + servertest.Itoa(c.ID), "", true, 200},
		{"POST", "/api/v1/problems", `{"category_id":` + cat + `,"description":"人行道上堆放建筑垃圾","region_code":"410411001001"}`, true, 201},
		{"POST", "/api/v1/problems", `{"nonsense":1}`, true, 400},
		{"POST", "/api/v1/problems/" + servertest.Itoa(c.ID) + "/actions", `{"action":"accept"}`, true, 403},
		{"POST", "/api/v1/problems/" + servertest.Itoa(c.ID) + "/actions", `{"action":"file"}`, true, 409},
		{"GET", "/open311/v2/services.json", "", false, 200},
		{"GET", "/open311/v2/requests.json", "", true, 200},
		{"GET", "/open311/v2/requests/" + c.Code + ".json", "", true, 200},
		{"GET", "/open311/v2/requests.json", "", false, 401},
	}
	client := &http.Client{}
	for _, tc := range tests {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
		if tc.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if tc.auth {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		out, _ := http.NewRequest(tc.method, app.URL+tc.path, strings.NewReader(tc.body))
		out.Header = req.Header.Clone()
		res, err := client.Do(out)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d: %s", tc.method, tc.path, res.StatusCode, tc.status, body)
			continue
		}
		res.Body = io.NopCloser(bytes.NewReader(body))
		req.Body = io.NopCloser(strings.NewReader(tc.body))
		if ok, verrs := v.ValidateHttpResponse(req, res); !ok {
			for _, e := range verrs {
				detail := ""
				for _, s := range e.SchemaValidationErrors {
					detail += " [" + s.FieldPath + ": " + s.Reason + "]"
				}
				t.Errorf("%s %s answered %d outside the description: %s %s%s\n%s", tc.method, tc.path, res.StatusCode, e.Message, e.Reason, detail, clip(body))
			}
		}
		if tc.status < 300 && tc.body != "" {
			req.Body = io.NopCloser(strings.NewReader(tc.body))
			if ok, verrs := v.ValidateHttpRequest(req); !ok {
				for _, e := range verrs {
					t.Errorf("%s %s: request outside the description: %s %s", tc.method, tc.path, e.Message, e.Reason)
				}
			}
		}
	}
	// The check can fail: an answer of the wrong shape is refused.
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	wrong := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"id":"not a number"}`)), Request: req}
	if ok, _ := v.ValidateHttpResponse(req, wrong); ok {
		t.Error("a wrong answer passed the description")
	}
	var o map[string]any
	json.Unmarshal(fetchDoc(t, app), &o) //nolint:errcheck
	if o["openapi"] != "3.1.0" {
		t.Errorf("openapi %v", o["openapi"])
	}
}

func clip(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}
