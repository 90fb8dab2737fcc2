package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/httpx"
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

type regionDetailData struct {
	Region   region.Region
	Trail    []region.Region
	Children []region.Region
	Pager    pager
	Manages  bool
	Errors   []string
	GridName string
}

func (s *Server) regionDetail(w http.ResponseWriter, r *http.Request) error {
	d, err := s.regionDetailData(r, r.PathValue("code"))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "region", "regions.detail_title", d)
	return nil
}

func (s *Server) regionDetailData(r *http.Request, code string) (regionDetailData, error) {
	ctx := r.Context()
	trail, err := s.Regions.Ancestors(ctx, code)
	if err != nil {
		return regionDetailData{}, err
	}
	d := regionDetailData{Region: trail[len(trail)-1], Trail: trail[:len(trail)-1], Manages: actorOf(r).Manages(code)}
	page, offset, limit := pageParams(r)
	kids, total, err := s.Regions.Children(ctx, code, offset, limit)
	if err != nil {
		return regionDetailData{}, err
	}
	d.Children, d.Pager = kids, newPager(r, page, limit, total)
	return d, nil
}

type searchData struct {
	Query   string
	Results []region.Region
	Pager   pager
}

func (s *Server) regionSearch(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := searchData{Query: q}
	if q != "" {
		within := ""
		if !a.IsAdmin() {
			within = a.Region
		}
		page, offset, limit := pageParams(r)
		res, total, err := s.Regions.Search(r.Context(), within, q, offset, limit)
		if err != nil {
			return err
		}
		d.Results, d.Pager = res, newPager(r, page, limit, total)
	}
	s.render(w, r, http.StatusOK, "region_search", "regions.search_title", d)
	return nil
}

// gridFormError shows the community page again with the reasons.
func (s *Server) gridFormError(w http.ResponseWriter, r *http.Request, code string, err error) error {
	e := apperr.As(err)
	var ie *region.ImportError
	var msgs []string
	switch {
	case errors.As(err, &ie):
		msgs = ie.Messages(s.Catalog.T)
	case e.Kind == apperr.KindInvalid || e.Kind == apperr.KindConflict:
		msgs = []string{s.Catalog.T(e.Code, e.Args...)}
	default:
		return err
	}
	d, derr := s.regionDetailData(r, code)
	if derr != nil {
		return derr
	}
	d.Errors, d.GridName = msgs, r.PostFormValue("name")
	s.render(w, r, httpx.Status(e.Kind), "region", "regions.detail_title", d)
	return nil
}

func (s *Server) gridAdd(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	g, err := s.Regions.AddGrid(r.Context(), actorOf(r), code, r.PostFormValue("name"), []byte(strings.TrimSpace(r.PostFormValue("boundary"))))
	if err != nil {
		return s.gridFormError(w, r, code, err)
	}
	return s.redirectWith(w, r, "/regions/"+g.ParentCode, "regions.grid_added")
}

func (s *Server) gridImport(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	f, _, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return s.gridFormError(w, r, code, apperr.Invalid("regions.grid_file_required"))
	}
	defer f.Close()
	body, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	if _, err := s.Regions.ImportGrids(r.Context(), actorOf(r), code, body); err != nil {
		return s.gridFormError(w, r, code, err)
	}
	return s.redirectWith(w, r, "/regions/"+code, "regions.grids_imported")
}

type gridEditData struct {
	Grid   region.Region
	Trail  []region.Region
	Name   string
	Errors []string
}

func (s *Server) gridEditForm(w http.ResponseWriter, r *http.Request) error {
	trail, err := s.Regions.Ancestors(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	g := trail[len(trail)-1]
	if g.Level != region.Grid {
		return apperr.NotFound("region.not_found", g.Code)
	}
	if !actorOf(r).Manages(g.Code) {
		return apperr.Forbidden("region.forbidden")
	}
	s.render(w, r, http.StatusOK, "grid_edit", "regions.grid_edit_title", gridEditData{Grid: g, Trail: trail[:len(trail)-1], Name: g.Name})
	return nil
}

func (s *Server) gridUpdate(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	g, err := s.Regions.UpdateGrid(r.Context(), actorOf(r), code, r.PostFormValue("name"), []byte(strings.TrimSpace(r.PostFormValue("boundary"))))
	if err != nil {
		e := apperr.As(err)
		if e.Kind != apperr.KindInvalid && e.Kind != apperr.KindConflict {
			return err
		}
		trail, terr := s.Regions.Ancestors(r.Context(), code)
		if terr != nil {
			return terr
		}
		cur := trail[len(trail)-1]
		cur.Boundary = r.PostFormValue("boundary")
		s.render(w, r, httpx.Status(e.Kind), "grid_edit", "regions.grid_edit_title", gridEditData{
			Grid: cur, Trail: trail[:len(trail)-1], Name: r.PostFormValue("name"), Errors: []string{s.Catalog.T(e.Code, e.Args...)}})
		return nil
	}
	return s.redirectWith(w, r, "/regions/"+g.ParentCode, "common.saved")
}

func (s *Server) gridDelete(w http.ResponseWriter, r *http.Request) error {
	g, err := s.Regions.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	if err := s.Regions.DeleteGrid(r.Context(), actorOf(r), g.Code); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/regions/"+g.ParentCode, "regions.grid_deleted")
}
