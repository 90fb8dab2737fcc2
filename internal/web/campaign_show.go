package web

import (
	"net/http"
	"slices"

	"github.com/wenming-civic/wenming/internal/workplan"
)

type campaignData struct {
	*workplan.CampaignView
	CanManage bool
	Error     string
	Print     bool
	// The names of the categories and site types the campaign targets.
	ScopeCategories []string
	ScopeSiteTypes  []string
}

func (s *Server) campaignData(r *http.Request) (campaignData, error) {
	id, err := pathID(r)
	if err != nil {
		return campaignData{}, err
	}
	a := actorOf(r)
	v, err := s.Workplans.CampaignPage(r.Context(), a, id)
	if err != nil {
		return campaignData{}, err
	}
	d := campaignData{CampaignView: v, CanManage: v.Campaign.CanManage(a)}
	groups, err := s.CategoryGroups(r.Context())
	if err != nil {
		return d, err
	}
	for _, g := range groups {
		for _, o := range g.Options {
			if slices.Contains(v.Campaign.CategoryIDs, o.ID) {
				d.ScopeCategories = append(d.ScopeCategories, o.Name)
			}
		}
	}
	types, err := s.Framework.SiteTypes(r.Context(), true)
	if err != nil {
		return d, err
	}
	for _, t := range types {
		if slices.Contains(v.Campaign.SiteTypes, t.Code) {
			d.ScopeSiteTypes = append(d.ScopeSiteTypes, t.Name)
		}
	}
	return d, nil
}

// campaignShow is a campaign's page; ?print=1 is its bulletin to print.
func (s *Server) campaignShow(w http.ResponseWriter, r *http.Request) error {
	d, err := s.campaignData(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("print") == "1" {
		d.Print = true
		s.render(w, r, http.StatusOK, "campaign_print", "workplan.campaign_bulletin", d)
		return nil
	}
	s.render(w, r, http.StatusOK, "campaign", "workplan.campaign_title", d)
	return nil
}
