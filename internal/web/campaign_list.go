package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/workplan"
)

type campaignListData struct {
	Campaigns  []*workplan.Campaign
	CanRun     bool
	Lead       unitPicked  // the lead unit's picker
	Coop       unitsPicked // the cooperating units' picker
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
		// The units are picked by name as one types, not listed.
		d.Lead, d.Coop = leadPicker(), coopPicker()
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

// leadPicker is the lead unit's field of the work plan's forms (a
// campaign, a task).
func leadPicker() unitPicked {
	return unitPicked{Field: "lead", Label: "workplan.lead_unit", Required: true}
}

// coopPicker is the cooperating units' field of the same forms.
func coopPicker() unitsPicked { return unitsPicked{Field: "coop", Label: "workplan.coop_units"} }
