package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

type volunteerCheckinData struct {
	Token   string
	Mode    string
	Title   string
	Done    *volunteer.Checked
	Error   string
	Hours   string
	Refused bool
}

// volunteerCheckinForm is where a scanned code lands on the volunteer's
// own phone: the page takes the position and sends both.
func (s *Server) volunteerCheckinForm(w http.ResponseWriter, r *http.Request) error {
	tok := r.URL.Query().Get("t")
	d := volunteerCheckinData{Token: tok, Mode: volunteer.ModeIn}
	if p, ok := volunteer.ParseToken(tok); ok {
		d.Mode = p.Mode
		if x, err := s.Volunteers.Activity(r.Context(), actorOf(r), p.Activity); err == nil {
			d.Title = x.Title
		}
	}
	s.render(w, r, http.StatusOK, "volunteer_checkin", "volunteer.checkin_title", d)
	return nil
}

// volunteerCheckin records the check-in or check-out, or says why not.
func (s *Server) volunteerCheckin(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	in := volunteer.CheckIn{Token: r.PostFormValue("t")}
	lng, ok1 := formFloat(r, "lng")
	lat, ok2 := formFloat(r, "lat")
	in.Lng, in.Lat, in.HasPosition = lng, lat, ok1 && ok2
	in.Accuracy, _ = strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("accuracy")), 64)
	d := volunteerCheckinData{Token: in.Token, Mode: volunteer.ModeIn}
	if p, ok := volunteer.ParseToken(in.Token); ok {
		d.Mode = p.Mode
	}
	res, err := s.Volunteers.Scan(r.Context(), actorOf(r), in)
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			d.Error, d.Refused = msg, true
			s.render(w, r, status, "volunteer_checkin", "volunteer.checkin_title", d)
			return nil
		})
	}
	d.Done, d.Title, d.Mode, d.Hours = &res, res.Activity.Title, res.Mode, volunteer.Hours(res.Minutes)
	s.render(w, r, http.StatusOK, "volunteer_checkin", "volunteer.checkin_title", d)
	return nil
}
