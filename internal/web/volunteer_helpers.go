package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

// Helpers shared by the volunteer pages (volunteer_*.go).

// volunteerPlaces names the regions of the actor's area for the pages.
func (s *Server) volunteerPlaces(r *http.Request) volunteer.Places {
	a := actorOf(r)
	root := a.Region
	if len(root) > 6 {
		root = root[:6]
	}
	p, err := s.Volunteers.PlacesUnder(r.Context(), root)
	if err != nil {
		s.Log.Warn("volunteer places", "err", err)
	}
	return p
}

// volunteerPeriod reads ?from=&to= (dates), by default the year so far.
func (s *Server) volunteerPeriod(r *http.Request) (from, to string) {
	now := s.Volunteers.Now().In(s.loc)
	from, to = now.Format("2006")+"-01-01", now.Format("2006-01-02")
	if v := r.URL.Query().Get("from"); validDay(v) {
		from = v
	}
	if v := r.URL.Query().Get("to"); validDay(v) {
		to = v
	}
	return from, to
}

func validDay(v string) bool {
	_, err := time.Parse("2006-01-02", v)
	return err == nil
}

func formFloat(r *http.Request, name string) (float64, bool) {
	v := strings.TrimSpace(r.PostFormValue(name))
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

func volunteerPath(id int64) string { return "/volunteers/" + strconv.FormatInt(id, 10) }

func activityPath(id int64) string { return "/volunteers/activities/" + strconv.FormatInt(id, 10) }

func teamPath(id int64) string { return "/volunteers/teams/" + strconv.FormatInt(id, 10) }

func timeMinutes(n int) time.Duration { return time.Duration(n) * time.Minute }
