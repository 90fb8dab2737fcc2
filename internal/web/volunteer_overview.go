package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

type volunteerOverviewData struct {
	Scope    volunteer.Overview
	KPI      volunteer.KPI
	From, To string
	Region   string
	Areas    []region.Region // the streets below the actor's area, to narrow the figures
	HasKey   bool
	Stars    []int
}

// volunteerOverview is the volunteer area's front page: the figures of the
// area for those who oversee it, the way to one's teams and activities
// for organisers; a volunteer goes to their own page.
func (s *Server) volunteerOverview(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorOf(r)
	o, err := s.Volunteers.Scope(ctx, a)
	if err != nil {
		return err
	}
	if !o.Oversees && !o.Organises() {
		if o.Volunteer != 0 {
			http.Redirect(w, r, "/volunteers/me", http.StatusSeeOther)
			return nil
		}
	}
	d := volunteerOverviewData{Scope: o, HasKey: s.Volunteers.HasKey(), Stars: s.Volunteers.Thresholds()}
	d.From, d.To = s.volunteerPeriod(r)
	if o.Oversees && a.Region != "" {
		d.Region = a.Region
		if q := r.URL.Query().Get("region"); q != "" && a.Oversees(q) {
			d.Region = q
		}
		if d.Areas, _, err = s.Regions.Children(ctx, a.Region, 0, 200); err != nil {
			return err
		}
		if d.KPI, err = s.Volunteers.Figures(ctx, a, d.Region, d.From, d.To); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "volunteers", "volunteer.title", d)
	return nil
}
