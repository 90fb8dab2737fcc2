package geo

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// GridsPerCommunity is how many consecutive SyntheticGrids share a
// community code.
const GridsPerCommunity = 100

// SyntheticGrids returns n grid areas (level 6) that tile the square of side
// spanDeg centred on center with no gaps and no overlaps, for tests and
// benchmarks in any package. The cells are irregular polygons of 8 to about
// 16 vertices: rows separated by wavy lines, cut by slanted, kinked
// dividers; neighbours share their vertices exactly. The result depends only
// on the arguments.
//
// Codes are 15-digit grid codes under district 410411, numbered along a
// Hilbert curve so that each run of GridsPerCommunity grids, which share a
// 12-digit community code (410411SSSCCCGGG), is a compact block: code[:12]
// groups a community's grids. Codes stay 15 digits for n below 9,990,000.
func SyntheticGrids(seed int64, n int, center Point, spanDeg float64) []Area {
	if n <= 0 || !(spanDeg > 0) {
		return nil
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	rows := min(n, max(1, int(math.Round(math.Sqrt(float64(n))))))
	base, extra := n/rows, n%rows
	cols := make([]int, rows)
	for r := range cols {
		cols[r] = base
		if r < extra {
			cols[r]++
		}
	}
	rowH := spanDeg / float64(rows)
	cwMin := spanDeg / float64(cols[0])

	// Row boundary j is the line v = j·rowH + wave_j(u). Two sines of
	// random phase keep it smooth: its slope stays below that of any
	// divider leaving it, so dividers and boundaries never cross.
	type wave struct{ p1, p2 float64 }
	waves := make([]wave, rows+1)
	for j := range waves {
		waves[j] = wave{rng.Float64() * 2 * math.Pi, rng.Float64() * 2 * math.Pi}
	}
	lineV := func(j int, u float64) float64 {
		v := float64(j) * rowH
		if j == 0 || j == rows {
			return v // the square's own edges stay straight
		}
		w := waves[j]
		return v + rowH*(0.06*math.Sin(2*math.Pi*u/(4*cwMin)+w.p1)+0.03*math.Sin(2*math.Pi*u/(2.3*cwMin)+w.p2))
	}

	// Dividers of row r: divider k runs from boundary r to boundary r+1,
	// kept within ±0.3 of a cell width of k·cw so neighbours never meet.
	type divider struct {
		bottom, top float64   // u where it meets boundaries r and r+1
		mid         []float64 // u and v of its kinks, bottom to top
	}
	divs := make([][]divider, rows)
	// Every point where a divider meets a boundary, or an extra kink in
	// it, is a vertex of the cells on both sides.
	stops := make([][]float64, rows+1)
	for r := range rows {
		cw := spanDeg / float64(cols[r])
		ds := make([]divider, cols[r]+1)
		for k := range ds {
			var d divider
			switch k {
			case 0:
				d.bottom, d.top = 0, 0
			case cols[r]:
				d.bottom, d.top = spanDeg, spanDeg
			default:
				d.bottom = (float64(k) + 0.4*(rng.Float64()-0.5)) * cw
				d.top = (float64(k) + 0.4*(rng.Float64()-0.5)) * cw
			}
			kinks := 1 + rng.IntN(2)
			ts := make([]float64, kinks)
			for i := range ts {
				ts[i] = 0.3 + 0.4*rng.Float64()
			}
			slices.Sort(ts)
			for _, t := range ts {
				u := d.bottom + t*(d.top-d.bottom)
				if k != 0 && k != cols[r] {
					u += 0.2 * (rng.Float64() - 0.5) * cw
				}
				d.mid = append(d.mid, u, (float64(r)+t)*rowH)
			}
			ds[k] = d
			stops[r] = append(stops[r], d.bottom)
			stops[r+1] = append(stops[r+1], d.top)
			if k < cols[r] {
				// One kink inside each cell's bottom and top edge.
				stops[r] = append(stops[r], (float64(k)+0.5+0.2*(rng.Float64()-0.5))*cw)
				stops[r+1] = append(stops[r+1], (float64(k)+0.5+0.2*(rng.Float64()-0.5))*cw)
			}
		}
		divs[r] = ds
	}
	for j := range stops {
		slices.Sort(stops[j])
		stops[j] = slices.Compact(stops[j])
	}

	minLng, minLat := center.Lng-spanDeg/2, center.Lat-spanDeg/2
	at := func(u, v float64) Point { return Point{Lng: minLng + u, Lat: minLat + v} }
	// between returns the stops of boundary j strictly between u0 and u1.
	between := func(j int, u0, u1 float64) []float64 {
		s := stops[j]
		lo, _ := slices.BinarySearch(s, u0)
		for lo < len(s) && s[lo] <= u0 {
			lo++
		}
		hi, _ := slices.BinarySearch(s, u1)
		return s[lo:hi]
	}

	type cell struct {
		key  uint64 // Hilbert key of the nominal centre
		ring []Point
	}
	const side = 1<<16 - 1
	cells := make([]cell, 0, n)
	for r := range rows {
		for k := range cols[r] {
			left, right := divs[r][k], divs[r][k+1]
			var ring []Point
			// Counter-clockwise: bottom edge left to right, right
			// divider up, top edge right to left, left divider down.
			ring = append(ring, at(left.bottom, lineV(r, left.bottom)))
			for _, u := range between(r, left.bottom, right.bottom) {
				ring = append(ring, at(u, lineV(r, u)))
			}
			ring = append(ring, at(right.bottom, lineV(r, right.bottom)))
			for i := 0; i < len(right.mid); i += 2 {
				ring = append(ring, at(right.mid[i], right.mid[i+1]))
			}
			ring = append(ring, at(right.top, lineV(r+1, right.top)))
			top := between(r+1, left.top, right.top)
			for i := len(top) - 1; i >= 0; i-- {
				ring = append(ring, at(top[i], lineV(r+1, top[i])))
			}
			ring = append(ring, at(left.top, lineV(r+1, left.top)))
			for i := len(left.mid) - 2; i >= 0; i -= 2 {
				ring = append(ring, at(left.mid[i], left.mid[i+1]))
			}
			ring = append(ring, ring[0])
			x := uint32(side * (float64(k) + 0.5) / float64(cols[r]))
			y := uint32(side * (float64(r) + 0.5) / float64(rows))
			cells = append(cells, cell{key: hilbert(x, y), ring: ring})
		}
	}

	// Number the cells along a Hilbert curve, so that each run of
	// GridsPerCommunity is a compact block, as a community is.
	slices.SortStableFunc(cells, func(a, b cell) int { return cmp.Compare(a.key, b.key) })
	out := make([]Area, n)
	for i, c := range cells {
		comm := i / GridsPerCommunity
		out[i] = Area{
			Code:  fmt.Sprintf("410411%03d%03d%03d", comm/100+1, comm%100+1, i%GridsPerCommunity+1),
			Level: 6,
			Shape: MultiPolygon{Polygon{c.ring}},
		}
	}
	return out
}
