package site

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/geo"
)

// The kinds of place a site may have. A road or an alley is a line, a
// park, square or compound an area, everything else a point.
const (
	GeomPoint      = "Point"
	GeomLineString = "LineString"
	GeomPolygon    = "Polygon"
)

// Limits of a stored place.
const (
	maxGeometryBytes = 1 << 20
	maxPositions     = 20000
)

// Place is a validated site geometry: the normalised GeoJSON, its kind, the
// representative point (where the marker goes and what locates the region)
// and its bounding box.
type Place struct {
	Type     string
	GeoJSON  string
	Point    geo.Point
	BBox     geo.BBox
	Vertices int
}

// PointGeoJSON is the GeoJSON of a point site.
func PointGeoJSON(lng, lat float64) string {
	return `{"type":"Point","coordinates":[` + fmtCoord(lng) + `,` + fmtCoord(lat) + `]}`
}

func fmtCoord(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

type rawGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
	Geometry    json.RawMessage `json:"geometry"`
}

// ParsePlace validates a site's place: a GeoJSON Point, LineString or
// Polygon (or a Feature holding one) in WGS-84 longitude/latitude, every
// position inside China. Altitudes and properties are dropped.
//
// The representative point is the point itself; for a line, the point half
// way along it (so it lies on the road); for a polygon, the centroid of its
// outer ring when that lies inside the polygon, else the ring's first
// vertex.
func ParsePlace(raw string) (Place, error) {
	data := bytes.TrimSpace([]byte(raw))
	if len(data) > maxGeometryBytes {
		return Place{}, apperr.Invalid("site.geometry_too_large")
	}
	var g rawGeometry
	if err := json.Unmarshal(data, &g); err != nil {
		return Place{}, invalidGeometry(err)
	}
	if g.Type == "Feature" {
		inner := bytes.TrimSpace(g.Geometry)
		if len(inner) == 0 || string(inner) == "null" {
			return Place{}, apperr.Invalid("site.geometry_invalid")
		}
		g = rawGeometry{}
		if err := json.Unmarshal(inner, &g); err != nil {
			return Place{}, invalidGeometry(err)
		}
	}
	var p Place
	p.Type = g.Type
	switch g.Type {
	case GeomPoint:
		var c []float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil || len(c) < 2 {
			return Place{}, invalidGeometry(err)
		}
		pt := geo.Point{Lng: c[0], Lat: c[1]}
		if err := checkPosition(pt); err != nil {
			return Place{}, err
		}
		p.Point, p.Vertices = pt, 1
		p.BBox = geo.BBox{MinLng: pt.Lng, MinLat: pt.Lat, MaxLng: pt.Lng, MaxLat: pt.Lat}
		p.GeoJSON = PointGeoJSON(pt.Lng, pt.Lat)
	case GeomLineString:
		var cs [][]float64
		if err := json.Unmarshal(g.Coordinates, &cs); err != nil {
			return Place{}, invalidGeometry(err)
		}
		line, err := positions(cs)
		if err != nil {
			return Place{}, err
		}
		if len(line) < 2 {
			return Place{}, apperr.Invalid("site.geometry_line_short")
		}
		p.Point, p.BBox, p.Vertices = alongHalf(line), bboxOf(line), len(line)
		p.GeoJSON = encode(GeomLineString, toPairs(line))
	case GeomPolygon:
		var rings [][][]float64
		if err := json.Unmarshal(g.Coordinates, &rings); err != nil || len(rings) == 0 {
			return Place{}, invalidGeometry(err)
		}
		poly := make(geo.Polygon, 0, len(rings))
		out := make([][][2]float64, 0, len(rings))
		for _, r := range rings {
			ring, err := positions(r)
			if err != nil {
				return Place{}, err
			}
			if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
				return Place{}, apperr.Invalid("site.geometry_ring_invalid")
			}
			p.Vertices += len(ring)
			poly = append(poly, ring)
			out = append(out, toPairs(ring))
		}
		p.BBox = bboxOf(poly[0])
		p.Point = poly[0][0]
		if c, ok := centroid(poly[0]); ok && poly.Contains(c) {
			p.Point = c
		}
		p.GeoJSON = encode(GeomPolygon, out)
	default:
		return Place{}, apperr.Invalid("site.geometry_type", g.Type)
	}
	if p.Vertices > maxPositions {
		return Place{}, apperr.Invalid("site.geometry_too_large")
	}
	return p, nil
}

func invalidGeometry(cause error) error {
	e := apperr.Invalid("site.geometry_invalid")
	e.Err = cause
	return e
}

func checkPosition(p geo.Point) error {
	if math.IsNaN(p.Lng) || math.IsNaN(p.Lat) || math.IsInf(p.Lng, 0) || math.IsInf(p.Lat, 0) || !geo.InChina(p) {
		return apperr.Invalid("site.outside_china", fmtCoord(p.Lng), fmtCoord(p.Lat))
	}
	return nil
}

func positions(cs [][]float64) ([]geo.Point, error) {
	if len(cs) > maxPositions {
		return nil, apperr.Invalid("site.geometry_too_large")
	}
	out := make([]geo.Point, len(cs))
	for i, c := range cs {
		if len(c) < 2 {
			return nil, apperr.Invalid("site.geometry_invalid")
		}
		out[i] = geo.Point{Lng: c[0], Lat: c[1]}
		if err := checkPosition(out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func toPairs(pts []geo.Point) [][2]float64 {
	out := make([][2]float64, len(pts))
	for i, p := range pts {
		out[i] = [2]float64{p.Lng, p.Lat}
	}
	return out
}

func encode(typ string, coords any) string {
	b, _ := json.Marshal(struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}{typ, coords})
	return string(b)
}

func bboxOf(pts []geo.Point) geo.BBox {
	b := geo.BBox{MinLng: math.Inf(1), MinLat: math.Inf(1), MaxLng: math.Inf(-1), MaxLat: math.Inf(-1)}
	for _, p := range pts {
		b.MinLng, b.MaxLng = min(b.MinLng, p.Lng), max(b.MaxLng, p.Lng)
		b.MinLat, b.MaxLat = min(b.MinLat, p.Lat), max(b.MaxLat, p.Lat)
	}
	return b
}

// alongHalf is the point half way along a line, measured in metres.
func alongHalf(line []geo.Point) geo.Point {
	total := 0.0
	seg := make([]float64, len(line)-1)
	for i := 1; i < len(line); i++ {
		seg[i-1] = geo.DistanceMeters(line[i-1], line[i])
		total += seg[i-1]
	}
	if total == 0 {
		return line[0]
	}
	half := total / 2
	for i, d := range seg {
		if half <= d && d > 0 {
			f := half / d
			a, b := line[i], line[i+1]
			return geo.Point{Lng: a.Lng + f*(b.Lng-a.Lng), Lat: a.Lat + f*(b.Lat-a.Lat)}
		}
		half -= d
	}
	return line[len(line)-1]
}

// centroid is the area centroid of a ring (planar, in degrees: exact enough
// at the scale of a park or a compound).
func centroid(ring []geo.Point) (geo.Point, bool) {
	var a, cx, cy float64
	o := ring[0] // shifted to the first vertex for precision
	for i := 0; i+1 < len(ring); i++ {
		x0, y0 := ring[i].Lng-o.Lng, ring[i].Lat-o.Lat
		x1, y1 := ring[i+1].Lng-o.Lng, ring[i+1].Lat-o.Lat
		cross := x0*y1 - x1*y0
		a += cross
		cx += (x0 + x1) * cross
		cy += (y0 + y1) * cross
	}
	if math.Abs(a) < 1e-18 {
		return geo.Point{}, false
	}
	return geo.Point{Lng: o.Lng + cx/(3*a), Lat: o.Lat + cy/(3*a)}, true
}
