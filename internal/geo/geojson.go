package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// ErrGeoJSON marks a boundary that is not a usable Polygon or MultiPolygon.
var ErrGeoJSON = errors.New("invalid GeoJSON boundary")

// geoObject holds the members of the GeoJSON objects ParseGeoJSON reads.
type geoObject struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
	Geometry    json.RawMessage `json:"geometry"`
}

// ParseGeoJSON reads a Polygon or MultiPolygon geometry, or a Feature holding
// one, in WGS-84 longitude/latitude (RFC 7946). Rings must have at least four
// positions and be closed; altitudes are dropped. Errors wrap ErrGeoJSON.
func ParseGeoJSON(raw []byte) (MultiPolygon, error) {
	var obj geoObject
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrGeoJSON, err)
	}
	if obj.Type == "Feature" {
		g := bytes.TrimSpace(obj.Geometry)
		if len(g) == 0 || string(g) == "null" {
			return nil, fmt.Errorf("%w: feature has no geometry", ErrGeoJSON)
		}
		var geom geoObject
		if err := json.Unmarshal(g, &geom); err != nil {
			return nil, fmt.Errorf("%w: geometry: %w", ErrGeoJSON, err)
		}
		obj = geom
	}
	var coords [][][][]float64
	switch obj.Type {
	case "Polygon":
		var p [][][]float64
		if err := json.Unmarshal(obj.Coordinates, &p); err != nil {
			return nil, fmt.Errorf("%w: polygon coordinates: %w", ErrGeoJSON, err)
		}
		coords = [][][][]float64{p}
	case "MultiPolygon":
		if err := json.Unmarshal(obj.Coordinates, &coords); err != nil {
			return nil, fmt.Errorf("%w: multipolygon coordinates: %w", ErrGeoJSON, err)
		}
	default:
		return nil, fmt.Errorf("%w: type %q, want Polygon or MultiPolygon", ErrGeoJSON, obj.Type)
	}
	if len(coords) == 0 {
		return nil, fmt.Errorf("%w: no polygons", ErrGeoJSON)
	}
	out := make(MultiPolygon, len(coords))
	for pi, poly := range coords {
		if len(poly) == 0 {
			return nil, fmt.Errorf("%w: polygon %d has no rings", ErrGeoJSON, pi)
		}
		pg := make(Polygon, len(poly))
		for ri, ring := range poly {
			if len(ring) < 4 {
				return nil, fmt.Errorf("%w: polygon %d ring %d has %d positions, want at least 4", ErrGeoJSON, pi, ri, len(ring))
			}
			pts := make([]Point, len(ring))
			for i, pos := range ring {
				if len(pos) < 2 {
					return nil, fmt.Errorf("%w: polygon %d ring %d position %d has %d numbers", ErrGeoJSON, pi, ri, i, len(pos))
				}
				p := Point{Lng: pos[0], Lat: pos[1]}
				if p.Lng < -180 || p.Lng > 180 || p.Lat < -90 || p.Lat > 90 {
					return nil, fmt.Errorf("%w: position (%g, %g) out of range", ErrGeoJSON, p.Lng, p.Lat)
				}
				pts[i] = p
			}
			if pts[0] != pts[len(pts)-1] {
				return nil, fmt.Errorf("%w: polygon %d ring %d is not closed", ErrGeoJSON, pi, ri)
			}
			pg[ri] = pts
		}
		out[pi] = pg
	}
	return out, nil
}

// MultiPolygonJSON writes mp as a GeoJSON MultiPolygon, each coordinate
// with decimals digits after the point (six is about 0.1 m), or in full
// precision when decimals is negative.
func MultiPolygonJSON(mp MultiPolygon, decimals int) []byte {
	format := byte('f')
	if decimals < 0 {
		format = 'g'
	}
	b := make([]byte, 0, 256)
	b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
	for i, pg := range mp {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		for j, ring := range pg {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			for k, p := range ring {
				if k > 0 {
					b = append(b, ',')
				}
				b = append(b, '[')
				b = strconv.AppendFloat(b, p.Lng, format, decimals, 64)
				b = append(b, ',')
				b = strconv.AppendFloat(b, p.Lat, format, decimals, 64)
				b = append(b, ']')
			}
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	return append(b, "]}"...)
}
