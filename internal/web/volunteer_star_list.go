package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

type volunteerStarsData struct {
	List       []volunteer.StarRecord
	Total      int
	Thresholds []int
	Places     volunteer.Places
	Error      string
}

func (s *Server) volunteerStarsPage(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	list, total, err := s.Volunteers.Proposals(r.Context(), actorOf(r), 200)
	if err != nil {
		return err
	}
	s.render(w, r, status, "volunteer_stars", "volunteer.stars_title",
		volunteerStarsData{List: list, Total: total, Thresholds: s.Volunteers.Thresholds(), Places: s.volunteerPlaces(r), Error: msg})
	return nil
}

// volunteerStars lists the star levels proposed to the office.
func (s *Server) volunteerStars(w http.ResponseWriter, r *http.Request) error {
	return s.volunteerStarsPage(w, r, http.StatusOK, "")
}
