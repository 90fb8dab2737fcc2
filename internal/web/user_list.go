package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/org"
)

type userListData struct {
	Users   []org.User
	Pager   pager
	Query   string
	Role    string
	CanEdit bool
}

func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	a, q := actorOf(r), r.URL.Query()
	page, offset, limit := pageParams(r)
	f := org.UserFilter{Query: q.Get("q"), Role: access.Role(q.Get("role")), Offset: offset, Limit: limit}
	users, total, err := s.Org.ListUsers(r.Context(), a, f)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "users", "user.list_title", userListData{
		Users: users, Pager: newPager(r, page, limit, total), Query: f.Query, Role: string(f.Role),
		CanEdit: org.CanCreate(a),
	})
	return nil
}
