package geo

import "math"

// Simplify drops the vertices of every ring that lie within tol degrees of
// the line through their kept neighbours (Douglas–Peucker), for drawing a
// shape at a zoom where they would be less than a pixel apart. A ring
// keeps at least four positions (a closed triangle); tol <= 0 returns the
// shape unchanged.
func Simplify(mp MultiPolygon, tol float64) MultiPolygon {
	if tol <= 0 {
		return mp
	}
	out := make(MultiPolygon, 0, len(mp))
	for _, pg := range mp {
		np := make(Polygon, 0, len(pg))
		for _, ring := range pg {
			np = append(np, simplifyRing(ring, tol))
		}
		out = append(out, np)
	}
	return out
}

func simplifyRing(ring []Point, tol float64) []Point {
	n := len(ring)
	if n <= 4 {
		return ring
	}
	keep := make([]bool, n)
	keep[0], keep[n-1] = true, true
	// A closed ring's two ends are the same point: split it at the vertex
	// farthest from the start so that both halves have a real chord.
	far, best := 0, -1.0
	for i := 1; i < n-1; i++ {
		dx, dy := ring[i].Lng-ring[0].Lng, ring[i].Lat-ring[0].Lat
		if d := dx*dx + dy*dy; d > best {
			far, best = i, d
		}
	}
	keep[far] = true
	type span struct{ a, b int }
	stack := []span{{0, far}, {far, n - 1}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		idx, dmax := -1, tol
		for i := s.a + 1; i < s.b; i++ {
			if d := segmentDistance(ring[i], ring[s.a], ring[s.b]); d > dmax {
				idx, dmax = i, d
			}
		}
		if idx >= 0 {
			keep[idx] = true
			stack = append(stack, span{s.a, idx}, span{idx, s.b})
		}
	}
	out := make([]Point, 0, n)
	for i, p := range ring {
		if keep[i] {
			out = append(out, p)
		}
	}
	if len(out) < 4 {
		return ring
	}
	return out
}

// segmentDistance is the planar distance in degrees from p to segment ab.
func segmentDistance(p, a, b Point) float64 {
	dx, dy := b.Lng-a.Lng, b.Lat-a.Lat
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = min(max(((p.Lng-a.Lng)*dx+(p.Lat-a.Lat)*dy)/l, 0), 1)
	}
	ex, ey := p.Lng-(a.Lng+t*dx), p.Lat-(a.Lat+t*dy)
	return math.Hypot(ex, ey)
}
