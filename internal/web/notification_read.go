package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// notificationsRead marks one notification read and opens what it is
// about, or marks a whole kind read, or all of them.
func (s *Server) notificationsRead(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorOf(r)
	if kind := strings.TrimSpace(r.PostFormValue("kind")); kind != "" {
		if err := s.Notices.MarkKindRead(ctx, a, kind); err != nil {
			return err
		}
		return s.redirectWith(w, r, "/notifications?kind="+url.QueryEscape(kind), "field.notice_kind_read", s.noticeKindName(kind))
	}
	if err := s.Notices.MarkRead(ctx, a, formID(r, "id")); err != nil {
		return err
	}
	to := "/notifications"
	if id := formID(r, "problem_id"); id != 0 {
		to = "/problems/" + strconv.FormatInt(id, 10)
	} else if id := formID(r, "bulletin_id"); id != 0 {
		to = "/bulletins/" + strconv.FormatInt(id, 10)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
