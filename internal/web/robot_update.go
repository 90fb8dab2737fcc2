package web

import "net/http"

// robotUpdate changes a robot; an empty endpoint keeps the saved one.
func (s *Server) robotUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	in, _, err := s.robotForm(r) // the form has no unit: it keeps the robot's place
	if err != nil {
		return err
	}
	if err := s.Robots.UpdateRobot(r.Context(), actorOf(r), id, in); err != nil {
		return s.refusedOrMissing(err, func(status int, msg string) error {
			return s.robotPage(w, r, status, robotData{Error: msg})
		})
	}
	return s.redirectWith(w, r, "/robots/"+r.PathValue("id"), "robot.saved")
}
