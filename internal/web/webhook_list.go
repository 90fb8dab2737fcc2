package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/outbox"
	"github.com/wenming-civic/wenming/internal/robot"
)

type webhooksData struct {
	Webhooks  []robot.Webhook
	Names     map[int64]string
	Events    []string
	Log       []outbox.Logged
	NewSecret string
	Form      robot.WebhookInput
	Error     string
}

// webhooksPage lists the webhooks, the form to register one and the
// delivery log (administrators only: the domain refuses anyone else).
func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request, status int, d webhooksData) error {
	a := actorOf(r)
	list, err := s.Robots.Webhooks(r.Context(), a)
	if err != nil {
		return err
	}
	if d.Log, err = s.Robots.WebhookLog(r.Context(), a, 0, 200); err != nil {
		return err
	}
	d.Webhooks, d.Events, d.Names = list, robot.WebhookEventTypes(), map[int64]string{}
	for _, h := range list {
		d.Names[h.ID] = h.Name
	}
	s.render(w, r, status, "webhooks", "webhook.title", d)
	return nil
}

func (s *Server) webhookList(w http.ResponseWriter, r *http.Request) error {
	return s.webhooksPage(w, r, http.StatusOK, webhooksData{})
}
