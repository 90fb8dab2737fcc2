package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/notice"
)

type noticeData struct {
	Items []notice.Notification
}

func (s *Server) notificationList(w http.ResponseWriter, r *http.Request) error {
	items, err := s.Notices.List(r.Context(), actorOf(r), 100)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "notifications", "notice.title", noticeData{Items: items})
	return nil
}
