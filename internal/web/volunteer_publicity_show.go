package web

import (
	"net/http"
	"time"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

type volunteerPublicityData struct {
	P          volunteer.Publicity
	Closed     bool
	Objections []volunteer.Objection
	Manages    bool
	Sent       bool
	Error      string
	Now        time.Time
}

func (s *Server) volunteerPublicityPage(w http.ResponseWriter, r *http.Request, id int64, status int, msg string, sent bool) error {
	ctx, a := r.Context(), actorOf(r)
	p, err := s.Volunteers.PublicPublicity(ctx, id)
	if err != nil {
		return err
	}
	now := s.Volunteers.Now()
	d := volunteerPublicityData{P: p, Closed: p.Closed(now), Error: msg, Sent: sent, Now: now}
	if a.Oversees(p.RegionCode) {
		if d.Objections, err = s.Volunteers.Objections(ctx, a, id); err != nil {
			return err
		}
		d.Manages = a.Manages(p.RegionCode)
	}
	s.render(w, r, status, "volunteer_publicity", "volunteer.publicity_title", d)
	return nil
}

// volunteerPublicityShow is the public 公示 page with its objection form;
// the office also sees the objections and answers them.
func (s *Server) volunteerPublicityShow(w http.ResponseWriter, r *http.Request) error {
	if !actorOf(r).SignedIn() {
		s.ensurePre(w, r) // the form's token is bound to this cookie
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.volunteerPublicityPage(w, r, id, http.StatusOK, "", r.URL.Query().Get("sent") == "1")
}
