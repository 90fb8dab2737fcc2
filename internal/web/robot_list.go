package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/robot"
)

type robotsData struct {
	Robots    []robot.Robot
	Units     []org.Unit
	Platforms []string
	Events    []string
	Form      robot.RobotInput
	Error     string
}

// robotsPage lists the robots the office manages, with the form to add one.
func (s *Server) robotsPage(w http.ResponseWriter, r *http.Request, status int, d robotsData) error {
	a := actorOf(r)
	list, err := s.Robots.Robots(r.Context(), a)
	if err != nil {
		return err
	}
	units, err := s.Org.UnitChoices(r.Context(), a)
	if err != nil {
		return err
	}
	d.Robots, d.Units, d.Platforms, d.Events = list, units, robot.Platforms(), robot.EventTypes()
	if d.Form.Platform == "" {
		d.Form = robot.RobotInput{Platform: robot.WeCom, RegionCode: a.Region, DigestAt: "08:30",
			Events: []string{robot.CaseDispatched, robot.CaseOverdueYellow, robot.CaseOverdueRed}}
	}
	s.render(w, r, status, "robots", "robot.title", d)
	return nil
}

func (s *Server) robotList(w http.ResponseWriter, r *http.Request) error {
	return s.robotsPage(w, r, http.StatusOK, robotsData{})
}
