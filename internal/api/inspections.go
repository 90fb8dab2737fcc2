package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/inspect"
)

func (api *API) registerInspections(mux Mux) {
	mux.Handle("GET /api/v1/inspection-plans/{plan}/sites/{site}/checklist", api.handle(api.checklistGet))
	mux.Handle("POST /api/v1/inspections", api.handle(api.inspectionSubmit))
	mux.Handle("GET /api/v1/inspection-plans/{plan}/results", api.handle(api.planResults))
	mux.Handle("POST /api/v1/inspection-plans/{plan}/assign", api.handle(api.planAssign))
}

type assignIn struct {
	Mode        string `json:"mode"`         // street or even: deal every open site
	SiteID      int64  `json:"site_id"`      // or one site …
	InspectorID int64  `json:"inspector_id"` // … to this inspector (0: anyone)
}

// planAssign deals a plan's open sites to its inspectors (mode), or one
// site to one inspector; the domain checks who may.
func (api *API) planAssign(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	plan, err := pathInt(r, "plan")
	if err != nil {
		return err
	}
	var in assignIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.SiteID != 0 {
		if err := api.Inspect.AssignSite(r.Context(), a, plan, in.SiteID, in.InspectorID); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"assigned": 1})
		return nil
	}
	n, err := api.Inspect.AssignSites(r.Context(), a, plan, in.Mode)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"assigned": n})
	return nil
}

type criterionOut struct {
	ID        int64    `json:"id"`
	Code      string   `json:"code"`
	Text      string   `json:"text"`
	Score     *float64 `json:"score,omitempty"`
	Indicator string   `json:"indicator"`
	Content   string   `json:"content"`
}

func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		return 0, apperr.NotFound("error.not_found")
	}
	return id, nil
}

func (api *API) checklistGet(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	plan, err := pathInt(r, "plan")
	if err != nil {
		return err
	}
	site, err := pathInt(r, "site")
	if err != nil {
		return err
	}
	cl, err := api.Inspect.Checklist(r.Context(), a, plan, site)
	if err != nil {
		return err
	}
	out := struct {
		Site     string         `json:"site"`
		Done     bool           `json:"done"`
		Criteria []criterionOut `json:"criteria"`
	}{Site: cl.Site.Name, Done: cl.Done != nil, Criteria: []criterionOut{}}
	for _, c := range cl.Criteria {
		out.Criteria = append(out.Criteria, criterionOut{ID: c.ID, Code: c.Code, Text: c.Text, Score: c.Score,
			Indicator: c.Indicator.Text, Content: c.Content.Text})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type inspectionIn struct {
	PlanID   int64      `json:"plan_id"`
	SiteID   int64      `json:"site_id"`
	ClientID string     `json:"client_id"`
	Lng      *float64   `json:"lng"`
	Lat      *float64   `json:"lat"`
	Note     string     `json:"note"`
	Results  []resultIn `json:"results"`
}

type resultIn struct {
	CriterionID int64  `json:"criterion_id"`
	Outcome     string `json:"outcome"`
	Note        string `json:"note"`
	Photo       string `json:"photo"`
}

type inspectionOut struct {
	ID          int64     `json:"id"`
	Repeat      bool      `json:"repeat"`
	ScoreRate   *float64  `json:"score_rate"`
	Fails       int       `json:"fails"`
	DistanceM   *float64  `json:"distance_m,omitempty"`
	Far         bool      `json:"far"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// inspectionSubmit records a checklist once; the same client_id sent again
// answers 200 with the first submission and "repeat": true.
func (api *API) inspectionSubmit(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	var in inspectionIn
	if err := decode(r, &in); err != nil {
		return err
	}
	sub := inspect.SubmitInput{PlanID: in.PlanID, SiteID: in.SiteID, ClientID: in.ClientID, Note: in.Note}
	if in.Lng != nil && in.Lat != nil {
		sub.Lng, sub.Lat, sub.HasPlace = *in.Lng, *in.Lat, true
	}
	for _, x := range in.Results {
		if x.Photo != "" {
			ok, err := api.Problems.PhotoExists(r.Context(), x.Photo)
			if err != nil {
				return err
			}
			if !ok {
				return apperr.Invalid("api.unknown_photo", x.Photo)
			}
		}
		sub.Results = append(sub.Results, inspect.ResultInput{NodeID: x.CriterionID, Outcome: inspect.Outcome(x.Outcome), Note: x.Note, Photo: x.Photo})
	}
	ins, err := api.Inspect.Submit(r.Context(), a, sub)
	if err != nil {
		return err
	}
	out := inspectionOut{ID: ins.ID, Repeat: ins.Repeat, Fails: ins.Fails, Far: ins.Far(), SubmittedAt: ins.SubmittedAt}
	if ins.HasRate {
		v := ins.Rate
		out.ScoreRate = &v
	}
	if ins.HasDistance {
		v := ins.DistanceM
		out.DistanceM = &v
	}
	status := http.StatusCreated
	if ins.Repeat {
		status = http.StatusOK
	}
	writeJSON(w, status, out)
	return nil
}

func (api *API) planResults(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	plan, err := pathInt(r, "plan")
	if err != nil {
		return err
	}
	res, err := api.Inspect.Results(r.Context(), a, plan)
	if err != nil {
		return err
	}
	type group struct {
		Key   string  `json:"key"`
		Name  string  `json:"name"`
		Sites int     `json:"sites"`
		Rated int     `json:"rated"`
		Mean  float64 `json:"mean"`
	}
	conv := func(gs []inspect.Group) []group {
		out := []group{}
		for _, g := range gs {
			out = append(out, group{g.Key, g.Name, g.Sites, g.Rated, g.Mean})
		}
		return out
	}
	type siteOut struct {
		ID         int64    `json:"id"`
		Name       string   `json:"name"`
		Done       bool     `json:"done"`
		ScoreRate  *float64 `json:"score_rate"`
		AssigneeID int64    `json:"assignee_id,omitempty"` // absent: any inspector of the plan
	}
	type progressOut struct {
		InspectorID int64 `json:"inspector_id"`
		Assigned    int   `json:"assigned"`
		Done        int   `json:"done"`
		ToDo        int   `json:"to_do"`
	}
	sites, progress := []siteOut{}, []progressOut{}
	for _, sc := range res.Sites {
		o := siteOut{ID: sc.SiteID, Name: sc.SiteName, Done: sc.Done, AssigneeID: sc.AssigneeID}
		if sc.HasRate {
			v := sc.Rate
			o.ScoreRate = &v
		}
		sites = append(sites, o)
	}
	for _, p := range res.Progress {
		progress = append(progress, progressOut{p.InspectorID, p.Assigned, p.Done, p.ToDo})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"plan": res.Plan.Name, "sites": res.Plan.Sites, "done": res.Plan.Done,
		"overall": group{"all", "", res.Overall.Sites, res.Overall.Rated, res.Overall.Mean},
		"by_type": conv(res.ByType), "by_street": conv(res.ByStreet),
		"site_scores": sites, "progress": progress, "unassigned": res.Unassigned,
	})
	return nil
}
