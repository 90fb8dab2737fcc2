package web

import (
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/robot"
)

// parseRobotForm reads the robot form: its place (a unit, or a region's
// code), platform, write-only endpoint and secret, events and digest time.
func parseRobotForm(r *http.Request) (robot.RobotInput, error) {
	if err := r.ParseForm(); err != nil {
		return robot.RobotInput{}, err
	}
	in := robot.RobotInput{
		Name:     r.PostFormValue("name"),
		Platform: r.PostFormValue("platform"),
		Endpoint: strings.TrimSpace(r.PostFormValue("endpoint")),
		Secret:   strings.TrimSpace(r.PostFormValue("secret")),
		Events:   r.PostForm["events"],
		DigestAt: strings.TrimSpace(r.PostFormValue("digest_at")),
		Enabled:  r.PostFormValue("enabled") != "",
	}
	if r.PostFormValue("scope") == "unit" {
		in.UnitID = formID(r, "unit_id")
		if in.UnitID == 0 {
			in.UnitID = -1 // the domain refuses an unknown unit
		}
	} else {
		in.RegionCode = strings.TrimSpace(r.PostFormValue("region_code"))
	}
	return in, nil
}

// parseWebhookForm reads the webhook form.
func parseWebhookForm(r *http.Request) (robot.WebhookInput, error) {
	if err := r.ParseForm(); err != nil {
		return robot.WebhookInput{}, err
	}
	return robot.WebhookInput{Name: r.PostFormValue("name"), URL: strings.TrimSpace(r.PostFormValue("url")),
		Secret: strings.TrimSpace(r.PostFormValue("secret")), Events: r.PostForm["events"]}, nil
}
