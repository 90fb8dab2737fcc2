package geo

import (
	"cmp"
	"slices"
)

// nodeSize is the fan-out of the packed R-tree: 16 boxes fit in a few cache
// lines, and a tree of 20,000 items is four levels deep.
const nodeSize = 16

// packedTree is a static R-tree packed bottom-up in Hilbert order (the
// Flatbush layout). The index never changes after it is built, so a packed
// tree beats a dynamic one: fuller nodes, no pointers, one allocation per
// array, and no locking for concurrent readers.
type packedTree struct {
	// boxes holds the items (level 0) in Hilbert order, then each level of
	// nodes up to the root, which is last. The children of the k-th node
	// of level l are the boxes k*nodeSize … k*nodeSize+nodeSize-1 of level
	// l-1.
	boxes []BBox
	// ids maps an item's position in boxes to the caller's item id.
	ids []int32
	// ends[l] is the end of level l in boxes; level l starts at ends[l-1]
	// (level 0 at 0).
	ends []int
}

// buildTree packs the item boxes; item i is reported as id i.
func buildTree(items []BBox) packedTree {
	n := len(items)
	if n == 0 {
		return packedTree{}
	}
	all := emptyBBox()
	for _, b := range items {
		all = all.union(b)
	}
	// Hilbert keys of the box centres on a 2^16 × 2^16 lattice over the
	// extent: neighbours on the curve are neighbours on the map, so runs of
	// 16 consecutive items make compact nodes.
	const side = 1<<16 - 1
	w, h := all.MaxLng-all.MinLng, all.MaxLat-all.MinLat
	type keyed struct {
		key uint64
		id  int32
	}
	order := make([]keyed, n)
	for i, b := range items {
		var x, y uint32
		if w > 0 {
			x = uint32(side * ((b.MinLng+b.MaxLng)/2 - all.MinLng) / w)
		}
		if h > 0 {
			y = uint32(side * ((b.MinLat+b.MaxLat)/2 - all.MinLat) / h)
		}
		order[i] = keyed{hilbert(x, y), int32(i)}
	}
	slices.SortFunc(order, func(a, b keyed) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})

	total, count := n, n
	for count > 1 {
		count = (count + nodeSize - 1) / nodeSize
		total += count
	}
	t := packedTree{boxes: make([]BBox, n, total), ids: make([]int32, n)}
	for i, k := range order {
		t.boxes[i] = items[k.id]
		t.ids[i] = k.id
	}
	t.ends = append(t.ends, n)
	start := 0
	for end := n; end-start > 1; {
		for i := start; i < end; i += nodeSize {
			b := emptyBBox()
			for _, c := range t.boxes[i:min(i+nodeSize, end)] {
				b = b.union(c)
			}
			t.boxes = append(t.boxes, b)
		}
		start, end = end, len(t.boxes)
		t.ends = append(t.ends, end)
	}
	return t
}

// search appends to dst the ids of the items whose boxes contain p.
func (t *packedTree) search(p Point, dst []int32) []int32 {
	if len(t.boxes) == 0 {
		return dst
	}
	root := len(t.boxes) - 1
	if !t.boxes[root].Contains(p) {
		return dst
	}
	top := len(t.ends) - 1
	if top == 0 { // a single item is its own root
		return append(dst, t.ids[0])
	}
	type frame struct{ pos, level int }
	var buf [64]frame // depth × fan-out is far below this for any real index
	stack := append(buf[:0], frame{root, top})
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		childLevel := f.level - 1
		childStart := 0
		if childLevel > 0 {
			childStart = t.ends[childLevel-1]
		}
		first := childStart + (f.pos-t.ends[childLevel])*nodeSize
		last := min(first+nodeSize, t.ends[childLevel])
		for i := first; i < last; i++ {
			if !t.boxes[i].Contains(p) {
				continue
			}
			if childLevel == 0 {
				dst = append(dst, t.ids[i])
			} else {
				stack = append(stack, frame{i, childLevel})
			}
		}
	}
	return dst
}

// hilbert maps (x, y) on a 2^16 × 2^16 lattice to its distance along the
// Hilbert curve.
func hilbert(x, y uint32) uint64 {
	const n = 1 << 16
	var d uint64
	for s := uint32(n / 2); s > 0; s /= 2 {
		var rx, ry uint32
		if x&s != 0 {
			rx = 1
		}
		if y&s != 0 {
			ry = 1
		}
		d += uint64(s) * uint64(s) * uint64((3*rx)^ry)
		if ry == 0 {
			if rx == 1 {
				x, y = n-1-x, n-1-y
			}
			x, y = y, x
		}
	}
	return d
}
