package web

import (
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/region"
)

type searchData struct {
	Query   string
	Results []region.Region
	Pager   pager
}

func (s *Server) regionSearch(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := searchData{Query: q}
	if q != "" {
		within := ""
		if !a.IsAdmin() {
			within = a.Region
		}
		page, offset, limit := pageParams(r)
		res, total, err := s.Regions.Search(r.Context(), within, q, offset, limit)
		if err != nil {
			return err
		}
		d.Results, d.Pager = res, newPager(r, page, limit, total)
	}
	s.render(w, r, http.StatusOK, "region_search", "regions.search_title", d)
	return nil
}
