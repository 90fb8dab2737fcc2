package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/bulletin"
)

// scheduleForm is a new bulletin schedule as posted; a time that is not
// hh:mm leaves -1 for the store to refuse.
type scheduleForm struct {
	bulletin.ScheduleInput
}

func parseScheduleForm(r *http.Request) (scheduleForm, error) {
	if err := r.ParseForm(); err != nil {
		return scheduleForm{}, err
	}
	hour, minute := -1, -1
	if h, m, ok := strings.Cut(strings.TrimSpace(r.PostFormValue("time")), ":"); ok {
		if x, err := strconv.Atoi(h); err == nil {
			hour = x
		}
		if x, err := strconv.Atoi(m); err == nil {
			minute = x
		}
	}
	in := bulletin.ScheduleInput{ScopeRegion: r.PostFormValue("scope"), Kind: r.PostFormValue("kind"), Weekday: formInt(r, "weekday"),
		Monthday: formInt(r, "monthday"), Hour: hour, Minute: minute}
	return scheduleForm{in}, nil
}

func (s *Server) bulletinScheduleCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := parseScheduleForm(r)
	if err != nil {
		return err
	}
	if _, err := s.Bulletins.CreateSchedule(r.Context(), actorOf(r), f.ScheduleInput); err != nil {
		return s.refused(err, func(status int, msg string) error {
			d, derr := s.bulletinConfigData(r, s.configRegion(r))
			if derr != nil {
				return derr
			}
			d.SchedError = msg
			s.render(w, r, status, "bulletin_config", "bulletin.config_title", d)
			return nil
		})
	}
	return s.redirectWith(w, r, "/bulletins/config#schedules", "bulletin.schedule_saved")
}
