package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/site"
	"github.com/wenming-civic/wenming/internal/workplan"
)

type planListData struct {
	Plans      []inspect.Plan
	CanPlan    bool
	Types      []framework.SiteType
	Inspectors []org.User
	Sites      []site.Site
	Campaigns  []*workplan.Campaign // the running campaigns a plan may serve
	Today      string
	Error      string
}

func (s *Server) planListData(r *http.Request) (planListData, error) {
	ctx, a := r.Context(), actorOf(r)
	plans, err := s.Inspections.Plans(ctx, a)
	if err != nil {
		return planListData{}, err
	}
	d := planListData{Plans: plans, CanPlan: inspect.MayMakePlans(a), Today: s.Problems.Now().In(s.loc).Format("2006-01-02")}
	if d.CanPlan {
		if d.Types, err = s.Framework.SiteTypes(ctx, false); err != nil {
			return d, err
		}
		if d.Inspectors, _, err = s.Org.ListUsers(ctx, a, org.UserFilter{Role: access.RoleInspector, Limit: 500}); err != nil {
			return d, err
		}
		if d.Sites, _, err = s.Sites.List(ctx, a, site.Filter{State: "active", Limit: 1000}); err != nil {
			return d, err
		}
		if s.Workplans != nil {
			all, err := s.Workplans.Campaigns(ctx, a)
			if err != nil {
				return d, err
			}
			now := s.Problems.Now()
			for _, c := range all {
				if c.Running(now) {
					d.Campaigns = append(d.Campaigns, c)
				}
			}
		}
	}
	return d, nil
}

func (s *Server) planList(w http.ResponseWriter, r *http.Request) error {
	d, err := s.planListData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "inspections", "inspect.title", d)
	return nil
}
