package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/notice"
)

type noticeData struct {
	Items []notice.Notification
	Pager pager
	// Kind is the kind shown ("" for all); Kinds count each kind, the ones
	// with unread notifications first.
	Kind   string
	Kinds  []notice.KindCount
	Unread int // unread of the kind shown
}

// noticeKindName is a kind's name on its filter tab.
func (s *Server) noticeKindName(kind string) string {
	if k := "field.notice_kind." + kind; s.Catalog.Has(k) {
		return s.Catalog.T(k)
	}
	return s.Catalog.T("field.notice_kind_other")
}

func (s *Server) notificationList(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorOf(r)
	kinds, err := s.Notices.Kinds(ctx, a)
	if err != nil {
		return err
	}
	d := noticeData{Kinds: kinds}
	for _, k := range kinds {
		if k.Kind == r.URL.Query().Get("kind") {
			d.Kind, d.Unread = k.Kind, k.Unread
		}
	}
	page, offset, limit := pageParams(r)
	items, total, err := s.Notices.Page(ctx, a, notice.Filter{Kind: d.Kind, Offset: offset, Limit: limit})
	if err != nil {
		return err
	}
	d.Items, d.Pager = items, newPager(r, page, limit, total)
	s.render(w, r, http.StatusOK, "notifications", "notice.title", d)
	return nil
}
