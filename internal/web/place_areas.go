package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"sync"

	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/region"
)

// The base layer is served in three bands of detail: the district and its
// streets when zoomed out, the communities from zoom 13, the grids from
// zoom 15. Each band's outlines are simplified to about a pixel of its
// least zoom, so a city's thousands of grids do not travel to a phone
// that cannot draw them apart.
var areaBands = [...]struct {
	minZoom int
	deepest region.Level
}{{0, region.Street}, {13, region.Community}, {15, region.Grid}}

func areaBand(z int) int {
	b := 0
	for i, x := range areaBands {
		if z >= x.minZoom {
			b = i
		}
	}
	return b
}

// areaCache keeps each band's encoded outlines until the stored boundaries
// change (region.BoundaryRevision).
type areaCache struct {
	mu      sync.Mutex
	entries [len(areaBands)]areaEntry
}

type areaEntry struct {
	rev, etag string
	body      []byte
}

type areaFeature struct {
	Type       string          `json:"type"`
	Properties areaProps       `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

type areaProps struct {
	Code  string     `json:"code"`
	Name  string     `json:"name"`
	Level int        `json:"level"`
	Label [2]float64 `json:"label"` // where the name is written, inside the area
}

// placeAreas serves the outlines and names of the deployment's areas as a
// GeoJSON FeatureCollection, in the basemap's coordinates (shifted to
// GCJ-02 under AMap tiles), with an ETag: a browser asks again with
// If-None-Match and gets 304 until a boundary changes. Division names and
// limits are public, so the public form's map asks it too.
func (s *Server) placeAreas(w http.ResponseWriter, r *http.Request) error {
	z, _ := strconv.Atoi(r.URL.Query().Get("z"))
	band := areaBand(z)
	rev, err := region.BoundaryRevision(r.Context(), s.Regions.DB)
	if err != nil {
		return err
	}
	rev += "|" + strconv.FormatBool(s.gcjTiles())
	s.areas.mu.Lock()
	e := s.areas.entries[band]
	s.areas.mu.Unlock()
	if e.body == nil || e.rev != rev {
		body, err := s.encodeAreas(r, band)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(append([]byte(rev+"|"), body...))
		e = areaEntry{rev: rev, etag: `"a` + strconv.Itoa(band) + "-" + hex.EncodeToString(sum[:12]) + `"`, body: body}
		s.areas.mu.Lock()
		s.areas.entries[band] = e
		s.areas.mu.Unlock()
	}
	w.Header().Set("ETag", e.etag)
	// Cached, but asked again every time: a changed boundary shows at once.
	w.Header().Set("Cache-Control", "no-cache")
	if match := r.Header.Get("If-None-Match"); match != "" && match == e.etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	_, err = w.Write(e.body)
	return err
}

func (s *Server) encodeAreas(r *http.Request, band int) ([]byte, error) {
	list, err := region.Outlines(r.Context(), s.Regions.DB, areaBands[band].deepest)
	if err != nil {
		return nil, err
	}
	// About one pixel at the band's least zoom, in degrees.
	tol := 360 / (256 * math.Pow(2, float64(max(areaBands[band].minZoom, 11))))
	gcj := s.gcjTiles()
	features := make([]areaFeature, 0, len(list))
	for _, o := range list {
		mp, err := geo.ParseGeoJSON([]byte(o.GeoJSON))
		if err != nil {
			continue // geo.LoadIndex leaves it out too; the grid page shows it
		}
		label, _ := geo.InteriorPoint(mp)
		mp = geo.Simplify(mp, tol)
		if gcj {
			mp = shiftShape(mp)
			label = geo.WGS84ToGCJ02(label)
		}
		features = append(features, areaFeature{Type: "Feature", Geometry: shapeJSON(mp),
			Properties: areaProps{Code: o.Code, Name: o.Name, Level: int(o.Level), Label: [2]float64{round6(label.Lng), round6(label.Lat)}}})
	}
	return json.Marshal(map[string]any{"type": "FeatureCollection", "features": features})
}

func shiftShape(mp geo.MultiPolygon) geo.MultiPolygon {
	out := make(geo.MultiPolygon, len(mp))
	for i, pg := range mp {
		out[i] = make(geo.Polygon, len(pg))
		for j, ring := range pg {
			out[i][j] = make([]geo.Point, len(ring))
			for k, p := range ring {
				out[i][j][k] = geo.WGS84ToGCJ02(p)
			}
		}
	}
	return out
}

// shapeJSON writes a MultiPolygon with six decimals (about 0.1 m).
func shapeJSON(mp geo.MultiPolygon) json.RawMessage { return geo.MultiPolygonJSON(mp, 6) }

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
