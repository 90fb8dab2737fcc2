package problem

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
)

// batchAreas is the number of areas from which AreasFigures reads the
// period's cases once for all instead of asking for each area: below
// it, the areas' own indexed reads cost less than one read of the city.
const batchAreas = 8

// AreasFigures are the figures of many areas for one period, each as
// AreaFigures gives it. For many areas (every holder's report card) it
// reads the period's cases, and the ones overdue at at, once, and sorts
// them to the areas in memory through maps of the regions and sites and a
// grid of the lines: the cost is one read of the city's month instead of
// a query per area.
func (s *Store) AreasFigures(ctx context.Context, areas []Area, from, to, at time.Time) ([]AreaFigures, error) {
	out := make([]AreaFigures, len(areas))
	if len(areas) < batchAreas {
		for i, ar := range areas {
			f, err := s.AreaFigures(ctx, ar, from, to, at)
			if err != nil {
				return nil, err
			}
			out[i] = f
		}
		return out, nil
	}
	now := s.Now()
	// The time columns drive this plan: the reported-time index for the
	// period, the state-and-deadline index for the open cases past due.
	period, late, args := s.figureConds(from, to, at, now, false)
	rows, err := s.DB.Query(ctx, "SELECT "+areaColumns+" FROM problem p WHERE "+period+" OR "+late, args...)
	if err != nil {
		return nil, fmt.Errorf("areas' cases: %w", err)
	}
	defer rows.Close()
	ix := newAreaIndex(areas)
	w := newFigureWindow(from, to, at, now)
	for rows.Next() {
		x, err := scanAreaRow(rows)
		if err != nil {
			return nil, fmt.Errorf("areas' cases: %w", err)
		}
		ix.each(x, func(i int) { w.add(&out[i], x) })
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("areas' cases: %w", err)
	}
	return out, nil
}

// areaIndex finds the areas that hold a case, by the rules of Area.holds
// and of its SQL (a line counts only within its boxed regions).
type areaIndex struct {
	regions map[string][]int // region code → areas holding its subtree
	lengths []int            // the lengths of those codes
	sites   map[int64][]int
	lines   []indexedLine
	grid    map[gridCell][]int // cell → indexes into lines
	seen    []int              // per area, the last row it was given
	row     int
}

type indexedLine struct {
	area int
	line AreaLine
	box  struct{ minLng, maxLng, minLat, maxLat float64 }
}

type gridCell struct{ x, y int32 }

// gridDegrees is the side of a line grid cell, about 1 km: a 600 m road
// with its buffer falls in a few cells.
const gridDegrees = 0.01

func cellOf(lng, lat float64) gridCell {
	return gridCell{int32(math.Floor(lng / gridDegrees)), int32(math.Floor(lat / gridDegrees))}
}

func newAreaIndex(areas []Area) *areaIndex {
	ix := &areaIndex{regions: map[string][]int{}, sites: map[int64][]int{}, grid: map[gridCell][]int{}, seen: make([]int, len(areas))}
	lengths := map[int]bool{}
	for i, ar := range areas {
		ix.seen[i] = -1
		for _, code := range ar.Regions {
			ix.regions[code] = append(ix.regions[code], i)
			lengths[len(code)] = true
		}
		for _, id := range ar.Sites {
			if id != 0 {
				ix.sites[id] = append(ix.sites[id], i)
			}
		}
		for _, l := range ar.Lines {
			b := lineBox(l)
			il := indexedLine{area: i, line: l}
			il.box.minLng, il.box.maxLng, il.box.minLat, il.box.maxLat = b.MinLng, b.MaxLng, b.MinLat, b.MaxLat
			n := len(ix.lines)
			ix.lines = append(ix.lines, il)
			lo, hi := cellOf(b.MinLng, b.MinLat), cellOf(b.MaxLng, b.MaxLat)
			for x := lo.x; x <= hi.x; x++ {
				for y := lo.y; y <= hi.y; y++ {
					c := gridCell{x, y}
					ix.grid[c] = append(ix.grid[c], n)
				}
			}
		}
	}
	for n := range lengths {
		ix.lengths = append(ix.lengths, n)
	}
	return ix
}

// each calls fn once for every area that holds the row.
func (ix *areaIndex) each(x areaRow, fn func(area int)) {
	ix.row++
	give := func(i int) {
		if ix.seen[i] != ix.row {
			ix.seen[i] = ix.row
			fn(i)
		}
	}
	for _, n := range ix.lengths {
		if n <= len(x.region) {
			for _, i := range ix.regions[x.region[:n]] {
				give(i)
			}
		}
	}
	if x.site != 0 {
		for _, i := range ix.sites[x.site] {
			give(i)
		}
	}
	if !x.hasPlace || len(ix.lines) == 0 {
		return
	}
	for _, n := range ix.grid[cellOf(x.p.Lng, x.p.Lat)] {
		l := &ix.lines[n]
		if ix.seen[l.area] == ix.row || x.p.Lng < l.box.minLng || x.p.Lng > l.box.maxLng || x.p.Lat < l.box.minLat || x.p.Lat > l.box.maxLat {
			continue
		}
		if len(l.line.Within) > 0 && !hasAnyPrefix(x.region, l.line.Within) {
			continue
		}
		if NearLine(l.line, x.p) {
			give(l.area)
		}
	}
}

func hasAnyPrefix(code string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(code, p) {
			return true
		}
	}
	return false
}
