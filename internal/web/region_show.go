package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/region"
)

type regionDetailData struct {
	Region   region.Region
	Trail    []region.Region
	Children []region.Region
	Pager    pager
	Manages  bool
	Errors   []string
	GridName string
}

func (s *Server) regionDetail(w http.ResponseWriter, r *http.Request) error {
	d, err := s.regionDetailData(r, r.PathValue("code"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "region", "regions.detail_title", d)
	return nil
}

func (s *Server) regionDetailData(r *http.Request, code string) (regionDetailData, error) {
	ctx := r.Context()
	trail, err := s.Regions.Ancestors(ctx, code)
	if err != nil {
		return regionDetailData{}, err
	}
	d := regionDetailData{Region: trail[len(trail)-1], Trail: trail[:len(trail)-1], Manages: actorOf(r).Manages(code)}
	page, offset, limit := pageParams(r)
	kids, total, err := s.Regions.Children(ctx, code, offset, limit)
	if err != nil {
		return regionDetailData{}, err
	}
	d.Children, d.Pager = kids, newPager(r, page, limit, total)
	return d, nil
}
