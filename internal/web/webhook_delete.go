package web

import "net/http"

// webhookDelete removes a webhook.
func (s *Server) webhookDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Robots.DeleteWebhook(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/admin/webhooks", "robot.deleted")
}
