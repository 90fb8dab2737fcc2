package web

import "net/http"

// robotDelete removes a robot.
func (s *Server) robotDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Robots.DeleteRobot(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/robots", "robot.deleted")
}
