package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The OpenAPI 3.1 description of every /api/v1 and /open311/v2 route,
// served at GET /api/v1/openapi.json. Request and response schemas are
// read from the handlers' own types by reflection (the json tags), so the
// description follows the code; the few answers written as maps are
// described by the types below. openapi_test.go validates the document
// with libopenapi, checks that it and the router list the same routes,
// and validates real answers against it.

// op is one operation.
type op struct {
	method, path, id, summary, tag string
	params                         []param
	body                           any      // a value of the JSON body's type; nil: none
	form                           []string // form fields of an application/x-www-form-urlencoded body
	multipart                      bool     // the body is a photo (raw image or multipart/form-data)
	status                         int      // the success status
	resp                           any      // a value of the answer's type
	open311                        bool     // errors the GeoReport way; api_key authentication
	public                         bool     // no authentication
	errors                         []int
}

type param struct {
	name, in, typ, desc string
	required            bool
}

func q(name, typ, desc string) param { return param{name: name, in: "query", typ: typ, desc: desc} }
func p(name, typ, desc string) param {
	return param{name: name, in: "path", typ: typ, desc: desc, required: true}
}

var pagingParams = []param{q("offset", "integer", "skip this many (default 0)"), q("limit", "integer", "page size, 1–500 (default 50)")}

// The answers written as maps or anonymous structs, as types to describe.
type (
	pageOut[T any] struct {
		Items      []T    `json:"items"`
		Total      int    `json:"total"`
		Offset     int    `json:"offset"`
		Limit      int    `json:"limit"`
		NextCursor string `json:"next_cursor,omitempty"`
	}
	photoOut struct {
		Hash    string    `json:"hash"`
		MIME    string    `json:"mime"`
		Width   int       `json:"width"`
		Height  int       `json:"height"`
		Lng     *float64  `json:"lng,omitempty"`
		Lat     *float64  `json:"lat,omitempty"`
		TakenAt time.Time `json:"taken_at,omitzero"`
	}
	assignedOut struct {
		Assigned int `json:"assigned"`
	}
	checklistOut struct {
		Site     string         `json:"site"`
		Done     bool           `json:"done"`
		Criteria []criterionOut `json:"criteria"`
	}
	resultGroupOut struct {
		Key   string  `json:"key"`
		Name  string  `json:"name"`
		Sites int     `json:"sites"`
		Rated int     `json:"rated"`
		Mean  float64 `json:"mean"`
	}
	resultSiteOut struct {
		ID         int64    `json:"id"`
		Name       string   `json:"name"`
		Done       bool     `json:"done"`
		ScoreRate  *float64 `json:"score_rate"`
		AssigneeID int64    `json:"assignee_id,omitempty"`
	}
	resultProgressOut struct {
		InspectorID int64 `json:"inspector_id"`
		Assigned    int   `json:"assigned"`
		Done        int   `json:"done"`
		ToDo        int   `json:"to_do"`
	}
	planResultsOut struct {
		Plan       string              `json:"plan"`
		Sites      int                 `json:"sites"`
		Done       int                 `json:"done"`
		Overall    resultGroupOut      `json:"overall"`
		ByType     []resultGroupOut    `json:"by_type"`
		ByStreet   []resultGroupOut    `json:"by_street"`
		SiteScores []resultSiteOut     `json:"site_scores"`
		Progress   []resultProgressOut `json:"progress"`
		Unassigned int                 `json:"unassigned"`
	}
	householdsOut struct {
		Households []surveyHouseholdOut `json:"households"`
	}
	visitOut struct {
		ID               int64 `json:"id"`
		Repeat           bool  `json:"repeat"`
		ReleasedSampleID int64 `json:"released_sample_id"`
		Far              bool  `json:"far"`
	}
	interviewOut struct {
		ID      int64  `json:"id"`
		Version int    `json:"version"`
		State   string `json:"state"`
		Repeat  bool   `json:"repeat"`
	}
	surveyResultsOut struct {
		Overall     surveyFiguresOut   `json:"overall"`
		Streets     []surveyFiguresOut `json:"streets"`
		Communities []surveyFiguresOut `json:"communities"`
	}
)

// operations lists every route of the API, in the order of the document.
func operations() []op {
	std := []int{400, 401, 403, 404}
	return []op{
		{method: "GET", path: "/api/v1/openapi.json", id: "openapi", summary: "This description (OpenAPI 3.1)", tag: "meta", public: true,
			status: 200, resp: map[string]any{}},
		{method: "GET", path: "/api/v1/me", id: "me", summary: "The token's user", tag: "org", status: 200, resp: userOut{}, errors: []int{401}},
		{method: "GET", path: "/api/v1/regions", id: "listRegions", summary: "Children of a region (the roots without parent)", tag: "region",
			params: append([]param{q("parent", "string", "parent region code")}, pagingParams...), status: 200, resp: pageOut[regionOut]{}, errors: std},
		{method: "GET", path: "/api/v1/regions/{code}", id: "getRegion", summary: "One region, with its boundary", tag: "region",
			params: []param{p("code", "string", "statistical division code")}, status: 200, resp: regionOut{}, errors: std},
		{method: "GET", path: "/api/v1/units", id: "listUnits", summary: "Units in the token's scope", tag: "org",
			params: append([]param{q("q", "string", "name or code contains"), q("kind", "string", "unit kind"), q("region", "string", "region subtree")}, pagingParams...),
			status: 200, resp: pageOut[unitOut]{}, errors: std},
		{method: "POST", path: "/api/v1/units", id: "createUnit", summary: "Create a unit", tag: "org", body: unitIn{}, status: 201, resp: unitOut{},
			errors: []int{400, 401, 403, 409}},
		{method: "GET", path: "/api/v1/units/{id}", id: "getUnit", summary: "One unit", tag: "org", params: []param{p("id", "integer", "unit id")},
			status: 200, resp: unitOut{}, errors: std},
		{method: "GET", path: "/api/v1/users", id: "listUsers", summary: "Users in the token's scope (phones masked)", tag: "org",
			params: append([]param{q("q", "string", "name contains"), q("role", "string", "holds this role")}, pagingParams...),
			status: 200, resp: pageOut[userOut]{}, errors: std},
		{method: "POST", path: "/api/v1/problems", id: "reportProblem", summary: "Report a problem (问题上报)", tag: "problem", body: problemIn{},
			status: 201, resp: problemOut{}, errors: []int{400, 401, 403, 429}},
		{method: "GET", path: "/api/v1/problems", id: "listProblems", summary: "The ledger (问题台账) in the token's scope", tag: "problem",
			params: append([]param{q("state", "string", "comma-separated states"), q("region", "string", "region subtree"),
				q("unit_id", "integer", "responsible unit"), q("category_id", "integer", "sub-category"), q("source", "string", "source"),
				q("overdue", "boolean", "only overdue cases"), q("q", "string", "code or description contains"),
				q("sort", "string", "new (default), old or deadline"), q("from", "string", "reported from (RFC 3339)"),
				q("to", "string", "reported before (RFC 3339)"), q("cursor", "string", "next_cursor of the previous page")}, pagingParams...),
			status: 200, resp: pageOut[problemOut]{}, errors: std},
		{method: "GET", path: "/api/v1/problems/{id}", id: "getProblem", summary: "One case with its timeline", tag: "problem",
			params: []param{p("id", "integer", "case id")}, status: 200, resp: problemOut{}, errors: std},
		{method: "POST", path: "/api/v1/problems/{id}/actions", id: "actOnProblem", summary: "Take a life-cycle action (an illegal move answers 409)", tag: "problem",
			params: []param{p("id", "integer", "case id")}, body: actionIn{}, status: 200, resp: problemOut{}, errors: []int{400, 401, 403, 404, 409}},
		{method: "POST", path: "/api/v1/photos", id: "uploadPhoto", summary: "Upload a photo (raw JPEG/PNG body or multipart field photo)", tag: "media",
			params: []param{q("name", "string", "the file's name")}, multipart: true, status: 201, resp: photoOut{}, errors: []int{400, 401, 413}},
		{method: "GET", path: "/api/v1/inspection-plans/{plan}/sites/{site}/checklist", id: "getChecklist", summary: "A site's checklist in a plan", tag: "inspect",
			params: []param{p("plan", "integer", "plan id"), p("site", "integer", "site id")}, status: 200, resp: checklistOut{}, errors: std},
		{method: "POST", path: "/api/v1/inspections", id: "submitInspection", summary: "Submit a checklist (idempotent by client_id)", tag: "inspect",
			body: inspectionIn{}, status: 201, resp: inspectionOut{}, errors: []int{400, 401, 403, 404, 409}},
		{method: "GET", path: "/api/v1/inspection-plans/{plan}/results", id: "getPlanResults", summary: "A plan's scores and progress", tag: "inspect",
			params: []param{p("plan", "integer", "plan id")}, status: 200, resp: planResultsOut{}, errors: std},
		{method: "POST", path: "/api/v1/inspection-plans/{plan}/assign", id: "assignPlan", summary: "Deal a plan's sites to its inspectors", tag: "inspect",
			params: []param{p("plan", "integer", "plan id")}, body: assignIn{}, status: 200, resp: assignedOut{}, errors: []int{400, 401, 403, 404, 409}},
		{method: "GET", path: "/api/v1/survey-rounds/{round}/households", id: "listSurveyHouseholds", summary: "The interviewer's households in a round", tag: "survey",
			params: []param{p("round", "integer", "round id")}, status: 200, resp: householdsOut{}, errors: std},
		{method: "POST", path: "/api/v1/survey-visits", id: "recordSurveyVisit", summary: "Record a visit (idempotent by client_id)", tag: "survey",
			body: surveyVisitIn{}, status: 201, resp: visitOut{}, errors: []int{400, 401, 403, 404, 409}},
		{method: "POST", path: "/api/v1/survey-interviews", id: "submitSurveyInterview", summary: "Submit an interview (idempotent by client_id)", tag: "survey",
			body: surveyInterviewIn{}, status: 201, resp: interviewOut{}, errors: []int{400, 401, 403, 404, 409}},
		{method: "GET", path: "/api/v1/survey-rounds/{round}/results", id: "getSurveyResults", summary: "三率一度 of a round", tag: "survey",
			params: []param{p("round", "integer", "round id")}, status: 200, resp: surveyResultsOut{}, errors: std},
		{method: "POST", path: "/api/v1/volunteer-checkins", id: "volunteerCheckin", summary: "A volunteer's check-in or check-out by the organiser's code", tag: "volunteer",
			body: checkinIn{}, status: 200, resp: checkinOut{}, errors: []int{400, 401, 403, 404, 409}},
		{method: "GET", path: "/open311/v2/services.json", id: "open311Services", summary: "GeoReport v2 service list (the categories)", tag: "open311",
			open311: true, public: true, status: 200, resp: []o311Service{}},
		{method: "POST", path: "/open311/v2/requests.json", id: "open311Create", summary: "GeoReport v2 request", tag: "open311", open311: true,
			form:   []string{"api_key", "service_code", "description", "address_string", "lat", "long", "first_name", "last_name", "phone"},
			status: 201, resp: []o311Created{}, errors: []int{400, 401, 403, 429}},
		{method: "GET", path: "/open311/v2/requests.json", id: "open311List", summary: "GeoReport v2 requests (the last 90 days by default)", tag: "open311", open311: true,
			params: []param{q("api_key", "string", "API key (or a bearer header)"), q("service_request_id", "string", "comma-separated case codes"),
				q("service_code", "string", "category code"), q("status", "string", "open or closed"),
				q("start_date", "string", "RFC 3339"), q("end_date", "string", "RFC 3339")},
			status: 200, resp: []o311Request{}, errors: []int{400, 401}},
		{method: "GET", path: "/open311/v2/requests/{id}", id: "open311Get", summary: "GeoReport v2 request by code (the code and .json)", tag: "open311", open311: true,
			params: []param{p("id", "string", "case code followed by .json"), q("api_key", "string", "API key (or a bearer header)")},
			status: 200, resp: []o311Request{}, errors: []int{401, 404}},
	}
}

// openAPI builds the document.
func openAPI() map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	g.defs["Error"] = map[string]any{"type": "object", "required": []string{"error"}, "properties": map[string]any{
		"error": map[string]any{"type": "object", "required": []string{"code", "message"}, "properties": map[string]any{
			"code":    map[string]any{"type": "string", "description": "stable, machine-readable code, e.g. problem.not_found"},
			"message": map[string]any{"type": "string", "description": "the message in Chinese"},
		}}}}
	g.defs["Open311Error"] = map[string]any{"type": "array", "items": map[string]any{"type": "object", "required": []string{"code", "description"},
		"properties": map[string]any{"code": map[string]any{"type": "integer"}, "description": map[string]any{"type": "string"}}}}
	paths := map[string]any{}
	for _, o := range operations() {
		item, _ := paths[o.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[o.path] = item
		}
		item[strings.ToLower(o.method)] = g.operation(o)
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "wenming API", "version": "1",
			"description": "The JSON API of wenming (文明城市创建管理平台) and its Open311 GeoReport v2 intake. Errors are {\"error\":{\"code\",\"message\"}} (Open311: [{\"code\",\"description\"}])."},
		"servers": []any{map[string]any{"url": "/"}},
		"tags": []any{map[string]any{"name": "meta"}, map[string]any{"name": "org"}, map[string]any{"name": "region"}, map[string]any{"name": "problem"},
			map[string]any{"name": "media"}, map[string]any{"name": "inspect"}, map[string]any{"name": "survey"}, map[string]any{"name": "volunteer"},
			map[string]any{"name": "open311"}},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.defs,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "an API token (接口令牌) made under /admin/tokens"},
				"apiKey": map[string]any{"type": "apiKey", "in": "query", "name": "api_key", "description": "Open311: the same token as api_key"},
			},
		},
	}
}

func (g *schemaGen) operation(o op) map[string]any {
	out := map[string]any{"operationId": o.id, "summary": o.summary, "tags": []string{o.tag}}
	var params []any
	for _, x := range o.params {
		params = append(params, map[string]any{"name": x.name, "in": x.in, "required": x.required, "description": x.desc,
			"schema": map[string]any{"type": x.typ}})
	}
	if params != nil {
		out["parameters"] = params
	}
	switch {
	case o.body != nil:
		out["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(o.body))}}}
	case o.form != nil:
		props := map[string]any{}
		for _, f := range o.form {
			props[f] = map[string]any{"type": "string"}
		}
		out["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/x-www-form-urlencoded": map[string]any{"schema": map[string]any{"type": "object", "properties": props,
				"required": []string{"service_code"}}}}}
	case o.multipart:
		out["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"image/jpeg": map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": "image/jpeg"}},
			"image/png":  map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": "image/png"}},
			"multipart/form-data": map[string]any{"schema": map[string]any{"type": "object", "required": []string{"photo"},
				"properties": map[string]any{"photo": map[string]any{"type": "string", "contentMediaType": "application/octet-stream"}}}},
		}}
	}
	responses := map[string]any{}
	responses[itoa(o.status)] = map[string]any{"description": http.StatusText(o.status), "content": map[string]any{
		"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(o.resp))}}}
	if o.id == "openapi" {
		responses["200"] = map[string]any{"description": "the OpenAPI 3.1 document", "content": map[string]any{
			"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
	}
	errRef := map[string]any{"$ref": "#/components/schemas/Error"}
	if o.open311 {
		errRef = map[string]any{"$ref": "#/components/schemas/Open311Error"}
	}
	for _, code := range append(o.errors, 500) {
		responses[itoa(code)] = map[string]any{"description": http.StatusText(code), "content": map[string]any{
			"application/json": map[string]any{"schema": errRef}}}
	}
	out["responses"] = responses
	switch {
	case o.public && !o.open311:
		out["security"] = []any{}
	case o.public:
		out["security"] = []any{}
	case o.open311:
		out["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"apiKey": []string{}}}
	default:
		out["security"] = []any{map[string]any{"bearer": []string{}}}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// schemaGen writes JSON Schemas (2020-12, as OpenAPI 3.1 uses) of Go
// types: a named struct once under components/schemas, referenced after.
type schemaGen struct {
	defs map[string]any
}

var timeType = reflect.TypeOf(time.Time{})
var rawType = reflect.TypeOf(json.RawMessage{})

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{"description": "any JSON value (GeoJSON for a boundary)"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := g.schema(t.Elem())
		if ty, ok := inner["type"].(string); ok {
			inner["type"] = []string{ty, "null"}
		}
		return inner
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := schemaName(t)
		if name == "" {
			return g.object(t)
		}
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // a placeholder against recursion
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// schemaName names a struct type for components: its Go name with the
// first letter upper-cased and type arguments folded in.
func schemaName(t reflect.Type) string {
	n := t.Name()
	if n == "" {
		return ""
	}
	if i := strings.IndexByte(n, '['); i >= 0 {
		arg := n[i+1 : len(n)-1]
		arg = arg[strings.LastIndexAny(arg, "./")+1:]
		n = n[:i] + "Of" + strings.ToUpper(arg[:1]) + arg[1:]
	}
	return strings.ToUpper(n[:1]) + n[1:]
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		props[name] = g.schema(f.Type)
		// A request body's fields are all optional (the domain says what
		// an action needs); an answer always has those without omitempty.
		if !strings.HasSuffix(t.Name(), "In") && !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			required = append(required, name)
		}
	}
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		sort.Strings(required)
		out["required"] = required
	}
	return out
}

// openAPIDoc is the document, encoded once.
func openAPIDoc() []byte {
	b, err := json.MarshalIndent(openAPI(), "", "  ")
	if err != nil {
		panic("api: openapi document: " + err.Error()) // built from constants; a failure is a programming error
	}
	return b
}

func (api *API) openAPIHandler() http.Handler {
	doc := openAPIDoc()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Write(doc) //nolint:errcheck // the client went away
	})
}
