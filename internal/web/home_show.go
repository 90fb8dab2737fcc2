package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/region"
)

type homeData struct {
	User       org.User
	Region     []region.Region
	UnitCount  int
	UserCount  int
	ChildCount int
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	ctx := r.Context()
	u, err := s.Org.GetUser(ctx, a, a.UserID)
	if err != nil {
		return err
	}
	d := homeData{User: u}
	if a.Region != "" {
		if d.Region, err = s.Regions.Ancestors(ctx, a.Region); err != nil {
			return err
		}
		if _, d.ChildCount, err = s.Regions.Children(ctx, a.Region, 0, 1); err != nil {
			return err
		}
	}
	if _, d.UnitCount, err = s.Org.ListUnits(ctx, a, org.UnitFilter{Limit: 1}); err != nil {
		return err
	}
	if _, d.UserCount, err = s.Org.ListUsers(ctx, a, org.UserFilter{Limit: 1}); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "home", "home.title", d)
	return nil
}
