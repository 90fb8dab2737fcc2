package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

type volunteerPageData struct {
	V            volunteer.Volunteer
	Own          bool
	Place        string
	Teams        []volunteer.TeamRef
	Ledger       []volunteer.Entry
	Stars        []volunteer.StarRecord
	Certificates []volunteer.Certificate
	YearMinutes  int64
	YearText     string
	Activities   int
	NextStar     int
	Missing      float64
	Thresholds   []int
	Upcoming     []volunteer.Activity
	Year         string
	Today        string
	Manages      bool
	Account      string // the user name the volunteer signs in with
	Error        string
}

func (s *Server) volunteerPage(w http.ResponseWriter, r *http.Request, v volunteer.Volunteer, own bool, status int, msg string) error {
	ctx, a := r.Context(), actorOf(r)
	now := s.Volunteers.Now().In(s.loc)
	d := volunteerPageData{V: v, Own: own, Place: v.RegionCode, Thresholds: s.Volunteers.Thresholds(),
		Year: now.Format("2006"), Today: now.Format("2006-01-02"), Error: msg}
	if reg, err := s.Regions.Get(ctx, v.RegionCode); err == nil {
		d.Place = reg.Name
	}
	var err error
	if d.Teams, err = s.Volunteers.TeamsOf(ctx, v.ID); err != nil {
		return err
	}
	if d.Ledger, err = s.Volunteers.Ledger(ctx, a, v.ID, 100); err != nil {
		return err
	}
	if d.Stars, err = s.Volunteers.StarsOf(ctx, v.ID); err != nil {
		return err
	}
	if d.Certificates, err = s.Volunteers.Certificates(ctx, a, v.ID); err != nil {
		return err
	}
	_, d.YearMinutes, d.Activities, err = s.Volunteers.TotalsOf(ctx, v.ID, d.Year+"-01-01", d.Year+"-12-31")
	if err != nil {
		return err
	}
	d.YearText = volunteer.Hours(d.YearMinutes)
	d.NextStar, d.Missing = s.Volunteers.NextStar(v.Minutes)
	if d.Manages = a.Manages(v.RegionCode); d.Manages && v.UserID != 0 {
		if u, err := s.Org.GetUser(ctx, a, v.UserID); err == nil {
			d.Account = u.Username
		}
	}
	if own {
		list, err := s.Volunteers.Activities(ctx, a, volunteer.ActivityFilter{From: now.Add(-24 * 3600e9), Limit: 20})
		if err != nil {
			return err
		}
		d.Upcoming = list
	}
	s.render(w, r, status, "volunteer", "volunteer.page_title", d)
	return nil
}

// volunteerShow is a volunteer's page for those who may see them.
func (s *Server) volunteerShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.Volunteers.Get(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.volunteerPage(w, r, v, v.UserID == actorOf(r).UserID, http.StatusOK, "")
}

// volunteerMine is the signed-in volunteer's own page: hours, stars,
// activities, certificates.
func (s *Server) volunteerMine(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Volunteers.Mine(r.Context(), actorOf(r))
	if err != nil {
		if apperr.As(err).Kind == apperr.KindNotFound {
			s.render(w, r, http.StatusOK, "volunteer_none", "volunteer.page_title", nil)
			return nil
		}
		return err
	}
	return s.volunteerPage(w, r, v, true, http.StatusOK, "")
}
