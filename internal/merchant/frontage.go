package merchant

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/geo"
)

// The kinds of frontage.
const (
	FrontRadius  = "radius"  // a circle of Meters around the merchant's place
	FrontLine    = "line"    // a drawn line (the shop front) and Meters either side of it
	FrontPolygon = "polygon" // a drawn area
)

// Frontage is the stretch a merchant answers for (门前三包责任区).
type Frontage struct {
	Kind    string
	GeoJSON string  // the line or polygon as GeoJSON; "" for a radius
	Meters  float64 // the radius, or a line's half-width
	line    []geo.Point
	polygon geo.Polygon
}

// metresPerDegree is the length of a degree of latitude (and of longitude
// at the equator) on the sphere geo.DistanceMeters uses.
const metresPerDegree = geo.EarthRadius * math.Pi / 180

// maxFrontVertices bounds a drawn frontage.
const maxFrontVertices = 2000

// ParseFrontage checks a frontage: a radius in metres; a GeoJSON
// LineString with a half-width in metres; or a GeoJSON Polygon (a Feature
// holding one is accepted). meters 0 takes the kind's default.
func ParseFrontage(kind, raw string, meters float64) (Frontage, error) {
	f := Frontage{Kind: strings.TrimSpace(kind), Meters: meters}
	if f.Kind == "" {
		f.Kind = FrontRadius
	}
	if math.IsNaN(meters) || meters < 0 || meters > MaxFrontageMeters {
		return f, apperr.Invalid("merchant.frontage_meters_invalid", int(MaxFrontageMeters))
	}
	switch f.Kind {
	case FrontRadius:
		if f.Meters == 0 {
			f.Meters = DefaultRadius
		}
		return f, nil
	case FrontLine, FrontPolygon:
	default:
		return f, apperr.Invalid("merchant.frontage_kind_invalid")
	}
	data := bytes.TrimSpace([]byte(raw))
	if len(data) == 0 {
		return f, apperr.Invalid("merchant.frontage_required")
	}
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
		Geometry    json.RawMessage `json:"geometry"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		return f, apperr.Invalid("merchant.frontage_invalid")
	}
	if g.Type == "Feature" {
		if err := json.Unmarshal(g.Geometry, &g); err != nil {
			return f, apperr.Invalid("merchant.frontage_invalid")
		}
	}
	points := func(cs [][]float64) ([]geo.Point, bool) {
		out := make([]geo.Point, 0, len(cs))
		for _, c := range cs {
			if len(c) < 2 || !geo.InChina(geo.Point{Lng: c[0], Lat: c[1]}) {
				return nil, false
			}
			out = append(out, geo.Point{Lng: c[0], Lat: c[1]})
		}
		return out, len(out) <= maxFrontVertices
	}
	switch {
	case f.Kind == FrontLine && g.Type == "LineString":
		var cs [][]float64
		if err := json.Unmarshal(g.Coordinates, &cs); err != nil {
			return f, apperr.Invalid("merchant.frontage_invalid")
		}
		line, ok := points(cs)
		if !ok || len(line) < 2 {
			return f, apperr.Invalid("merchant.frontage_invalid")
		}
		if f.Meters == 0 {
			f.Meters = DefaultHalfWidth
		}
		f.line = line
		f.GeoJSON = geometryJSON("LineString", [][][2]float64{pairs(line)}[0])
	case f.Kind == FrontPolygon && g.Type == "Polygon":
		var rings [][][]float64
		if err := json.Unmarshal(g.Coordinates, &rings); err != nil || len(rings) == 0 {
			return f, apperr.Invalid("merchant.frontage_invalid")
		}
		var out [][][2]float64
		for _, r := range rings {
			ring, ok := points(r)
			if !ok || len(ring) < 4 || ring[0] != ring[len(ring)-1] {
				return f, apperr.Invalid("merchant.frontage_invalid")
			}
			f.polygon = append(f.polygon, ring)
			out = append(out, pairs(ring))
		}
		f.Meters = 0
		f.GeoJSON = geometryJSON("Polygon", out)
	default:
		return f, apperr.Invalid("merchant.frontage_invalid")
	}
	return f, nil
}

func pairs(pts []geo.Point) [][2]float64 {
	out := make([][2]float64, len(pts))
	for i, p := range pts {
		out[i] = [2]float64{p.Lng, p.Lat}
	}
	return out
}

func geometryJSON(typ string, coords any) string {
	b, _ := json.Marshal(struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}{typ, coords})
	return string(b)
}

// Contains reports whether p lies in the frontage of a merchant at place:
// within Meters of the place (radius), within Meters of the line, or in
// the polygon (edges included).
func (f Frontage) Contains(place, p geo.Point) bool {
	switch f.Kind {
	case FrontLine:
		return lineMeters(p, f.line) <= f.Meters
	case FrontPolygon:
		return f.polygon.Contains(p)
	}
	return geo.DistanceMeters(place, p) <= f.Meters
}

// BBox is a box holding the frontage of a merchant at place.
func (f Frontage) BBox(place geo.Point) geo.BBox {
	switch f.Kind {
	case FrontPolygon:
		return f.polygon.BBox()
	case FrontLine:
		b := geo.BBox{MinLng: math.Inf(1), MinLat: math.Inf(1), MaxLng: math.Inf(-1), MaxLat: math.Inf(-1)}
		for _, q := range f.line {
			b = geo.BBox{MinLng: min(b.MinLng, q.Lng), MinLat: min(b.MinLat, q.Lat), MaxLng: max(b.MaxLng, q.Lng), MaxLat: max(b.MaxLat, q.Lat)}
		}
		return grow(b, f.Meters, (b.MinLat+b.MaxLat)/2)
	}
	return grow(geo.BBox{MinLng: place.Lng, MinLat: place.Lat, MaxLng: place.Lng, MaxLat: place.Lat}, f.Meters, place.Lat)
}

// grow widens a box by m metres (and a margin for rounding) each way.
func grow(b geo.BBox, m, lat float64) geo.BBox {
	m *= 1.01
	dLat := m/metresPerDegree + geo.EdgeTolerance
	dLng := m/(metresPerDegree*math.Max(math.Cos(lat*math.Pi/180), 0.01)) + geo.EdgeTolerance
	return geo.BBox{MinLng: b.MinLng - dLng, MinLat: b.MinLat - dLat, MaxLng: b.MaxLng + dLng, MaxLat: b.MaxLat + dLat}
}

// lineMeters is the distance in metres from p to the nearest segment of
// the line, on a local equirectangular projection around p (exact to far
// below a metre over a shop front's few hundred metres).
func lineMeters(p geo.Point, line []geo.Point) float64 {
	kx := metresPerDegree * math.Cos(p.Lat*math.Pi/180)
	ky := metresPerDegree
	best := math.Inf(1)
	for i := 1; i < len(line); i++ {
		ax, ay := (line[i-1].Lng-p.Lng)*kx, (line[i-1].Lat-p.Lat)*ky
		bx, by := (line[i].Lng-p.Lng)*kx, (line[i].Lat-p.Lat)*ky
		best = min(best, segmentToOrigin(ax, ay, bx, by))
	}
	return best
}

// segmentToOrigin is the distance from (0, 0) to the segment ab.
func segmentToOrigin(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = min(max(-(ax*dx+ay*dy)/l, 0), 1)
	}
	return math.Hypot(ax+t*dx, ay+t*dy)
}

// Describe is a short text of the frontage: 半径 10 米, 沿线两侧 5 米, 划定区域.
func (f Frontage) Describe(t func(string, ...any) string) string {
	switch f.Kind {
	case FrontLine:
		return t("merchant.frontage.line_text", fmtMeters(f.Meters))
	case FrontPolygon:
		return t("merchant.frontage.polygon_text")
	}
	return t("merchant.frontage.radius_text", fmtMeters(f.Meters))
}

func fmtMeters(m float64) string { return strconv.FormatFloat(math.Round(m*10)/10, 'f', -1, 64) }

// restore rebuilds a stored frontage (already checked when stored).
func restore(kind, raw string, meters float64) Frontage {
	f, err := ParseFrontage(kind, raw, meters)
	if err != nil {
		return Frontage{Kind: FrontRadius, Meters: DefaultRadius}
	}
	return f
}

func fmtFloat(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// Outline is the frontage as GeoJSON for a map: the line, the polygon, or
// the circle as a 32-sided polygon around place.
func (f Frontage) Outline(place geo.Point) string {
	if f.GeoJSON != "" {
		return f.GeoJSON
	}
	ring := make([][2]float64, 0, 33)
	for i := range 33 {
		a := 2 * math.Pi * float64(i%32) / 32
		e, n := f.Meters*math.Cos(a), f.Meters*math.Sin(a)
		ring = append(ring, [2]float64{place.Lng + e/(metresPerDegree*math.Cos(place.Lat*math.Pi/180)), place.Lat + n/metresPerDegree})
	}
	return geometryJSON("Polygon", [][][2]float64{ring})
}
