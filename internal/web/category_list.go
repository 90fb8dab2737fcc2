package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/org"
)

type subRow struct {
	category.Sub
	KindText, LimitText, OwnerText string
}

type topRow struct {
	category.Top
	Rows []subRow
}

type categoryListData struct {
	Tops    []topRow
	CanEdit bool
}

func (s *Server) limitText(l category.Limit) string {
	return s.Catalog.T("calendar.limit", l.Amount, s.Catalog.T(l.Unit.Key()))
}

func (s *Server) ownerText(o category.OwnerRule) string {
	switch {
	case o.IsTerritorial():
		return s.Catalog.T("cfg.owner.territorial")
	case o.Valid():
		return s.Catalog.T("cfg.owner.line", s.Catalog.T(org.LineKey(o.Line())))
	}
	return string(o)
}

func (s *Server) categoryList(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	tree, err := s.Categories.Catalogue(r.Context(), a)
	if err != nil {
		return err
	}
	d := categoryListData{CanEdit: category.CanEdit(a)}
	for _, t := range tree {
		row := topRow{Top: t}
		for _, sub := range t.Subs {
			row.Rows = append(row.Rows, subRow{Sub: sub, KindText: s.Catalog.T(sub.Kind.Key()),
				LimitText: s.limitText(sub.Limit), OwnerText: s.ownerText(sub.Owner)})
		}
		d.Tops = append(d.Tops, row)
	}
	s.render(w, r, http.StatusOK, "categories", "cfg.categories.title", d)
	return nil
}
