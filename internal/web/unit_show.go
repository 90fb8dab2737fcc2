package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/org"
)

type unitDetailData struct {
	Unit    org.Unit
	Users   []org.User
	Pager   pager
	CanEdit bool
}

func (s *Server) unitDetail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	u, err := s.Org.GetUnit(r.Context(), a, id)
	if err != nil {
		return err
	}
	page, offset, limit := pageParams(r)
	users, total, err := s.Org.ListUsers(r.Context(), a, org.UserFilter{UnitID: id, Offset: offset, Limit: limit})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "unit", "unit.detail_title", unitDetailData{
		Unit: u, Users: users, Pager: newPager(r, page, limit, total), CanEdit: org.CanEditUnit(a, u),
	})
	return nil
}
