package web

import (
	"net/http"
)

func (s *Server) bulletinScheduleEnabled(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Bulletins.SetScheduleEnabled(r.Context(), actorOf(r), id, r.PostFormValue("enabled") == "1"); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/bulletins/config#schedules", "bulletin.schedule_saved")
}
