package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/workplan"
)

type campaignListData struct {
	Campaigns  []*workplan.Campaign
	CanRun     bool
	Units      []org.Unit
	Categories []CategoryGroup
	SiteTypes  []framework.SiteType
	Today      string
	In         workplan.CampaignInput
	Error      string
}

func (s *Server) campaignListData(r *http.Request) (campaignListData, error) {
	ctx, a := r.Context(), actorOf(r)
	if !workplan.MayOpen(a) {
		return campaignListData{}, apperr.Forbidden("workplan.forbidden")
	}
	list, err := s.Workplans.Campaigns(ctx, a)
	if err != nil {
		return campaignListData{}, err
	}
	today := s.Workplans.Now().In(s.loc).Format("2006-01-02")
	d := campaignListData{Campaigns: list, CanRun: workplan.MayRun(a), Today: today,
		In: workplan.CampaignInput{StartsOn: today, EndsOn: today, RegionCode: a.Region}}
	if d.CanRun {
		if d.Units, err = s.Org.UnitChoices(ctx, a); err != nil {
			return d, err
		}
		if d.Categories, err = s.CategoryGroups(ctx); err != nil {
			return d, err
		}
		if d.SiteTypes, err = s.Framework.SiteTypes(ctx, false); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (s *Server) campaignList(w http.ResponseWriter, r *http.Request) error {
	d, err := s.campaignListData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "campaigns", "workplan.campaigns_title", d)
	return nil
}
