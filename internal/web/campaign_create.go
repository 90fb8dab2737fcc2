package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/workplan"
)

// campaignCreate makes a special campaign.
func (s *Server) campaignCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	// Every unit posted is checked for the person; names typed without
	// the script are found here.
	units, coop, err := s.postedLeadAndCoop(r, leadPicker(), coopPicker())
	in := workplan.CampaignInput{Name: r.PostFormValue("name"), RegionCode: strings.TrimSpace(r.PostFormValue("region")),
		StartsOn: r.PostFormValue("starts_on"), EndsOn: r.PostFormValue("ends_on"), Goal: r.PostFormValue("goal"),
		LeadUnitID: units.Lead.ID, CoopUnitIDs: coop, CategoryIDs: formIDs(r, "category"),
		SiteTypes: r.PostForm["site_type"]}
	var c *workplan.Campaign
	if err == nil {
		c, err = s.Workplans.CreateCampaign(ctx, a, in)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			d, derr := s.campaignListData(r)
			if derr != nil {
				return derr
			}
			d.In, d.Error, d.Lead, d.Coop = in, msg, units.Lead, units.Coop
			s.render(w, r, status, "campaigns", "workplan.campaigns_title", d)
			return nil
		})
	}
	return s.redirectWith(w, r, "/campaigns/"+strconv.FormatInt(c.ID, 10), "workplan.campaign_created")
}
