package site

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/problem"
)

// FeatureCollection is the map of sites (一张图) as GeoJSON (RFC 7946,
// WGS-84): one Point feature per site with a place, at its representative
// point.
type FeatureCollection struct {
	Type     string    `json:"type"`
	Features []Feature `json:"features"`
}

// Feature is one site on the map.
type Feature struct {
	Type       string        `json:"type"`
	Geometry   PointGeometry `json:"geometry"`
	Properties Properties    `json:"properties"`
}

// PointGeometry is a GeoJSON Point.
type PointGeometry struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

// Properties are what a marker shows and is coloured by.
type Properties struct {
	ID           int64    `json:"id"`
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	Type         string   `json:"type"`      // the type's name
	TypeCode     string   `json:"type_code"` // the type's code
	Region       string   `json:"region"`    // the region's name
	Score        *float64 `json:"score"`     // null until inspected
	ScoreBucket  string   `json:"score_bucket"`
	OpenProblems int      `json:"open_problems"`
	ProblemLevel string   `json:"problem_bucket"`
	// View is the point in the basemap's coordinate system when that is
	// not WGS-84 (GCJ-02 tiles); the web layer fills it.
	View *[2]float64 `json:"view,omitempty"`
}

// MaxMapSites bounds the markers of one map.
const MaxMapSites = 20000

// Map returns the active sites the actor may see that match f, with a
// place, as a FeatureCollection, each with its latest score (none yet) and
// its count of open problems nearby.
func (s *Store) Map(ctx context.Context, a access.Actor, f Filter) (FeatureCollection, error) {
	if f.State == "" {
		f.State = "active"
	}
	var sites []Site
	err := s.Each(ctx, a, f, func(x Site) error {
		if x.HasPlace && len(sites) < MaxMapSites {
			sites = append(sites, x)
		}
		return nil
	})
	if err != nil {
		return FeatureCollection{}, err
	}
	counts, err := s.openProblems(ctx, sites)
	if err != nil {
		return FeatureCollection{}, err
	}
	fc := FeatureCollection{Type: "FeatureCollection", Features: make([]Feature, 0, len(sites))}
	for _, x := range sites {
		n := counts[x.ID]
		fc.Features = append(fc.Features, Feature{
			Type:     "Feature",
			Geometry: PointGeometry{Type: "Point", Coordinates: [2]float64{x.Lng, x.Lat}},
			Properties: Properties{ID: x.ID, Code: x.Code, Name: x.Name, Type: x.TypeName, TypeCode: x.TypeCode,
				Region: x.RegionName, Score: x.Score, ScoreBucket: ScoreBucket(x.Score), OpenProblems: n, ProblemLevel: ProblemBucket(n)},
		})
	}
	return fc, nil
}

// MarshalJSON keeps an empty collection's features an empty array.
func (fc FeatureCollection) MarshalJSON() ([]byte, error) {
	type plain FeatureCollection
	if fc.Features == nil {
		fc.Features = []Feature{}
	}
	if fc.Type == "" {
		fc.Type = "FeatureCollection"
	}
	return json.Marshal(plain(fc))
}

// openProblems counts, per site, the open problems within
// OpenProblemRadius of its point. Problems do not carry a site yet; until
// they do, nearness stands in. The problems inside the sites' bounding box
// are read once and binned into cells of about 100 m.
func (s *Store) openProblems(ctx context.Context, sites []Site) (map[int64]int, error) {
	out := map[int64]int{}
	if len(sites) == 0 {
		return out, nil
	}
	// 50 m is below 0.0005° of latitude, and of longitude south of 60°N.
	const margin = 0.001
	const cell = 0.001
	box := geo.BBox{MinLng: math.Inf(1), MinLat: math.Inf(1), MaxLng: math.Inf(-1), MaxLat: math.Inf(-1)}
	for _, x := range sites {
		box.MinLng, box.MaxLng = min(box.MinLng, x.Lng), max(box.MaxLng, x.Lng)
		box.MinLat, box.MaxLat = min(box.MinLat, x.Lat), max(box.MaxLat, x.Lat)
	}
	type key struct{ x, y int64 }
	cellOf := func(p geo.Point) key {
		return key{int64(math.Floor(p.Lng / cell)), int64(math.Floor(p.Lat / cell))}
	}
	bins := map[key][]geo.Point{}
	err := problem.OpenPlacesIn(ctx, s.DB, box.MinLng-margin, box.MaxLng+margin, box.MinLat-margin, box.MaxLat+margin, func(lng, lat float64) {
		p := geo.Point{Lng: lng, Lat: lat}
		k := cellOf(p)
		bins[k] = append(bins[k], p)
	})
	if err != nil {
		return nil, fmt.Errorf("open problems near sites: %w", err)
	}
	if len(bins) == 0 {
		return out, nil
	}
	for _, x := range sites {
		at := geo.Point{Lng: x.Lng, Lat: x.Lat}
		c := cellOf(at)
		n := 0
		for dx := int64(-1); dx <= 1; dx++ {
			for dy := int64(-1); dy <= 1; dy++ {
				for _, p := range bins[key{c.x + dx, c.y + dy}] {
					if geo.DistanceMeters(at, p) <= OpenProblemRadius {
						n++
					}
				}
			}
		}
		if n > 0 {
			out[x.ID] = n
		}
	}
	return out, nil
}
