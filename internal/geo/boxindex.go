package geo

// BoxIndex is the packed R-tree the grid index uses, over caller-given
// boxes: a domain that keeps its own shapes (merchants' frontages) finds
// the few whose boxes hold a point here and tests them itself. Immutable
// once built and safe for concurrent use.
type BoxIndex struct {
	tree packedTree
	n    int
}

// NewBoxIndex indexes the boxes; box i is reported as id i. Empty boxes
// are kept but never match.
func NewBoxIndex(boxes []BBox) *BoxIndex {
	return &BoxIndex{tree: buildTree(boxes), n: len(boxes)}
}

// Len is the number of boxes indexed.
func (ix *BoxIndex) Len() int { return ix.n }

// Search appends to dst the ids of the boxes that contain p, edges included.
func (ix *BoxIndex) Search(p Point, dst []int32) []int32 {
	if ix == nil {
		return dst
	}
	return ix.tree.search(p, dst)
}
