package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

type volunteerPublicitiesData struct {
	List     []volunteer.Publicity
	Manages  bool
	From, To string
	Error    string
}

func (s *Server) volunteerPublicitiesPage(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	a := actorOf(r)
	list, err := s.Volunteers.Publicities(r.Context(), a)
	if err != nil {
		return err
	}
	d := volunteerPublicitiesData{List: list, Manages: a.Manages(a.Region), Error: msg}
	d.From, d.To = s.volunteerPeriod(r)
	s.render(w, r, status, "volunteer_publicities", "volunteer.publicities_title", d)
	return nil
}

// volunteerPublicities lists the office's publicities (公示).
func (s *Server) volunteerPublicities(w http.ResponseWriter, r *http.Request) error {
	return s.volunteerPublicitiesPage(w, r, http.StatusOK, "")
}
