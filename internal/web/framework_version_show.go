package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/framework"
)

func fwVersionPath(id int64) string { return "/framework/" + strconv.FormatInt(id, 10) }

// fwNodeView is a node as the tree template shows it, with what the
// recursive template needs from the page.
type fwNodeView struct {
	*framework.Node
	Page     *fwVersionData
	Children []fwNodeView
	Sites    []string // site type names
	Cats     []fwCat
}

type fwCat struct{ Code, Name string }

type fwCheck struct {
	Value, Label string
	Checked      bool
}

type fwVersionData struct {
	V         framework.Version
	CanEdit   bool
	Items     []fwNodeView
	Error     string
	Site      string // the site type filter, "" for the whole tree
	SiteName  string
	SiteTypes []fwCheck // the filter's choices
	Criteria  []framework.Criterion
	CritViews []fwNodeView
}

// fwLabels are the names of site types and categories.
type fwLabels struct {
	sites  map[string]string
	active []framework.SiteType
	cats   map[string]string
}

func (s *Server) fwLabels(r *http.Request, categories bool) (fwLabels, error) {
	ctx := r.Context()
	l := fwLabels{sites: map[string]string{}, cats: map[string]string{}}
	types, err := s.Framework.SiteTypes(ctx, true)
	if err != nil {
		return l, err
	}
	for _, t := range types {
		l.sites[t.Code] = t.Name
		if t.Active {
			l.active = append(l.active, t)
		}
	}
	if !categories {
		return l, nil
	}
	tree, err := s.Categories.Tree(ctx, true)
	if err != nil {
		return l, err
	}
	for _, top := range tree {
		for _, sub := range top.Subs {
			l.cats[sub.Code] = sub.Name
		}
	}
	return l, nil
}

func (s *Server) fwMethodChecks(selected []framework.Method) []fwCheck {
	var out []fwCheck
	for _, m := range framework.Methods() {
		out = append(out, fwCheck{Value: string(m), Label: s.Catalog.T(m.Key()), Checked: containsMethod(selected, m)})
	}
	return out
}

func containsMethod(list []framework.Method, m framework.Method) bool {
	for _, x := range list {
		if x == m {
			return true
		}
	}
	return false
}

// siteChecks offers the active site types and any inactive one selected.
func (l fwLabels) siteChecks(selected []string) []fwCheck {
	var out []fwCheck
	seen := map[string]bool{}
	for _, t := range l.active {
		seen[t.Code] = true
		out = append(out, fwCheck{Value: t.Code, Label: t.Name, Checked: containsString(selected, t.Code)})
	}
	for _, code := range selected {
		if !seen[code] {
			name := l.sites[code]
			if name == "" {
				name = code
			}
			out = append(out, fwCheck{Value: code, Label: name, Checked: true})
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (s *Server) fwView(n *framework.Node, l fwLabels, page *fwVersionData) fwNodeView {
	v := fwNodeView{Node: n, Page: page}
	for _, code := range n.SiteTypes {
		name := l.sites[code]
		if name == "" {
			name = code
		}
		v.Sites = append(v.Sites, name)
	}
	for _, code := range n.Categories {
		v.Cats = append(v.Cats, fwCat{Code: code, Name: l.cats[code]})
	}
	for _, c := range n.Children {
		v.Children = append(v.Children, s.fwView(c, l, page))
	}
	return v
}

func (s *Server) fwVersionPage(w http.ResponseWriter, r *http.Request, status int, id int64, errMsg string) error {
	a := actorOf(r)
	ctx := r.Context()
	v, err := s.Framework.Version(ctx, a, id)
	if err != nil {
		return err
	}
	l, err := s.fwLabels(r, true)
	if err != nil {
		return err
	}
	d := &fwVersionData{V: v, CanEdit: framework.CanEdit(a), Error: errMsg,
		Site: strings.TrimSpace(r.URL.Query().Get("site"))}
	for _, t := range l.active {
		d.SiteTypes = append(d.SiteTypes, fwCheck{Value: t.Code, Label: t.Name, Checked: t.Code == d.Site})
	}
	if d.Site != "" {
		if d.SiteName = l.sites[d.Site]; d.SiteName == "" {
			return apperr.NotFound("sitetype.not_found", d.Site)
		}
		if d.Criteria, err = s.Framework.Criteria(ctx, id, d.Site); err != nil {
			return err
		}
		for i := range d.Criteria {
			d.CritViews = append(d.CritViews, s.fwView(&d.Criteria[i].Node, l, d))
		}
	} else {
		for _, n := range v.Items {
			d.Items = append(d.Items, s.fwView(n, l, d))
		}
	}
	s.render(w, r, status, "framework_version", "framework.version_title", d)
	return nil
}

func (s *Server) fwVersion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.fwVersionPage(w, r, http.StatusOK, id, "")
}
