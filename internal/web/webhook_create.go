package web

import "net/http"

// webhookCreate registers a webhook and shows its secret this once.
func (s *Server) webhookCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := parseWebhookForm(r)
	if err != nil {
		return err
	}
	_, secret, err := s.Robots.CreateWebhook(r.Context(), actorOf(r), in)
	if err != nil {
		in.Secret = ""
		return s.refused(err, func(status int, msg string) error {
			return s.webhooksPage(w, r, status, webhooksData{Form: in, Error: msg})
		})
	}
	return s.webhooksPage(w, r, http.StatusCreated, webhooksData{NewSecret: secret})
}
