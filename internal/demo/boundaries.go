package demo

import (
	"context"
	"fmt"
	"math"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/region"
)

// The demo's boundaries are illustrative — the real community limits are
// not published — but they nest as the real ones do: the district is cut
// into its streets and each street into its communities, so a place found
// in a community is in that community's street. Everything is cut on one
// lattice: every outline runs along lattice lines and has a vertex at
// every lattice point it passes, so neighbours share their vertices
// exactly and a community is exactly a union of cells of its street. A
// smooth warp of the whole lattice then bends the straight cuts into
// plausible, wavy limits without breaking either property.
const (
	lattice = 96    // cells along each side of the district
	spanLng = 0.14  // degrees; about 13 km at 33.7°N
	spanLat = 0.11  // degrees; about 12 km
	warpAmp = 0.035 // of the side; small enough for the warp to stay one-to-one
)

// cellRect is a rectangle of lattice cells, [I0, I1) × [J0, J1).
type cellRect struct{ I0, J0, I1, J1 int }

// Layout is the generated outline of the district, its streets and their
// communities, by region code.
type Layout struct {
	District geo.MultiPolygon
	Areas    map[string]geo.MultiPolygon
}

// DrawLayout cuts the district into the streets and each street into its
// communities, in code order, each part's size by its number of
// communities. It depends only on the streets given.
func DrawLayout(streets []Street) (Layout, error) {
	out := Layout{District: geo.MultiPolygon{{ringOf(cellRect{0, 0, lattice, lattice})}}, Areas: map[string]geo.MultiPolygon{}}
	weights := make([]int, len(streets))
	for i, st := range streets {
		// A street's share grows with its communities; one more keeps
		// small townships from being slivers.
		weights[i] = len(st.Communities) + 1
	}
	parts, err := cut(cellRect{0, 0, lattice, lattice}, weights)
	if err != nil {
		return Layout{}, fmt.Errorf("demo layout: %w", err)
	}
	for i, st := range streets {
		out.Areas[st.Code] = geo.MultiPolygon{{ringOf(parts[i])}}
		if len(st.Communities) == 0 {
			continue
		}
		ones := make([]int, len(st.Communities))
		for k := range ones {
			ones[k] = 1
		}
		cs, err := cut(parts[i], ones)
		if err != nil {
			return Layout{}, fmt.Errorf("demo layout of %s: %w", st.Code, err)
		}
		for k, c := range st.Communities {
			out.Areas[c.Code] = geo.MultiPolygon{{ringOf(cs[k])}}
		}
	}
	return out, nil
}

// cut splits r into len(weights) rectangles in order, by recursive
// bisection along the longer side, so consecutive codes stay neighbours.
func cut(r cellRect, weights []int) ([]cellRect, error) {
	if len(weights) == 1 {
		return []cellRect{r}, nil
	}
	total := 0
	for _, w := range weights {
		total += w
	}
	k, left, best := 1, 0, math.Inf(1)
	acc := 0
	for i := 1; i < len(weights); i++ {
		acc += weights[i-1]
		if d := math.Abs(float64(acc) - float64(total)/2); d < best {
			k, left, best = i, acc, d
		}
	}
	w, h := r.I1-r.I0, r.J1-r.J0
	var a, b cellRect
	switch {
	case w >= h && w >= 2:
		c := r.I0 + min(max(int(math.Round(float64(w)*float64(left)/float64(total))), 1), w-1)
		a, b = cellRect{r.I0, r.J0, c, r.J1}, cellRect{c, r.J0, r.I1, r.J1}
	case h >= 2:
		c := r.J0 + min(max(int(math.Round(float64(h)*float64(left)/float64(total))), 1), h-1)
		a, b = cellRect{r.I0, r.J0, r.I1, c}, cellRect{r.I0, c, r.I1, r.J1}
	default:
		return nil, fmt.Errorf("%d areas do not fit in %d×%d cells", len(weights), w, h)
	}
	first, err := cut(a, weights[:k])
	if err != nil {
		return nil, err
	}
	second, err := cut(b, weights[k:])
	if err != nil {
		return nil, err
	}
	return append(first, second...), nil
}

// ringOf is the closed outline of r through every
// lattice point on its edge.
func ringOf(r cellRect) []geo.Point {
	var ring []geo.Point
	for i := r.I0; i < r.I1; i++ {
		ring = append(ring, latticePoint(i, r.J0))
	}
	for j := r.J0; j < r.J1; j++ {
		ring = append(ring, latticePoint(r.I1, j))
	}
	for i := r.I1; i > r.I0; i-- {
		ring = append(ring, latticePoint(i, r.J1))
	}
	for j := r.J1; j > r.J0; j-- {
		ring = append(ring, latticePoint(r.I0, j))
	}
	return append(ring, ring[0])
}

// latticePoint is lattice point (i, j) warped and placed on the district,
// row 0 in the north, where the first streets (马庄街道) lie.
// The warp keeps the square's edges where they are and moves the inside
// by a few percent; its Jacobian stays positive, so it folds nothing.
func latticePoint(i, j int) geo.Point {
	u, v := float64(i)/lattice, float64(j)/lattice
	x := u + warpAmp*math.Sin(math.Pi*u)*math.Sin(2*math.Pi*1.3*v+0.7)
	y := v + warpAmp*math.Sin(math.Pi*v)*math.Sin(2*math.Pi*1.1*u+1.9)
	c := Center()
	return geo.Point{Lng: c.Lng - spanLng/2 + x*spanLng, Lat: c.Lat + spanLat/2 - y*spanLat}
}

// drawBoundaries gives the district, its streets and their communities the
// generated nested outlines where they have none, and returns how many it
// drew.
func drawBoundaries(ctx context.Context, d *db.DB, streets []Street) (int, error) {
	lay, err := DrawLayout(streets)
	if err != nil {
		return 0, err
	}
	type one struct {
		code  string
		shape geo.MultiPolygon
	}
	list := []one{{District, lay.District}}
	for _, st := range streets {
		list = append(list, one{st.Code, lay.Areas[st.Code]})
		for _, c := range st.Communities {
			list = append(list, one{c.Code, lay.Areas[c.Code]})
		}
	}
	drawn := 0
	// One transaction: a commit per area costs more than the writes.
	err = d.InTx(ctx, func(tx *db.Tx) error {
		for _, x := range list {
			b := x.shape.BBox()
			set, err := region.SetBoundaryIfMissing(ctx, tx, x.code, BoundaryJSON(x.shape), b.MinLng, b.MinLat, b.MaxLng, b.MaxLat)
			if err != nil {
				return err
			}
			if set {
				drawn++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return drawn, nil
}
