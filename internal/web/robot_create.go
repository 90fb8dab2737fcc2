package web

import "net/http"

// robotCreate saves a new robot; the endpoint and secret are not shown again.
func (s *Server) robotCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	in, unit, err := s.robotForm(r)
	if err == nil {
		_, err = s.Robots.CreateRobot(r.Context(), actorOf(r), in)
	}
	if err != nil {
		in.Endpoint, in.Secret = "", "" // write-only: never echoed back
		return s.refused(err, func(status int, msg string) error {
			return s.robotsPage(w, r, status, robotsData{Form: in, Unit: unit, UnitScope: r.PostFormValue("scope") == "unit", Error: msg})
		})
	}
	return s.redirectWith(w, r, "/robots", "robot.saved")
}
