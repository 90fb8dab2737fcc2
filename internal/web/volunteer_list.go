package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/volunteer"
)

type volunteerListData struct {
	List    []volunteer.Volunteer
	Pager   pager
	Query   string
	State   string
	Places  volunteer.Places
	Teams   []volunteer.Team
	Manages bool
	HasKey  bool
	Error   string
	In      volunteer.Input
}

func (s *Server) volunteerListData(r *http.Request) (volunteerListData, error) {
	ctx, a := r.Context(), actorOf(r)
	page, offset, limit := pageParams(r)
	q := r.URL.Query()
	d := volunteerListData{Query: q.Get("q"), State: q.Get("state"), HasKey: s.Volunteers.HasKey(), Places: s.volunteerPlaces(r)}
	team, _ := strconv.ParseInt(q.Get("team"), 10, 64)
	list, total, err := s.Volunteers.List(ctx, a, volunteer.Filter{Query: d.Query, State: d.State, TeamID: team, Offset: offset, Limit: limit})
	if err != nil {
		return d, err
	}
	d.List, d.Pager = list, newPager(r, page, limit, total)
	if d.Teams, err = s.Volunteers.Teams(ctx, a); err != nil {
		return d, err
	}
	d.Manages = a.Manages(a.Region)
	return d, nil
}

// volunteerList is the register (志愿者名册), masked, with the form to add
// one and the links to import and export.
func (s *Server) volunteerList(w http.ResponseWriter, r *http.Request) error {
	d, err := s.volunteerListData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "volunteer_list", "volunteer.list_title", d)
	return nil
}
