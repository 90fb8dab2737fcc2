package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/routing"
)

type ruleRow struct {
	routing.Rule
	CanEdit bool
	Matched bool // chose the unit of the preview
}

type routingData struct {
	Rules      []ruleRow
	CanAdd     bool
	Categories []category.Top
	Preview    previewView
}

func (s *Server) routingList(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	ctx := r.Context()
	rules, err := s.Routing.Rules(ctx, a)
	if err != nil {
		return err
	}
	tree, err := s.Categories.Catalogue(ctx, a)
	if err != nil {
		return err
	}
	d := routingData{CanAdd: routing.CanCreate(a), Categories: tree}
	q := r.URL.Query()
	if q.Has("region") || q.Has("category") {
		if d.Preview, err = s.routePreview(r, q); err != nil {
			return err
		}
	}
	matched := int64(0)
	if d.Preview.Why != "" {
		if by, detail := routing.ParseNote(d.Preview.Why); by == routing.ByRule {
			id, _, _ := strings.Cut(detail, "|")
			matched, _ = strconv.ParseInt(id, 10, 64)
		}
		d.Preview.Why = s.routeNote(d.Preview.Why)
	}
	for _, x := range rules {
		d.Rules = append(d.Rules, ruleRow{Rule: x, CanEdit: x.Editable, Matched: x.ID == matched})
	}
	s.render(w, r, http.StatusOK, "routing", "cfg.routing.title", d)
	return nil
}
