package web

import (
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) calendarRestore(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	year, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	if err := s.Calendar.RestoreDefault(r.Context(), actorOf(r), year); err != nil {
		// No built-in schedule of that year: the page says so.
		return s.refusedOrMissing(err, func(status int, msg string) error {
			return s.calendarPage(w, r, status, calendarData{Year: year, Error: msg})
		})
	}
	return s.redirectWith(w, r, "/settings/calendar?year="+strconv.Itoa(year), "cfg.calendar.restored")
}
