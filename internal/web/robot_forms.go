package web

import (
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/robot"
)

// robotUnitPicker is the robot form's unit, picked by name as one types.
func robotUnitPicker() unitPicked { return unitPicked{Field: "unit_id", Label: "robot.scope_unit"} }

// robotForm reads the parsed robot form: its place (a unit, or a region's
// code), platform, write-only endpoint and secret, events and digest
// time. The unit is checked for the person (a name typed without the
// script found); a refusal of it is the error, the picker kept to show
// the form again.
func (s *Server) robotForm(r *http.Request) (robot.RobotInput, unitPicked, error) {
	in := robot.RobotInput{
		Name:     r.PostFormValue("name"),
		Platform: r.PostFormValue("platform"),
		Endpoint: strings.TrimSpace(r.PostFormValue("endpoint")),
		Secret:   strings.TrimSpace(r.PostFormValue("secret")),
		Events:   r.PostForm["events"],
		DigestAt: strings.TrimSpace(r.PostFormValue("digest_at")),
		Enabled:  r.PostFormValue("enabled") != "",
	}
	unit := robotUnitPicker()
	if r.PostFormValue("scope") != "unit" {
		in.RegionCode = strings.TrimSpace(r.PostFormValue("region_code"))
		return in, unit, nil
	}
	unit, err := s.postedUnit(r, unit)
	in.UnitID = unit.ID
	if in.UnitID == 0 {
		in.UnitID = -1 // the domain refuses an unknown unit
	}
	return in, unit, err
}

// parseWebhookForm reads the webhook form.
func parseWebhookForm(r *http.Request) (robot.WebhookInput, error) {
	if err := r.ParseForm(); err != nil {
		return robot.WebhookInput{}, err
	}
	return robot.WebhookInput{Name: r.PostFormValue("name"), URL: strings.TrimSpace(r.PostFormValue("url")),
		Secret: strings.TrimSpace(r.PostFormValue("secret")), Events: r.PostForm["events"]}, nil
}
