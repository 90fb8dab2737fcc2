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
	in := workplan.CampaignInput{Name: r.PostFormValue("name"), RegionCode: strings.TrimSpace(r.PostFormValue("region")),
		StartsOn: r.PostFormValue("starts_on"), EndsOn: r.PostFormValue("ends_on"), Goal: r.PostFormValue("goal"),
		LeadUnitID: formID(r, "lead"), CoopUnitIDs: formIDs(r, "coop"), CategoryIDs: formIDs(r, "category"),
		SiteTypes: r.PostForm["site_type"]}
	c, err := s.Workplans.CreateCampaign(r.Context(), actorOf(r), in)
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			d, derr := s.campaignListData(r)
			if derr != nil {
				return derr
			}
			d.In, d.Error = in, msg
			s.render(w, r, status, "campaigns", "workplan.campaigns_title", d)
			return nil
		})
	}
	return s.redirectWith(w, r, "/campaigns/"+strconv.FormatInt(c.ID, 10), "workplan.campaign_created")
}
