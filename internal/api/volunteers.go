package api

import (
	"net/http"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

func (api *API) registerVolunteers(mux Mux) {
	mux.Handle("POST /api/v1/volunteer-checkins", api.handle(api.volunteerCheckin))
}

type checkinIn struct {
	Token string   `json:"token"` // from the organiser's code
	Lng   *float64 `json:"lng"`
	Lat   *float64 `json:"lat"`
}

type checkinOut struct {
	ActivityID int64     `json:"activity_id"`
	Mode       string    `json:"mode"` // in, out
	At         time.Time `json:"at"`
	DistanceM  float64   `json:"distance_m"`
	Minutes    int64     `json:"minutes,omitempty"` // after a check-out
}

// volunteerCheckin is a scan of an organiser's check-in code by the
// volunteer the token belongs to (a volunteer's app); refusals carry the
// domain's code (volunteer.code_expired, volunteer.too_far, …).
func (api *API) volunteerCheckin(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	if api.Volunteers == nil {
		return apperr.NotFound("api.no_such_endpoint")
	}
	var in checkinIn
	if err := decode(r, &in); err != nil {
		return err
	}
	c := volunteer.CheckIn{Token: in.Token, HasPosition: in.Lng != nil && in.Lat != nil}
	if c.HasPosition {
		c.Lng, c.Lat = *in.Lng, *in.Lat
	}
	res, err := api.Volunteers.Scan(r.Context(), a, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, checkinOut{ActivityID: res.Activity.ID, Mode: res.Mode, At: res.At, DistanceM: res.Distance, Minutes: res.Minutes})
	return nil
}
