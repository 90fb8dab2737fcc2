package web

import (
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

func (s *Server) parseStationForm(r *http.Request) (volunteer.StationInput, error) {
	if err := r.ParseForm(); err != nil {
		return volunteer.StationInput{}, err
	}
	in := volunteer.StationInput{Name: r.PostFormValue("name"), Level: r.PostFormValue("level"),
		RegionCode: strings.TrimSpace(r.PostFormValue("region")), Address: r.PostFormValue("address")}
	if code := strings.TrimSpace(r.PostFormValue("unit")); code != "" {
		in.UnitID = -1 // an unknown code is refused by the domain
		if id, err := org.UnitIDByCode(r.Context(), s.Org.DB, code); err == nil && id > 0 {
			in.UnitID = id
		}
	}
	lng, ok1 := formFloat(r, "lng")
	lat, ok2 := formFloat(r, "lat")
	in.Lng, in.Lat, in.HasPlace = lng, lat, ok1 && ok2
	return in, nil
}

// volunteerStationCreate adds a station.
func (s *Server) volunteerStationCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := s.parseStationForm(r)
	if err != nil {
		return err
	}
	if _, err := s.Volunteers.CreateStation(r.Context(), actorOf(r), in); err != nil {
		return s.refused(err, func(status int, msg string) error { return s.volunteerStationsPage(w, r, status, msg) })
	}
	return s.redirectWith(w, r, "/volunteers/stations", "volunteer.station_created", in.Name)
}
