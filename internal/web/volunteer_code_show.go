package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/wenming-civic/wenming/internal/site"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

// volunteerCode is one rotation of the organiser's check-in code.
type volunteerCode struct {
	Mode      string `json:"mode"`
	URL       string `json:"url"`
	PNG       string `json:"png"` // data: URL
	ExpiresIn int    `json:"expires_in"`
}

func (s *Server) currentVolunteerCode(r *http.Request, id int64, mode string) (volunteerCode, error) {
	c, err := s.Volunteers.CurrentCode(r.Context(), actorOf(r), id, mode)
	if err != nil {
		return volunteerCode{}, err
	}
	u := s.publicBase(r) + "/volunteers/checkin?t=" + url.QueryEscape(c.Token)
	png, err := site.QRPNG(u, 8)
	if err != nil {
		return volunteerCode{}, err
	}
	return volunteerCode{Mode: c.Mode, URL: u, PNG: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png),
		ExpiresIn: max(1, int((c.ExpiresIn+time.Second-1)/time.Second))}, nil
}

type volunteerCodeData struct {
	X    volunteer.Activity
	Code volunteerCode
	// Img is the code's PNG as a data: URL, which html/template would
	// otherwise refuse; it is made here, not taken from input.
	Img template.URL
}

// volunteerCodeShow is the organiser's phone page: the check-in (or
// check-out) code, redrawn every 30 seconds by volunteer.js.
func (s *Server) volunteerCodeShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	x, err := s.Volunteers.Activity(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	c, err := s.currentVolunteerCode(r, id, r.URL.Query().Get("mode"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "volunteer_code", "volunteer.code_title", volunteerCodeData{X: x, Code: c, Img: template.URL(c.PNG)})
	return nil
}

// volunteerCodeJSON is the current code for the page's refresh.
func (s *Server) volunteerCodeJSON(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.currentVolunteerCode(r, id, r.URL.Query().Get("mode"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, c)
}
