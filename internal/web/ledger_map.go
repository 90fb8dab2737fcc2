package web

import (
	"errors"
	"net/http"

	"github.com/wenming-civic/wenming/internal/problem"
)

// mapLimit bounds the markers of one map; past it the page says so and the
// office narrows the filter.
const mapLimit = 20000

type mapData struct {
	QueryStr string
	Limit    int
}

func (s *Server) ledgerMap(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "ledger_map", "ledger.map", mapData{QueryStr: r.URL.RawQuery, Limit: mapLimit})
	return nil
}

type feature struct {
	Type       string         `json:"type"`
	Geometry   pointGeometry  `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type pointGeometry struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

var errEnough = errors.New("enough markers")

// ledgerGeoJSON returns the filtered cases with a position as a GeoJSON
// FeatureCollection (WGS-84) for the map.
func (s *Server) ledgerGeoJSON(w http.ResponseWriter, r *http.Request) error {
	f := ledgerFilter(r.URL.Query(), s.loc)
	features := []feature{}
	err := s.Problems.Each(r.Context(), actorOf(r), f, func(c *problem.Case) error {
		if !c.HasPlace {
			return nil
		}
		if len(features) >= mapLimit {
			return errEnough
		}
		features = append(features, feature{Type: "Feature", Geometry: pointGeometry{Type: "Point", Coordinates: [2]float64{c.Lng, c.Lat}},
			Properties: map[string]any{"id": c.ID, "code": c.Code, "category": c.CategoryName, "state": s.Catalog.T(c.State.Key())}})
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, map[string]any{"type": "FeatureCollection", "features": features})
}
