package media

import (
	"fmt"
	"math"
	"time"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/geo"
)

// FarMeters is how far from the place of a case a photo may be taken
// before reviewers are warned.
const FarMeters = 500

// DistanceMeters is the great-circle (haversine) distance between two
// WGS-84 points given in decimal degrees.
func DistanceMeters(lat1, lng1, lat2, lng2 float64) float64 {
	return geo.DistanceMeters(geo.Point{Lng: lng1, Lat: lat1}, geo.Point{Lng: lng2, Lat: lat2})
}

// Warning is a point for a reviewer to check about a photo; Code is a
// catalogue key and Args its arguments.
type Warning struct {
	Code string
	Args []any
}

// Warnings lists what a reviewer should check about a photo attached to a
// case at (placeLat, placeLng) created at caseCreated:
//
//   - "media.warn_no_exif": the photo has no GPS position or no capture
//     time, so where or when it was taken cannot be checked;
//   - "media.warn_far": it was taken more than FarMeters from the place
//     (argument: the distance in km with one decimal, as a string);
//   - "media.warn_older": it was taken before the case was created, so it
//     cannot show the rectification (argument: the capture time in China
//     time, "2006-01-02 15:04").
//
// A place at 0,0 and a zero caseCreated mean unknown and skip their check.
func Warnings(p Photo, placeLat, placeLng float64, caseCreated time.Time) []Warning {
	var out []Warning
	if !p.HasGPS || p.TakenAt.IsZero() {
		out = append(out, Warning{Code: "media.warn_no_exif"})
	}
	placeKnown := !(placeLat == 0 && placeLng == 0) && !math.IsNaN(placeLat) && !math.IsNaN(placeLng)
	if p.HasGPS && placeKnown {
		if d := DistanceMeters(p.Lat, p.Lng, placeLat, placeLng); d > FarMeters {
			out = append(out, Warning{Code: "media.warn_far", Args: []any{fmt.Sprintf("%.1f", d/1000)}})
		}
	}
	if !p.TakenAt.IsZero() && !caseCreated.IsZero() && p.TakenAt.Before(caseCreated) {
		out = append(out, Warning{Code: "media.warn_older", Args: []any{p.TakenAt.In(calendar.Shanghai()).Format("2006-01-02 15:04")}})
	}
	return out
}
