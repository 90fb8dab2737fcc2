package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/inspect"
)

// planForm is the form of a new plan. AllSites asks for every site of the
// region (neither sampled nor picked by hand).
type planForm struct {
	inspect.PlanInput
	AllSites bool
}

func parsePlanForm(r *http.Request) (planForm, error) {
	if err := r.ParseForm(); err != nil {
		return planForm{}, err
	}
	in := inspect.PlanInput{Name: r.PostFormValue("name"), RegionCode: strings.TrimSpace(r.PostFormValue("region")),
		Covert: r.PostFormValue("covert") == "1", StartsOn: r.PostFormValue("starts_on"), EndsOn: r.PostFormValue("ends_on"),
		Assign: strings.TrimSpace(r.PostFormValue("assign"))}
	if v := strings.TrimSpace(r.PostFormValue("campaign")); v != "" {
		// Not a number: no campaign has it, and CreatePlan says so.
		in.CampaignID = -1
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.CampaignID = id
		}
	}
	for _, v := range r.PostForm["inspectors"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.Inspectors = append(in.Inspectors, id)
		}
	}
	f := planForm{}
	switch r.PostFormValue("mode") {
	case "sample":
		seed, _ := strconv.ParseInt(r.PostFormValue("seed"), 10, 64)
		sm := &inspect.Sampling{PerType: map[string]int{}, Seed: seed}
		for k, v := range r.PostForm {
			if t, ok := strings.CutPrefix(k, "n_"); ok && len(v) == 1 {
				if n, err := strconv.Atoi(v[0]); err == nil && n > 0 {
					sm.PerType[t] = n
				}
			}
		}
		in.Sampling = sm
	case "hand":
		for _, v := range r.PostForm["site"] {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				in.SiteIDs = append(in.SiteIDs, id)
			}
		}
	default:
		f.AllSites = true
	}
	f.PlanInput = in
	return f, nil
}

func (s *Server) planCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := parsePlanForm(r)
	if err != nil {
		return err
	}
	in := f.PlanInput
	if f.AllSites {
		if in.SiteIDs, err = s.Inspections.AllSiteIDs(r.Context(), actorOf(r), in.RegionCode); err != nil {
			return err
		}
	}
	p, err := s.Inspections.CreatePlan(r.Context(), actorOf(r), in)
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			d, derr := s.planListData(r)
			if derr != nil {
				return derr
			}
			d.Error = msg
			s.render(w, r, status, "inspections", "inspect.title", d)
			return nil
		})
	}
	return s.redirectWith(w, r, "/inspections/"+strconv.FormatInt(p.ID, 10), "inspect.created")
}
