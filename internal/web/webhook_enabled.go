package web

import "net/http"

// webhookEnabled turns a webhook on or off.
func (s *Server) webhookEnabled(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := s.Robots.SetWebhookEnabled(r.Context(), actorOf(r), id, r.PostFormValue("enabled") == "1"); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/admin/webhooks", "robot.saved")
}
