package web

import (
	"net/http"
	"strconv"
)

// campaignCaseAdd counts a case in a campaign by hand, or picks it as a
// best rectification for the campaign's bulletin.
func (s *Server) campaignCaseAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	featured := r.PostFormValue("featured") == "1"
	if err := s.Workplans.AddCase(r.Context(), actorOf(r), id, r.PostFormValue("code"), featured); err != nil {
		return s.refused(err, func(status int, msg string) error {
			d, derr := s.campaignData(r)
			if derr != nil {
				return derr
			}
			d.Error = msg
			s.render(w, r, status, "campaign", "workplan.campaign_title", d)
			return nil
		})
	}
	key := "workplan.case_added"
	if featured {
		key = "workplan.case_featured"
	}
	return s.redirectWith(w, r, "/campaigns/"+strconv.FormatInt(id, 10), key)
}
