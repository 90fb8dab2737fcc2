package region

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/wenming-civic/wenming/internal/apperr"
)

// maxPositions bounds the size of one grid boundary; a hand-drawn grid has
// tens of points, a traced one a few thousand.
const maxPositions = 100_000

// boundary is a validated grid outline: the normalised geometry JSON and
// its bounding box.
type boundary struct {
	geometry                       string
	minLng, minLat, maxLng, maxLat float64
}

// geoObject holds the members of any GeoJSON object this package reads.
type geoObject struct {
	Type        string            `json:"type"`
	Coordinates json.RawMessage   `json:"coordinates"`
	Geometry    json.RawMessage   `json:"geometry"`
	Properties  json.RawMessage   `json:"properties"`
	Features    []json.RawMessage `json:"features"`
}

// isNull reports whether raw is absent or JSON null.
func isNull(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// parseBoundary validates a Polygon or MultiPolygon geometry, or a Feature
// holding one, in WGS-84 longitude/latitude. Errors are *apperr.Error with
// region.geojson.* codes.
func parseBoundary(raw []byte) (boundary, error) {
	var obj geoObject
	if err := json.Unmarshal(raw, &obj); err != nil {
		return boundary{}, apperr.Invalid("region.geojson.invalid")
	}
	if obj.Type == "Feature" {
		if isNull(obj.Geometry) {
			return boundary{}, apperr.Invalid("region.geojson.no_geometry")
		}
		var geom geoObject
		if err := json.Unmarshal(obj.Geometry, &geom); err != nil {
			return boundary{}, apperr.Invalid("region.geojson.invalid")
		}
		obj = geom
	}
	return parseGeometry(obj)
}

func parseGeometry(obj geoObject) (boundary, error) {
	var polys [][][][]float64
	switch obj.Type {
	case "Polygon":
		var p [][][]float64
		if err := json.Unmarshal(obj.Coordinates, &p); err != nil {
			return boundary{}, apperr.Invalid("region.geojson.bad_coordinates")
		}
		polys = [][][][]float64{p}
	case "MultiPolygon":
		if err := json.Unmarshal(obj.Coordinates, &polys); err != nil {
			return boundary{}, apperr.Invalid("region.geojson.bad_coordinates")
		}
	default:
		return boundary{}, apperr.Invalid("region.geojson.bad_type", obj.Type)
	}
	if len(polys) == 0 {
		return boundary{}, apperr.Invalid("region.geojson.empty")
	}
	b := boundary{minLng: math.Inf(1), minLat: math.Inf(1), maxLng: math.Inf(-1), maxLat: math.Inf(-1)}
	n := 0
	for pi, poly := range polys {
		if len(poly) == 0 {
			return boundary{}, apperr.Invalid("region.geojson.empty")
		}
		for ri, ring := range poly {
			if len(ring) < 4 {
				return boundary{}, apperr.Invalid("region.geojson.ring_too_short", len(ring))
			}
			for i, pos := range ring {
				if len(pos) < 2 {
					return boundary{}, apperr.Invalid("region.geojson.bad_coordinates")
				}
				lng, lat := pos[0], pos[1]
				if lng < -180 || lng > 180 || lat < -90 || lat > 90 {
					return boundary{}, apperr.Invalid("region.geojson.out_of_range", lng, lat)
				}
				// Altitude, if any, is dropped: a grid is drawn on the map.
				ring[i] = pos[:2]
				b.minLng, b.maxLng = min(b.minLng, lng), max(b.maxLng, lng)
				b.minLat, b.maxLat = min(b.minLat, lat), max(b.maxLat, lat)
			}
			first, last := ring[0], ring[len(ring)-1]
			if first[0] != last[0] || first[1] != last[1] {
				return boundary{}, apperr.Invalid("region.geojson.ring_not_closed")
			}
			n += len(ring)
			if n > maxPositions {
				return boundary{}, apperr.Invalid("region.geojson.too_many_points", maxPositions)
			}
			poly[ri] = ring
		}
		polys[pi] = poly
	}
	geom := struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}{"MultiPolygon", polys}
	if obj.Type == "Polygon" {
		geom.Type, geom.Coordinates = "Polygon", polys[0]
	}
	out, err := json.Marshal(geom)
	if err != nil {
		return boundary{}, fmt.Errorf("encode boundary: %w", err)
	}
	b.geometry = string(out)
	return b, nil
}
