package web

import "net/http"

// workplanPhoto serves a derived copy of a report's photo to someone who
// may see the report.
func (s *Server) workplanPhoto(w http.ResponseWriter, r *http.Request) error {
	return s.servePhotoIf(w, r, s.Workplans.CanSeePhoto)
}
