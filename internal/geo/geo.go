// Package geo answers "where is this point": planar geometry on WGS-84
// longitude/latitude, a spatial index that finds the smallest region (grid,
// community, street …) containing a point, the loader that builds it from
// the region table, and the coordinate helpers the edges need (GCJ-02 for
// Chinese basemaps, distances).
//
// Geometry is planar in degrees. That is exact enough for point-in-polygon
// at grid scale (hundreds of metres), where the curvature of an edge between
// two drawn vertices is far below the accuracy of a phone's GPS.
package geo

import "math"

// Point is a WGS-84 (or, where a function says so, GCJ-02) position in
// decimal degrees.
type Point struct {
	Lng, Lat float64
}

// BBox is an axis-aligned box in degrees; the edges belong to the box.
type BBox struct {
	MinLng, MinLat, MaxLng, MaxLat float64
}

// emptyBBox is the identity of union: it contains and intersects nothing.
func emptyBBox() BBox {
	return BBox{MinLng: math.Inf(1), MinLat: math.Inf(1), MaxLng: math.Inf(-1), MaxLat: math.Inf(-1)}
}

// IsEmpty reports whether b holds no point (the box of an empty shape).
func (b BBox) IsEmpty() bool { return b.MinLng > b.MaxLng || b.MinLat > b.MaxLat }

// Contains reports whether p lies in b, edges included.
func (b BBox) Contains(p Point) bool {
	return p.Lng >= b.MinLng && p.Lng <= b.MaxLng && p.Lat >= b.MinLat && p.Lat <= b.MaxLat
}

// Intersects reports whether b and o share at least one point; boxes that
// only touch intersect.
func (b BBox) Intersects(o BBox) bool {
	return b.MinLng <= o.MaxLng && o.MinLng <= b.MaxLng && b.MinLat <= o.MaxLat && o.MinLat <= b.MaxLat
}

// Area is the box's area in square degrees (0 for an empty box); it only
// ranks boxes by size.
func (b BBox) Area() float64 {
	if b.IsEmpty() {
		return 0
	}
	return (b.MaxLng - b.MinLng) * (b.MaxLat - b.MinLat)
}

// union returns the smallest box holding b and o.
func (b BBox) union(o BBox) BBox {
	return BBox{
		MinLng: min(b.MinLng, o.MinLng), MinLat: min(b.MinLat, o.MinLat),
		MaxLng: max(b.MaxLng, o.MaxLng), MaxLat: max(b.MaxLat, o.MaxLat),
	}
}

// extend returns b grown to hold p.
func (b BBox) extend(p Point) BBox {
	return BBox{
		MinLng: min(b.MinLng, p.Lng), MinLat: min(b.MinLat, p.Lat),
		MaxLng: max(b.MaxLng, p.Lng), MaxLat: max(b.MaxLat, p.Lat),
	}
}

// Polygon is an outer ring followed by zero or more holes. Rings may be
// closed (first point repeated last, as in GeoJSON) or open; either way the
// last point connects back to the first. Orientation does not matter.
type Polygon [][]Point

// MultiPolygon is a set of polygons; a point is in it when it is in any of
// them.
type MultiPolygon []Polygon

// EdgeTolerance is how far, in degrees (about 0.1 mm), a point may be from a
// ring and still count as on it. Exact collinearity is not reliable in
// floating point: the midpoint of an edge, computed, can miss the edge by an
// ulp and would then fall in or out by chance.
const EdgeTolerance = 1e-9

// Contains reports whether p is inside the polygon, by the even-odd rule
// over all its rings (so a point in a hole is outside).
//
// Boundary rule: a point within EdgeTolerance of any ring — outer edge,
// vertex or the edge of a hole — is inside; the polygon is a closed set. So
// a point on the edge shared by two neighbouring grids is in both, never in
// neither, and Index.Locate breaks that tie the same way every time. The
// usual half-open rule of ray casting would give such a point to exactly
// one neighbour, but which one depends on edge direction and rounding, and a
// point on the outer edge of a lone area could fall outside it.
func (pg Polygon) Contains(p Point) bool {
	if len(pg) == 0 || len(pg[0]) < 3 {
		return false
	}
	inside := false
	for _, ring := range pg {
		in, onEdge := ringTest(ring, p)
		if onEdge {
			return true
		}
		if in {
			inside = !inside
		}
	}
	return inside
}

// ringTest casts a ray from p towards +Lng and reports whether it crosses
// the ring an odd number of times, or that p lies on the ring.
func ringTest(ring []Point, p Point) (odd, onEdge bool) {
	n := len(ring)
	if n == 0 {
		return false, false
	}
	a := ring[n-1]
	for _, b := range ring {
		// On-edge test first, and only when p is near the edge's box: it
		// decides ties that the crossing count would settle arbitrarily.
		if p.Lng >= min(a.Lng, b.Lng)-EdgeTolerance && p.Lng <= max(a.Lng, b.Lng)+EdgeTolerance &&
			p.Lat >= min(a.Lat, b.Lat)-EdgeTolerance && p.Lat <= max(a.Lat, b.Lat)+EdgeTolerance {
			dx, dy := b.Lng-a.Lng, b.Lat-a.Lat
			cross := dx*(p.Lat-a.Lat) - dy*(p.Lng-a.Lng)
			if math.Abs(cross) <= EdgeTolerance*math.Hypot(dx, dy) {
				return false, true
			}
		}
		// Half-open in latitude, so a ray through a vertex counts the two
		// edges meeting there once between them, not twice or never.
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) {
			x := a.Lng + (p.Lat-a.Lat)*(b.Lng-a.Lng)/(b.Lat-a.Lat)
			if p.Lng < x {
				odd = !odd
			}
		}
		a = b
	}
	return odd, false
}

// BBox is the box around the polygon's outer ring (holes lie inside it).
func (pg Polygon) BBox() BBox {
	b := emptyBBox()
	if len(pg) == 0 {
		return b
	}
	for _, p := range pg[0] {
		b = b.extend(p)
	}
	return b
}

// Contains reports whether p is in any of the polygons, by Polygon.Contains.
func (mp MultiPolygon) Contains(p Point) bool {
	for _, pg := range mp {
		if pg.Contains(p) {
			return true
		}
	}
	return false
}

// BBox is the box around all the polygons; empty (IsEmpty) for no polygons.
func (mp MultiPolygon) BBox() BBox {
	b := emptyBBox()
	for _, pg := range mp {
		b = b.union(pg.BBox())
	}
	return b
}
