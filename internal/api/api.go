// Package api serves the JSON API under /api/v1/ for other systems. Callers
// authenticate with a bearer token; errors are {"error":{"code","message"}}.
package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/auth"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/httpx"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/survey"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

// API holds what the handlers need.
type API struct {
	Auth       *auth.Service
	Org        *org.Store
	Regions    *region.Store
	Problems   *problem.Store
	Categories *category.Store
	Media      *media.Service
	Inspect    *inspect.Store
	Surveys    *survey.Store
	Volunteers *volunteer.Store
	Catalog    *i18n.Catalog
	Log        *slog.Logger
	TrustProxy bool
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, a access.Actor) error

// maxBody bounds a JSON request body.
const maxBody = 1 << 20

// Mux is what Register adds the routes to: an *http.ServeMux (a test
// lists the routes with its own).
type Mux interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// Register adds the API routes to mux.
func (api *API) Register(mux Mux) {
	mux.Handle("GET /api/v1/openapi.json", api.openAPIHandler())
	mux.Handle("GET /api/v1/me", api.handle(api.me))
	mux.Handle("GET /api/v1/regions", api.handle(api.regionChildren))
	mux.Handle("GET /api/v1/regions/{code}", api.handle(api.regionGet))
	mux.Handle("GET /api/v1/units", api.handle(api.unitList))
	mux.Handle("POST /api/v1/units", api.handle(api.unitCreate))
	mux.Handle("GET /api/v1/units/{id}", api.handle(api.unitGet))
	mux.Handle("GET /api/v1/users", api.handle(api.userList))
	api.registerProblems(mux)
	api.registerOpen311(mux)
	api.registerInspections(mux)
	api.registerSurveys(mux)
	api.registerVolunteers(mux)
	mux.Handle("POST /api/v1/photos", api.handleLimit(api.photoUpload, maxPhotoBody))
	mux.Handle("/api/", api.handle(func(http.ResponseWriter, *http.Request, access.Actor) error {
		return apperr.NotFound("api.no_such_endpoint")
	}))
}

// maxPhotoBody bounds a photo upload; the media service applies its own
// (smaller, configured) limit and names it in the error.
const maxPhotoBody = 60 << 20

func (api *API) handle(h handlerFunc) http.Handler { return api.handleLimit(h, maxBody) }

func (api *API) handleLimit(h handlerFunc, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="wenming"`)
			api.writeError(w, r, apperr.New(apperr.KindUnauthorized, "api.token_required"))
			return
		}
		a, err := api.Auth.AuthenticateBearer(r.Context(), strings.TrimSpace(token), httpx.ClientAddr(r, api.TrustProxy))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="wenming", error="invalid_token"`)
			api.writeError(w, r, err)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := h(w, r, a); err != nil {
			api.writeError(w, r, err)
		}
	})
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (api *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	status := httpx.Status(e.Kind)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		e, status = apperr.Invalid("error.body_too_large"), http.StatusRequestEntityTooLarge
	}
	if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
		api.Log.Debug("api request abandoned", "method", r.Method, "path", r.URL.Path)
		return // the client went away; nobody reads an answer
	}
	code, msg := e.Code, api.Catalog.T(e.Code, e.Args...)
	if status >= 500 {
		api.Log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		if e.Kind != apperr.KindUnavailable { // a backend down says so, with its code
			code, msg = "internal", api.Catalog.T("error.internal")
		}
	}
	writeJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v) //nolint:errcheck // the client went away
}

// paging reads offset and limit (default 50, at most 500).
func paging(r *http.Request) (int, int, error) {
	q := r.URL.Query()
	offset, limit := 0, 50
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, apperr.Invalid("api.bad_offset")
		}
		offset = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return 0, 0, apperr.Invalid("api.bad_limit")
		}
		limit = n
	}
	return offset, limit, nil
}

type page[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
	// NextCursor, where a list pages by cursor, asks for the next page
	// (?cursor=…); absent on the last page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// pageOf converts one page of domain values for JSON; items is never null.
func pageOf[T, O any](items []T, conv func(T) O, total, offset, limit int) page[O] {
	out := page[O]{Items: make([]O, 0, len(items)), Total: total, Offset: offset, Limit: limit}
	for _, x := range items {
		out.Items = append(out.Items, conv(x))
	}
	return out
}

func (api *API) me(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	u, err := api.Org.GetUser(r.Context(), a, a.UserID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userJSON(u))
	return nil
}

type regionOut struct {
	Code       string          `json:"code"`
	Name       string          `json:"name"`
	Level      int             `json:"level"`
	ParentCode string          `json:"parent_code,omitempty"`
	Children   int             `json:"children"`
	Boundary   json.RawMessage `json:"boundary,omitempty"`
}

func regionJSON(x region.Region) regionOut {
	out := regionOut{Code: x.Code, Name: x.Name, Level: int(x.Level), ParentCode: x.ParentCode, Children: x.ChildCount}
	if x.Boundary != "" {
		out.Boundary = json.RawMessage(x.Boundary)
	}
	return out
}

func (api *API) regionChildren(w http.ResponseWriter, r *http.Request, _ access.Actor) error {
	offset, limit, err := paging(r)
	if err != nil {
		return err
	}
	parent := r.URL.Query().Get("parent")
	if parent != "" {
		if _, err := api.Regions.Get(r.Context(), parent); err != nil {
			return err
		}
	}
	items, total, err := api.Regions.Children(r.Context(), parent, offset, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(items, regionJSON, total, offset, limit))
	return nil
}

func (api *API) regionGet(w http.ResponseWriter, r *http.Request, _ access.Actor) error {
	x, err := api.Regions.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, regionJSON(x))
	return nil
}

type unitOut struct {
	ID           int64     `json:"id"`
	Code         string    `json:"code"`
	Name         string    `json:"name"`
	Kind         string    `json:"kind"`
	Line         string    `json:"line,omitempty"`
	ParentID     int64     `json:"parent_id,omitempty"`
	RegionCode   string    `json:"region_code,omitempty"`
	HeadName     string    `json:"head_name"`
	HeadPhone    string    `json:"head_phone"`
	LiaisonName  string    `json:"liaison_name"`
	LiaisonPhone string    `json:"liaison_phone"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func unitJSON(u org.Unit) unitOut {
	return unitOut{ID: u.ID, Code: u.Code, Name: u.Name, Kind: string(u.Kind), Line: u.Line, ParentID: u.ParentID,
		RegionCode: u.RegionCode, HeadName: u.HeadName, HeadPhone: u.HeadPhone, LiaisonName: u.LiaisonName,
		LiaisonPhone: u.LiaisonPhone, UpdatedAt: u.UpdatedAt}
}

func (api *API) unitList(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	offset, limit, err := paging(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	units, total, err := api.Org.ListUnits(r.Context(), a, org.UnitFilter{
		Query: q.Get("q"), Kind: org.UnitKind(q.Get("kind")), Region: q.Get("region"), Offset: offset, Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(units, unitJSON, total, offset, limit))
	return nil
}

func (api *API) unitGet(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("org.unit_not_found")
	}
	u, err := api.Org.GetUnit(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, unitJSON(u))
	return nil
}

type unitIn struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	Kind         string `json:"kind"`
	Line         string `json:"line"`
	ParentID     int64  `json:"parent_id"`
	RegionCode   string `json:"region_code"`
	HeadName     string `json:"head_name"`
	HeadPhone    string `json:"head_phone"`
	LiaisonName  string `json:"liaison_name"`
	LiaisonPhone string `json:"liaison_phone"`
}

func (api *API) unitCreate(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	var in unitIn
	if err := decode(r, &in); err != nil {
		return err
	}
	u, err := api.Org.CreateUnit(r.Context(), a, org.UnitInput{Code: in.Code, Name: in.Name, Kind: org.UnitKind(in.Kind),
		Line: in.Line, ParentID: in.ParentID, RegionCode: in.RegionCode, HeadName: in.HeadName, HeadPhone: in.HeadPhone,
		LiaisonName: in.LiaisonName, LiaisonPhone: in.LiaisonPhone})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/units/"+strconv.FormatInt(u.ID, 10))
	writeJSON(w, http.StatusCreated, unitJSON(u))
	return nil
}

type userOut struct {
	ID          int64    `json:"id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Phone       string   `json:"phone,omitempty"` // masked
	UnitID      int64    `json:"unit_id"`
	UnitName    string   `json:"unit_name"`
	Roles       []string `json:"roles"`
	Disabled    bool     `json:"disabled"`
}

func userJSON(u org.User) userOut {
	out := userOut{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, UnitID: u.UnitID, UnitName: u.UnitName,
		Roles: []string{}, Disabled: u.Disabled}
	if u.Phone != "" {
		out.Phone = org.MaskPhone(u.Phone)
	}
	for _, r := range u.Roles {
		out.Roles = append(out.Roles, string(r))
	}
	return out
}

func (api *API) userList(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	offset, limit, err := paging(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	users, total, err := api.Org.ListUsers(r.Context(), a, org.UserFilter{Query: q.Get("q"), Role: access.Role(q.Get("role")),
		Offset: offset, Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(users, userJSON, total, offset, limit))
	return nil
}
