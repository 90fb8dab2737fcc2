package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/site"
)

type siteDetailData struct {
	Site      site.Site
	ScoreText string
	QRURL     string
	Shape     string // the place for the map, in the basemap's coordinates
	CanEdit   bool
	CanCheck  bool
	Rounds    []inspect.SiteRound
	Problems  []*problem.Case
}

func (s *Server) siteDetail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	x, err := s.Sites.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	if x.OpenProblems, err = s.Sites.OpenProblemsNear(r.Context(), x); err != nil {
		return err
	}
	d := siteDetailData{Site: x, ScoreText: s.scoreText(x.Score), QRURL: site.QRURL(s.publicBase(r), x.QRToken),
		CanEdit: a.Manages(x.RegionCode), CanCheck: a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleInspector)}
	if x.HasPlace {
		d.Shape = s.viewGeometry(x.Geometry)
	}
	// The site's history: its inspection rounds and the problems found there.
	if d.Rounds, err = s.Inspections.SiteHistory(r.Context(), a, id); err != nil {
		return err
	}
	if d.Problems, _, err = s.Problems.List(r.Context(), a, problem.Filter{SiteID: id, Limit: 50}); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "site", "site.detail_title", d)
	return nil
}
