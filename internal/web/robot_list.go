package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/robot"
)

type robotsData struct {
	Robots    []robot.Robot
	Unit      unitPicked // the unit of a robot for one unit
	UnitScope bool       // the form's place is a unit
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
	if d.Unit.Field == "" {
		if d.Unit, err = s.shownUnit(r.Context(), a, robotUnitPicker(), d.Form.UnitID); err != nil {
			return err
		}
	}
	d.UnitScope = d.UnitScope || d.Form.UnitID != 0
	d.Robots, d.Platforms, d.Events = list, robot.Platforms(), robot.EventTypes()
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
