package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/site"
)

type siteMapData struct {
	QueryStr string
	Query    url.Values
	Types    []site.Type
	Regions  []region.Region
	Limit    int
}

func (s *Server) siteMap(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if !site.CanRead(a) {
		return apperr.Forbidden("site.forbidden")
	}
	types, err := s.Sites.Types(r.Context(), true)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	s.render(w, r, http.StatusOK, "site_map", "site.map_title", siteMapData{QueryStr: filterQuery(q), Query: q, Types: types,
		Regions: s.siteRegions(r), Limit: site.MaxMapSites})
	return nil
}

// siteGeoJSON serves the map's sites. Coordinates are WGS-84; when the
// basemap is GCJ-02 each feature also carries its shifted point ("view").
func (s *Server) siteGeoJSON(w http.ResponseWriter, r *http.Request) error {
	fc, err := s.Sites.Map(r.Context(), actorOf(r), siteFilter(r.URL.Query()))
	if err != nil {
		return err
	}
	if s.gcjTiles() {
		for i := range fc.Features {
			c := fc.Features[i].Geometry.Coordinates
			p := geo.WGS84ToGCJ02(geo.Point{Lng: c[0], Lat: c[1]})
			fc.Features[i].Properties.View = &[2]float64{p.Lng, p.Lat}
		}
	}
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, fc)
}

func (s *Server) gcjTiles() bool {
	return strings.EqualFold(s.Map.TileCRS, "gcj02") && s.Map.TileURL != ""
}

// viewGeometry returns a stored geometry in the basemap's coordinates.
func (s *Server) viewGeometry(g string) string {
	if !s.gcjTiles() {
		return g
	}
	var obj struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}
	if err := json.Unmarshal([]byte(g), &obj); err != nil {
		return g
	}
	obj.Coordinates = shiftCoords(obj.Coordinates)
	out, err := json.Marshal(obj)
	if err != nil {
		return g
	}
	return string(out)
}

// shiftCoords converts every [lng, lat] position in nested GeoJSON
// coordinates to GCJ-02.
func shiftCoords(v any) any {
	list, ok := v.([]any)
	if !ok {
		return v
	}
	if len(list) >= 2 {
		lng, ok1 := list[0].(float64)
		lat, ok2 := list[1].(float64)
		if ok1 && ok2 {
			p := geo.WGS84ToGCJ02(geo.Point{Lng: lng, Lat: lat})
			return []any{p.Lng, p.Lat}
		}
	}
	for i := range list {
		list[i] = shiftCoords(list[i])
	}
	return list
}
