package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/httpx"
	"github.com/wenming-civic/wenming/internal/problem"
)

// Open311 GeoReport v2 (JSON): other systems and apps that speak the
// standard can list the categories as services, file requests and follow
// them. service_code is the category code; service_request_id the case code.
func (api *API) registerOpen311(mux Mux) {
	mux.HandleFunc("GET /open311/v2/services.json", api.o311(api.o311Services, false))
	mux.HandleFunc("POST /open311/v2/requests.json", api.o311(api.o311Create, true))
	mux.HandleFunc("GET /open311/v2/requests.json", api.o311(api.o311List, true))
	mux.HandleFunc("GET /open311/v2/requests/{id}", api.o311(api.o311Get, true))
}

type o311Error struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

type o311Func func(w http.ResponseWriter, r *http.Request, a access.Actor) error

// o311 authenticates with the api_key parameter (or a bearer header) and
// answers errors the GeoReport way: [{"code": 400, "description": …}].
func (api *API) o311(h o311Func, needKey bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		var a access.Actor
		if needKey {
			key := r.FormValue("api_key")
			if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
				key = strings.TrimSpace(token)
			}
			var err error
			if key == "" {
				err = apperr.New(apperr.KindUnauthorized, "api.token_required")
			} else {
				a, err = api.Auth.AuthenticateBearer(r.Context(), key, httpx.ClientAddr(r, api.TrustProxy))
			}
			if err != nil {
				api.o311Error(w, err)
				return
			}
		}
		if err := h(w, r, a); err != nil {
			api.o311Error(w, err)
		}
	}
}

func (api *API) o311Error(w http.ResponseWriter, err error) {
	e := apperr.As(err)
	status := httpx.Status(e.Kind)
	msg := api.Catalog.T(e.Code, e.Args...)
	if status >= 500 {
		api.Log.Error("open311 request failed", "err", err)
		if e.Kind != apperr.KindUnavailable {
			msg = api.Catalog.T("error.internal")
		}
	}
	writeJSON(w, status, []o311Error{{Code: status, Description: msg}})
}

type o311Service struct {
	ServiceCode string `json:"service_code"`
	ServiceName string `json:"service_name"`
	Description string `json:"description"`
	Metadata    bool   `json:"metadata"`
	Type        string `json:"type"`
	Keywords    string `json:"keywords"`
	Group       string `json:"group"`
}

func (api *API) o311Services(w http.ResponseWriter, r *http.Request, _ access.Actor) error {
	tree, err := api.Categories.Tree(r.Context(), false)
	if err != nil {
		return err
	}
	out := []o311Service{}
	for _, top := range tree {
		for _, sub := range top.Subs {
			if sub.Usable() {
				out = append(out, o311Service{ServiceCode: sub.Code, ServiceName: sub.Name, Description: sub.FilingCondition,
					Type: "realtime", Group: top.Name})
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type o311Created struct {
	ServiceRequestID string `json:"service_request_id"`
	ServiceNotice    string `json:"service_notice"`
}

func (api *API) o311Create(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	sub, err := api.Categories.ByCode(r.Context(), r.FormValue("service_code"))
	if err != nil {
		return apperr.Invalid("problem.category_unknown")
	}
	in := problem.ReportInput{Source: problem.SourceAPI, CategoryID: sub.ID, Description: r.FormValue("description"),
		Address: r.FormValue("address_string"), ReporterPhone: r.FormValue("phone"),
		ReporterName: strings.TrimSpace(r.FormValue("last_name") + r.FormValue("first_name"))}
	if lat, errLat := strconv.ParseFloat(r.FormValue("lat"), 64); errLat == nil {
		if lng, errLng := strconv.ParseFloat(r.FormValue("long"), 64); errLng == nil {
			in.Lng, in.Lat, in.HasPlace = lng, lat, true
		}
	}
	c, err := api.Problems.Report(r.Context(), a, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, []o311Created{{ServiceRequestID: c.Code, ServiceNotice: api.Catalog.T("open311.notice")}})
	return nil
}

type o311Request struct {
	ServiceRequestID  string     `json:"service_request_id"`
	Status            string     `json:"status"`
	StatusNotes       string     `json:"status_notes"`
	ServiceName       string     `json:"service_name"`
	ServiceCode       string     `json:"service_code"`
	Description       string     `json:"description"`
	AgencyResponsible string     `json:"agency_responsible"`
	RequestedDatetime time.Time  `json:"requested_datetime"`
	UpdatedDatetime   time.Time  `json:"updated_datetime"`
	ExpectedDatetime  *time.Time `json:"expected_datetime,omitempty"`
	Address           string     `json:"address"`
	Lat               *float64   `json:"lat,omitempty"`
	Long              *float64   `json:"long,omitempty"`
}

// o311Status maps the life cycle onto GeoReport's open and closed.
func o311Status(s problem.State) string {
	switch s {
	case problem.Closed, problem.Rejected, problem.Duplicate:
		return "closed"
	}
	return "open"
}

func (api *API) o311JSON(r *http.Request, c *problem.Case) o311Request {
	out := o311Request{ServiceRequestID: c.Code, Status: o311Status(c.State), StatusNotes: api.Catalog.T(c.State.Key()),
		ServiceName: c.CategoryName, Description: c.Description, AgencyResponsible: c.UnitName,
		RequestedDatetime: c.ReportedAt, UpdatedDatetime: c.UpdatedAt, ExpectedDatetime: optTime(c.Deadline), Address: c.Address}
	if sub, err := api.Categories.Get(r.Context(), c.CategoryID); err == nil {
		out.ServiceCode = sub.Code
	}
	if c.HasPlace {
		lat, lng := c.Lat, c.Lng
		out.Lat, out.Long = &lat, &lng
	}
	return out
}

func (api *API) o311List(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	q := r.URL.Query()
	out := []o311Request{}
	if ids := q.Get("service_request_id"); ids != "" {
		for _, code := range strings.Split(ids, ",") {
			id, err := api.Problems.IDByCode(r.Context(), a, code)
			if err != nil {
				continue
			}
			c, err := api.Problems.Get(r.Context(), a, id)
			if err != nil {
				continue
			}
			out = append(out, api.o311JSON(r, c))
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	f := problem.Filter{Limit: 1000}
	if code := q.Get("service_code"); code != "" {
		sub, err := api.Categories.ByCode(r.Context(), code)
		if err != nil {
			return apperr.Invalid("problem.category_unknown")
		}
		f.CategoryID = sub.ID
	}
	switch q.Get("status") {
	case "open":
		f.States = []problem.State{problem.Reported, problem.Filed, problem.Dispatched, problem.InProgress, problem.Parked, problem.Rectified}
	case "closed":
		f.States = []problem.State{problem.Closed, problem.Rejected, problem.Duplicate}
	}
	for name, dst := range map[string]*time.Time{"start_date": &f.From, "end_date": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return apperr.Invalid("api.bad_time", name)
			}
			*dst = t
		}
	}
	if f.From.IsZero() && f.To.IsZero() {
		f.From = api.Problems.Now().AddDate(0, 0, -90) // the standard's default window
	}
	cases, _, err := api.Problems.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	for _, c := range cases {
		out = append(out, api.o311JSON(r, c))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (api *API) o311Get(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	code, ok := strings.CutSuffix(r.PathValue("id"), ".json")
	if !ok {
		return apperr.NotFound("open311.json_only")
	}
	id, err := api.Problems.IDByCode(r.Context(), a, code)
	if err != nil {
		return err
	}
	c, err := api.Problems.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, []o311Request{api.o311JSON(r, c)})
	return nil
}

// photoUpload stores one photo (the raw body, or the "photo" field of a
// multipart form) and returns its hash for the problem and action calls.
func (api *API) photoUpload(w http.ResponseWriter, r *http.Request, _ access.Actor) error {
	body := r.Body
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		f, _, err := r.FormFile("photo")
		if err != nil {
			return apperr.Invalid("media.not_image")
		}
		defer f.Close()
		body = f
	}
	p, err := api.Media.Ingest(r.Context(), body, r.URL.Query().Get("name"))
	if err != nil {
		return err
	}
	out := map[string]any{"hash": p.Hash, "mime": p.MIME, "width": p.Width, "height": p.Height}
	if p.HasGPS {
		out["lng"], out["lat"] = p.Lng, p.Lat
	}
	if !p.TakenAt.IsZero() {
		out["taken_at"] = p.TakenAt
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}
