package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/inspect"
)

func (s *Server) planCreate(w http.ResponseWriter, r *http.Request) error {
	in := inspect.PlanInput{Name: r.PostFormValue("name"), RegionCode: strings.TrimSpace(r.PostFormValue("region")),
		Covert: r.PostFormValue("covert") == "1", StartsOn: r.PostFormValue("starts_on"), EndsOn: r.PostFormValue("ends_on"),
		Assign: strings.TrimSpace(r.PostFormValue("assign"))}
	for _, v := range r.PostForm["inspectors"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.Inspectors = append(in.Inspectors, id)
		}
	}
	if r.PostFormValue("mode") == "sample" {
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
	} else if r.PostFormValue("mode") == "hand" {
		for _, v := range r.PostForm["site"] {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				in.SiteIDs = append(in.SiteIDs, id)
			}
		}
	} else {
		ids, err := s.Inspections.AllSiteIDs(r.Context(), actorOf(r), in.RegionCode)
		if err != nil {
			return err
		}
		in.SiteIDs = ids
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
