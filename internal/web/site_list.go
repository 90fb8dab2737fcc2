package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/site"
)

// siteFilter reads a site filter from the query string.
func siteFilter(q url.Values) site.Filter {
	f := site.Filter{Query: strings.TrimSpace(q.Get("q")), Type: q.Get("type"), Region: strings.TrimSpace(q.Get("region")), State: q.Get("state")}
	f.UnitID, _ = strconv.ParseInt(q.Get("unit"), 10, 64)
	if f.State != "active" && f.State != "inactive" && f.State != "all" {
		f.State = "active"
	}
	if f.State == "all" {
		f.State = ""
	}
	return f
}

// siteRow is a site as a list shows it.
type siteRow struct {
	site.Site
	ScoreText string
}

type siteListData struct {
	Sites     []siteRow
	Pager     pager
	Query     url.Values
	QueryStr  string
	Types     []site.Type
	Regions   []region.Region
	CanEdit   bool
	CanExport bool
}

func (s *Server) scoreText(x *float64) string {
	if x == nil {
		return s.Catalog.T("site.score_none")
	}
	return strconv.FormatFloat(*x, 'f', 1, 64)
}

// siteRegions lists the regions a filter offers: the ones right below the
// actor's jurisdiction.
func (s *Server) siteRegions(r *http.Request) []region.Region {
	a := actorOf(r)
	if a.Region == "" {
		return nil
	}
	list, _, err := s.Regions.Children(r.Context(), a.Region, 0, 500)
	if err != nil {
		s.Log.Warn("list regions for site filter", "err", err)
		return nil
	}
	return list
}

func (s *Server) siteList(w http.ResponseWriter, r *http.Request) error {
	a, q := actorOf(r), r.URL.Query()
	page, offset, limit := pageParams(r)
	f := siteFilter(q)
	f.Offset, f.Limit = offset, limit
	list, total, err := s.Sites.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	types, err := s.Sites.Types(r.Context(), true)
	if err != nil {
		return err
	}
	rows := make([]siteRow, len(list))
	for i, x := range list {
		rows[i] = siteRow{Site: x, ScoreText: s.scoreText(x.Score)}
	}
	s.render(w, r, http.StatusOK, "sites", "site.list_title", siteListData{
		Sites: rows, Pager: newPager(r, page, limit, total), Query: q, QueryStr: filterQuery(q), Types: types,
		Regions: s.siteRegions(r), CanEdit: site.CanWrite(a), CanExport: site.CanExport(a),
	})
	return nil
}

// filterQuery is the filter part of a query string, without the page.
func filterQuery(q url.Values) string {
	c := url.Values{}
	for _, k := range []string{"q", "type", "region", "unit", "state"} {
		if v := q.Get(k); v != "" {
			c.Set(k, v)
		}
	}
	return c.Encode()
}
