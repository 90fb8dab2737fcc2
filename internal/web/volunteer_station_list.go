package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

type volunteerStationsData struct {
	List    []volunteer.Station
	Places  volunteer.Places
	Manages bool
	Error   string
}

func (s *Server) volunteerStationsPage(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	list, err := s.Volunteers.Stations(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	a := actorOf(r)
	s.render(w, r, status, "volunteer_stations", "volunteer.stations_title",
		volunteerStationsData{List: list, Places: s.volunteerPlaces(r), Manages: a.Manages(a.Region), Error: msg})
	return nil
}

// volunteerStations lists the civilization-practice stations.
func (s *Server) volunteerStations(w http.ResponseWriter, r *http.Request) error {
	return s.volunteerStationsPage(w, r, http.StatusOK, "")
}
