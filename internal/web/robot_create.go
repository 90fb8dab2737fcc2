package web

import "net/http"

// robotCreate saves a new robot; the endpoint and secret are not shown again.
func (s *Server) robotCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := parseRobotForm(r)
	if err != nil {
		return err
	}
	if _, err := s.Robots.CreateRobot(r.Context(), actorOf(r), in); err != nil {
		in.Endpoint, in.Secret = "", "" // write-only: never echoed back
		return s.refused(err, func(status int, msg string) error {
			return s.robotsPage(w, r, status, robotsData{Form: in, Error: msg})
		})
	}
	return s.redirectWith(w, r, "/robots", "robot.saved")
}
