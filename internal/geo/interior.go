package geo

import "slices"

// InteriorPoint returns a point inside the shape, well away from its edges
// where it can: on the horizontal line through the middle of the largest
// polygon's box, the middle of the widest stretch that lies inside. For a
// convex-ish shape that is close to its centre; unlike the centroid it is
// inside an L- or U-shaped one too. It is false for an empty shape.
func InteriorPoint(mp MultiPolygon) (Point, bool) {
	var best Polygon
	for _, pg := range mp {
		if best == nil || pg.BBox().Area() > best.BBox().Area() {
			best = pg
		}
	}
	if best == nil || len(best) == 0 || len(best[0]) < 3 {
		return Point{}, false
	}
	b := best.BBox()
	lat := (b.MinLat + b.MaxLat) / 2
	var xs []float64
	for _, ring := range best {
		a := ring[len(ring)-1]
		for _, c := range ring {
			if (a.Lat > lat) != (c.Lat > lat) {
				xs = append(xs, a.Lng+(lat-a.Lat)*(c.Lng-a.Lng)/(c.Lat-a.Lat))
			}
			a = c
		}
	}
	slices.Sort(xs)
	// Even-odd: [xs[0], xs[1]], [xs[2], xs[3]] … lie inside.
	p, width := Point{}, -1.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > width {
			p, width = Point{Lng: (xs[i] + xs[i+1]) / 2, Lat: lat}, w
		}
	}
	if width < 0 {
		return Point{}, false
	}
	return p, true
}
