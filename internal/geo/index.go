package geo

import (
	"cmp"
	"slices"
)

// Area is one region to index: its code, its level in the region tree
// (6 for a grid, 5 for a community …) and its outline.
type Area struct {
	Code  string
	Level int
	Shape MultiPolygon
}

// Index finds the smallest area containing a point. It is immutable once
// built and safe for concurrent use.
type Index struct {
	tree  packedTree
	parts []Polygon // by tree item id: one polygon of an area's shape
	owner []int32   // by tree item id: the area's rank, an index into areas
	areas []rankedArea
	// skipped lists the codes LoadIndex could not parse.
	skipped []string
}

// rankedArea is an indexed area; Index.areas is sorted best first.
type rankedArea struct {
	code  string
	level int
	size  float64 // bbox area in square degrees
}

// NewIndex indexes the areas that have a shape; areas without one are left
// out. The index keeps the shapes, so the caller must not change them later.
func NewIndex(areas []Area) *Index {
	type slot struct {
		area *Area
		bbox BBox
		pos  int
	}
	slots := make([]slot, 0, len(areas))
	for i := range areas {
		b := areas[i].Shape.BBox()
		if b.IsEmpty() {
			continue
		}
		slots = append(slots, slot{&areas[i], b, i})
	}
	// Rank order is the tie-break order of Locate, so that comparing two
	// candidates at query time is comparing two integers: deeper level
	// first, then smaller box, then smaller code, then input order (a code
	// listed twice), so every build of the same input ranks alike.
	slices.SortFunc(slots, func(a, b slot) int {
		return cmp.Or(
			cmp.Compare(b.area.Level, a.area.Level),
			cmp.Compare(a.bbox.Area(), b.bbox.Area()),
			cmp.Compare(a.area.Code, b.area.Code),
			cmp.Compare(a.pos, b.pos),
		)
	})
	// Most areas are one polygon: size for that, append for the rest.
	ix := &Index{
		areas: make([]rankedArea, len(slots)),
		parts: make([]Polygon, 0, len(slots)),
		owner: make([]int32, 0, len(slots)),
	}
	boxes := make([]BBox, 0, len(slots))
	for rank, s := range slots {
		ix.areas[rank] = rankedArea{code: s.area.Code, level: s.area.Level, size: s.bbox.Area()}
		// Each polygon of a multipolygon is its own tree item, so a
		// district's far-off exclave does not stretch one box over the gap.
		for _, pg := range s.area.Shape {
			b := pg.BBox()
			if b.IsEmpty() {
				continue
			}
			// Grown by the edge tolerance so the tree never rules out a
			// point that Polygon.Contains would accept as on the edge.
			b.MinLng -= EdgeTolerance
			b.MinLat -= EdgeTolerance
			b.MaxLng += EdgeTolerance
			b.MaxLat += EdgeTolerance
			boxes = append(boxes, b)
			ix.parts = append(ix.parts, pg)
			ix.owner = append(ix.owner, int32(rank))
		}
	}
	ix.tree = buildTree(boxes)
	return ix
}

// Len is the number of areas in the index.
func (ix *Index) Len() int { return len(ix.areas) }

// Skipped lists the codes of the regions whose boundary LoadIndex could not
// parse and left out (nil for an index built by NewIndex).
func (ix *Index) Skipped() []string { return slices.Clone(ix.skipped) }

// Locate returns the code of the smallest area containing p: the deepest
// level first (a grid beats its community, which beats its street), then
// the smaller bounding box, then the smaller code. Points on an edge count
// as inside (see Polygon.Contains).
func (ix *Index) Locate(p Point) (code string, ok bool) {
	var buf [32]int32
	hits := ix.tree.search(p, buf[:0])
	// Candidates are few (the grids whose boxes overlap here and the
	// areas above them), so an insertion sort by rank beats anything
	// cleverer, and testing them best first stops at the first polygon
	// that holds p.
	for i := 1; i < len(hits); i++ {
		for j := i; j > 0 && ix.owner[hits[j]] < ix.owner[hits[j-1]]; j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	for _, id := range hits {
		if ix.parts[id].Contains(p) {
			return ix.areas[ix.owner[id]].code, true
		}
	}
	return "", false
}
