package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/wenming-civic/wenming/internal/dashboard"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/site"
	"github.com/wenming-civic/wenming/internal/survey"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

// wallRefreshSeconds is how often the wall screen fetches its figures.
const wallRefreshSeconds = 60

// dashboardJSLabels are the texts dashboard.js writes, under
// "dashboard.js.<name>" in the catalogue.
var dashboardJSLabels = []string{
	"filed", "closed", "reported", "closure_rate", "on_time_rate", "overdue", "open", "rework_rate", "mean_hours",
	"rank", "unit", "not_ranked", "my_rank_title", "my_rank", "my_not_ranked", "my_no_rank", "no_data", "no_inspection",
	"load_failed", "signed_out", "updated", "this_round", "previous_round", "score_rate", "by_type", "by_street",
	"sites", "problems", "overdue_marker", "exit_fullscreen", "min_sample", "score", "open_near", "heat", "more_units",
}

type dashboardData struct {
	Days      int
	Periods   []int
	DataURL   string
	MapURL    string
	SitesURL  string // "" when the actor may not see sites
	Labels    string // JSON object for dashboard.js
	Refresh   int    // seconds; 0: no automatic refresh
	WallURL   string
	PageURL   string
	ScopeName string
	// Lists is the wall's 红黑榜 from the latest bulletin; nil: none yet.
	Lists *wallLists
	// Survey is the latest household survey round's 三率一度 by street;
	// nil: none the actor may read.
	Survey *survey.Results
	// Volunteer is the period's volunteering (志愿服务) beside the
	// ledger, for those who oversee an area; nil otherwise.
	Volunteer *volunteer.KPI
}

func dashboardDays(q url.Values) int {
	n, err := strconv.Atoi(q.Get("days"))
	if err != nil || !dashboard.ValidDays(n) {
		return dashboard.DefaultDays
	}
	return n
}

// dashboardShow is the dashboard page.
func (s *Server) dashboardShow(w http.ResponseWriter, r *http.Request) error {
	return s.dashboardPage(w, r, "dashboard")
}

// dashboardWall is the full-screen layout that refreshes itself.
func (s *Server) dashboardWall(w http.ResponseWriter, r *http.Request) error {
	return s.dashboardPage(w, r, "dashboard_wall")
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request, name string) error {
	a := actorOf(r)
	days := dashboardDays(r.URL.Query())
	labels := map[string]string{}
	for _, k := range dashboardJSLabels {
		labels[k] = s.Catalog.T("dashboard.js." + k)
	}
	for _, g := range dashboard.Groups() {
		labels["group."+g] = s.Catalog.T("dashboard.group." + g)
	}
	lj, err := json.Marshal(labels)
	if err != nil {
		return err
	}
	ds := strconv.Itoa(days)
	d := dashboardData{Days: days, Periods: dashboard.Periods, Labels: string(lj),
		DataURL: "/dashboard/data.json?days=" + ds, MapURL: "/dashboard/problems.geojson",
		WallURL: "/dashboard/wall?days=" + ds, PageURL: "/dashboard?days=" + ds}
	if sc := dashboard.ScopeOf(a); sc.Ranks() && site.CanRead(a) {
		d.SitesURL = "/sites/map.geojson"
	}
	if s.Surveys != nil {
		if d.Survey, err = s.Surveys.Latest(r.Context(), a); err != nil {
			return err
		}
	}
	if s.Volunteers != nil && a.Region != "" && a.Oversees(a.Region) {
		now := s.Volunteers.Now().In(s.loc)
		k, err := s.Volunteers.Figures(r.Context(), a, a.Region, now.AddDate(0, 0, 1-days).Format("2006-01-02"), now.Format("2006-01-02"))
		if err != nil {
			return err
		}
		d.Volunteer = &k
	}
	title := "dashboard.title"
	if name == "dashboard_wall" {
		d.Refresh, title = wallRefreshSeconds, "dashboard.wall_title"
		if d.Lists, err = s.latestLists(r.Context(), a); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, name, title, d)
	return nil
}

// dashboardJSON serves the actor's board as JSON, with the names the
// charts show filled in from the catalogue.
func (s *Server) dashboardJSON(w http.ResponseWriter, r *http.Request) error {
	b, err := s.dashboard.Board(r.Context(), actorOf(r), dashboardDays(r.URL.Query()))
	if err != nil {
		return err
	}
	for i := range b.Sources {
		b.Sources[i].Name = s.Catalog.T(problem.Source(b.Sources[i].Key).Key())
	}
	b.OtherCategories.Name = s.Catalog.T("dashboard.js.other_categories")
	for i := range b.Ranking {
		b.Ranking[i].Name = s.Catalog.T("dashboard.group." + b.Ranking[i].Key)
	}
	if b.MyRank != nil {
		b.MyRank.GroupName = s.Catalog.T("dashboard.group." + b.MyRank.Group)
	}
	if b.Scope.Name == "" && b.Scope.Mode == dashboard.ModeAll {
		b.Scope.Name = s.Catalog.T("dashboard.js.all")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	return writeJSON(w, b)
}

// dashboardGeoJSON serves the scope's open cases with a place, as the
// ledger map does, with whether each is overdue and, under GCJ-02 tiles,
// its shifted point ("view").
func (s *Server) dashboardGeoJSON(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	f := dashboard.ScopeOf(a).Filter()
	f.States = dashboard.OpenStates()
	now := s.Problems.Now()
	gcj := s.gcjTiles()
	features := []feature{}
	err := s.Problems.Each(r.Context(), a, f, func(c *problem.Case) error {
		if !c.HasPlace {
			return nil
		}
		if len(features) >= mapLimit {
			return errEnough
		}
		props := map[string]any{"id": c.ID, "code": c.Code, "category": c.CategoryName,
			"state": s.Catalog.T(c.State.Key()), "overdue": c.Overdue(now)}
		if gcj {
			p := geo.WGS84ToGCJ02(geo.Point{Lng: c.Lng, Lat: c.Lat})
			props["view"] = [2]float64{p.Lng, p.Lat}
		}
		features = append(features, feature{Type: "Feature", Geometry: pointGeometry{Type: "Point", Coordinates: [2]float64{c.Lng, c.Lat}},
			Properties: props})
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, map[string]any{"type": "FeatureCollection", "features": features})
}
