package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/outbox"
	"github.com/wenming-civic/wenming/internal/robot"
)

type robotData struct {
	Robot  robot.Robot
	Events []string
	Log    []outbox.Logged
	Error  string
}

// robotPage shows one robot's settings (never its endpoint or secret) and
// its delivery log.
func (s *Server) robotPage(w http.ResponseWriter, r *http.Request, status int, d robotData) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	if d.Robot, err = s.Robots.Robot(r.Context(), a, id); err != nil {
		return err
	}
	if d.Log, err = s.Robots.RobotLog(r.Context(), a, id, 100); err != nil {
		return err
	}
	d.Events = robot.EventTypes()
	s.render(w, r, status, "robot", "robot.title", d)
	return nil
}

func (s *Server) robotShow(w http.ResponseWriter, r *http.Request) error {
	return s.robotPage(w, r, http.StatusOK, robotData{})
}
