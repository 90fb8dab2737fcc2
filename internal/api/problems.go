package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/problem"
)

func (api *API) registerProblems(mux Mux) {
	mux.Handle("POST /api/v1/problems", api.handle(api.problemCreate))
	mux.Handle("GET /api/v1/problems", api.handle(api.problemList))
	mux.Handle("GET /api/v1/problems/{id}", api.handle(api.problemGet))
	mux.Handle("POST /api/v1/problems/{id}/actions", api.handle(api.problemAct))
}

// decode reads a JSON body strictly: unknown fields and anything after the
// first JSON value (`{…}{}`, `{…}garbage`) are refused, so a body means one
// thing only.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, next := dec.Token(); next != io.EOF {
			return apperr.Invalid("api.trailing_json")
		}
		return nil
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return apperr.Invalid("api.bad_json")
}

type problemIn struct {
	Source        string   `json:"source"`
	CategoryID    int64    `json:"category_id"`
	Description   string   `json:"description"`
	Address       string   `json:"address"`
	Lng           *float64 `json:"lng"`
	Lat           *float64 `json:"lat"`
	RegionCode    string   `json:"region_code"`
	ReporterName  string   `json:"reporter_name"`
	ReporterPhone string   `json:"reporter_phone"`
}

type problemOut struct {
	ID              int64      `json:"id"`
	Code            string     `json:"code"`
	Source          string     `json:"source"`
	CategoryID      int64      `json:"category_id,omitempty"`
	Category        string     `json:"category,omitempty"`
	Description     string     `json:"description"`
	Address         string     `json:"address,omitempty"`
	Lng             *float64   `json:"lng,omitempty"`
	Lat             *float64   `json:"lat,omitempty"`
	RegionCode      string     `json:"region_code,omitempty"`
	State           string     `json:"state"`
	StateName       string     `json:"state_name"`
	UnitID          int64      `json:"unit_id,omitempty"`
	Unit            string     `json:"unit,omitempty"`
	Deadline        *time.Time `json:"deadline,omitempty"`
	Overdue         bool       `json:"overdue"`
	EscalationLevel int        `json:"escalation_level"`
	ReworkCount     int        `json:"rework_count"`
	ReportedAt      time.Time  `json:"reported_at"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	Version         int        `json:"version"`
	Timeline        []eventOut `json:"timeline,omitempty"`
}

type eventOut struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to,omitempty"`
	Actor  string    `json:"actor,omitempty"`
	Note   string    `json:"note,omitempty"`
	Photos []string  `json:"photos,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (api *API) problemJSON(c *problem.Case, now time.Time) problemOut {
	out := problemOut{ID: c.ID, Code: c.Code, Source: string(c.Source), CategoryID: c.CategoryID, Category: c.CategoryName,
		Description: c.Description, Address: c.Address, RegionCode: c.RegionCode, State: string(c.State),
		StateName: api.Catalog.T(c.State.Key()), UnitID: c.UnitID, Unit: c.UnitName, Deadline: optTime(c.Deadline),
		Overdue: c.Overdue(now), EscalationLevel: c.EscalationLevel, ReworkCount: c.ReworkCount, ReportedAt: c.ReportedAt,
		ClosedAt: optTime(c.ClosedAt), Version: c.Version}
	if c.HasPlace {
		lng, lat := c.Lng, c.Lat
		out.Lng, out.Lat = &lng, &lat
	}
	return out
}

func (api *API) problemCreate(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	var in problemIn
	if err := decode(r, &in); err != nil {
		return err
	}
	src := problem.Source(in.Source)
	if src == "" {
		src = problem.SourceAPI
	}
	rin := problem.ReportInput{Source: src, CategoryID: in.CategoryID, Description: in.Description, Address: in.Address,
		RegionCode: in.RegionCode, ReporterName: in.ReporterName, ReporterPhone: in.ReporterPhone}
	if in.Lng != nil && in.Lat != nil {
		rin.Lng, rin.Lat, rin.HasPlace = *in.Lng, *in.Lat, true
	}
	c, err := api.Problems.Report(r.Context(), a, rin)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/problems/"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, api.problemJSON(c, api.Problems.Now()))
	return nil
}

func (api *API) problemList(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	offset, limit, err := paging(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := problem.Filter{Region: q.Get("region"), Source: problem.Source(q.Get("source")), Overdue: q.Get("overdue") == "true",
		Text: q.Get("q"), Sort: q.Get("sort"), Offset: offset, Limit: limit}
	for _, st := range strings.Split(q.Get("state"), ",") {
		if st != "" {
			f.States = append(f.States, problem.State(st))
		}
	}
	f.UnitID, _ = strconv.ParseInt(q.Get("unit_id"), 10, 64)
	f.CategoryID, _ = strconv.ParseInt(q.Get("category_id"), 10, 64)
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return apperr.Invalid("api.bad_time", name)
			}
			*dst = t
		}
	}
	now := api.Problems.Now()
	conv := func(c *problem.Case) problemOut { return api.problemJSON(c, now) }
	if cursor := q.Get("cursor"); offset == 0 || cursor != "" {
		// Keyset paging: next_cursor opens the following page.
		pg, err := api.Problems.Page(r.Context(), a, f, cursor)
		if err != nil {
			return err
		}
		out := pageOf(pg.Cases, conv, pg.Total, 0, limit)
		out.NextCursor = pg.Next
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	cases, total, err := api.Problems.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(cases, conv, total, offset, limit))
	return nil
}

func (api *API) problemGet(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("problem.not_found")
	}
	c, err := api.Problems.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	events, err := api.Problems.Timeline(r.Context(), a, id)
	if err != nil {
		return err
	}
	out := api.problemJSON(c, api.Problems.Now())
	for _, e := range events {
		eo := eventOut{At: e.At, Action: string(e.Action), From: string(e.From), To: string(e.To), Actor: e.ActorName, Note: e.Note}
		for _, p := range e.Photos {
			eo.Photos = append(eo.Photos, p.Hash)
		}
		out.Timeline = append(out.Timeline, eo)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type actionIn struct {
	Action      string     `json:"action"`
	Note        string     `json:"note"`
	UnitID      int64      `json:"unit_id"`
	CategoryID  int64      `json:"category_id"`
	Deadline    *time.Time `json:"deadline"`
	DuplicateOf int64      `json:"duplicate_of"`
	Photos      []string   `json:"photos"`
	Version     int        `json:"version"`
}

// problemAct takes one life-cycle action; an illegal move answers 409.
func (api *API) problemAct(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("problem.not_found")
	}
	var in actionIn
	if err := decode(r, &in); err != nil {
		return err
	}
	mv := problem.MoveInput{Action: problem.Action(in.Action), Note: in.Note, UnitID: in.UnitID, CategoryID: in.CategoryID,
		DuplicateOf: in.DuplicateOf, Photos: in.Photos, Version: in.Version}
	if in.Deadline != nil {
		mv.Deadline = *in.Deadline
	}
	for _, h := range in.Photos {
		ok, err := api.Problems.PhotoExists(r.Context(), h)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Invalid("api.unknown_photo", h)
		}
	}
	c, err := api.Problems.Move(r.Context(), a, id, mv)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.problemJSON(c, api.Problems.Now()))
	return nil
}
