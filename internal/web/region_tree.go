package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/region"
)

// treeLimit bounds the children shown under one node of the tree; the
// region's own page pages through the rest.
const treeLimit = 500

type treeNode struct {
	Region   region.Region
	Children []region.Region
	More     int
}

type treeData struct {
	Trail []region.Region
	Roots []treeNode
	Query string
}

// regionTree shows the tree from the actor's jurisdiction (or the top for
// administrators and users without one), its first level open.
func (s *Server) regionTree(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorOf(r)
	var d treeData
	var roots []region.Region
	if a.Region != "" && !a.IsAdmin() {
		trail, err := s.Regions.Ancestors(ctx, a.Region)
		if err != nil {
			return err
		}
		d.Trail, roots = trail[:len(trail)-1], trail[len(trail)-1:]
	} else {
		var err error
		if roots, _, err = s.Regions.Children(ctx, "", 0, treeLimit); err != nil {
			return err
		}
	}
	for i, root := range roots {
		node := treeNode{Region: root}
		if i == 0 || len(roots) == 1 {
			kids, total, err := s.Regions.Children(ctx, root.Code, 0, treeLimit)
			if err != nil {
				return err
			}
			node.Children, node.More = kids, max(0, total-len(kids))
		}
		d.Roots = append(d.Roots, node)
	}
	s.render(w, r, http.StatusOK, "regions", "regions.tree_title", d)
	return nil
}

type childrenData struct {
	Parent   region.Region
	Children []region.Region
	More     int
}

// regionChildren is the partial the tree loads when a node opens.
func (s *Server) regionChildren(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	parent, err := s.Regions.Get(ctx, r.PathValue("code"))
	if err != nil {
		return err
	}
	kids, total, err := s.Regions.Children(ctx, parent.Code, 0, treeLimit)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "region_children", "regions.tree_title",
		childrenData{Parent: parent, Children: kids, More: max(0, total-len(kids))})
	return nil
}
