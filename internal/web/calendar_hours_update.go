package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/calendar"
)

// hoursForm is the working-hours form as posted: the periods as typed and
// the year the page was showing.
type hoursForm struct {
	Text string
	Year int
}

func parseHoursForm(r *http.Request) (hoursForm, error) {
	if err := r.ParseForm(); err != nil {
		return hoursForm{}, err
	}
	f := hoursForm{Text: r.PostFormValue("hours")}
	f.Year, _ = strconv.Atoi(r.PostFormValue("year"))
	return f, nil
}

func (s *Server) calendarHours(w http.ResponseWriter, r *http.Request) error {
	f, err := parseHoursForm(r)
	if err != nil {
		return err
	}
	periods, err := calendar.ParsePeriods(f.Text)
	if err == nil {
		err = s.Calendar.SetWorkingHours(r.Context(), actorOf(r), periods)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			return s.calendarPage(w, r, status, calendarData{Year: f.Year, Hours: f.Text, HoursError: msg})
		})
	}
	return s.redirectWith(w, r, "/settings/calendar?year="+strconv.Itoa(f.Year), "cfg.calendar.hours_saved")
}
