package web

import (
	"net/http"
)

func (s *Server) bulletinScheduleDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Bulletins.DeleteSchedule(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/bulletins/config#schedules", "bulletin.schedule_deleted")
}
