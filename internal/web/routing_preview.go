package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/category"
)

type previewView struct {
	Category     int64
	Region       string
	Done         bool
	Error        string
	RegionName   string
	CategoryName string
	OwnerText    string
	UnitName     string
	Why          string
}

// routePreview asks the router where a case would go. Why holds the raw
// note; the caller words it.
func (s *Server) routePreview(r *http.Request, q url.Values) (previewView, error) {
	ctx := r.Context()
	p := previewView{Region: strings.TrimSpace(q.Get("region")), Done: true}
	p.Category, _ = strconv.ParseInt(q.Get("category"), 10, 64)
	if p.Region == "" {
		p.Error = s.Catalog.T("cfg.routing.preview_region_required")
		return p, nil
	}
	reg, err := s.Regions.Get(ctx, p.Region)
	if errors.Is(err, apperr.ErrNotFound) {
		p.Error = s.Catalog.T("routing.region_unknown", p.Region)
		return p, nil
	}
	if err != nil {
		return p, err
	}
	p.RegionName = reg.Name
	p.OwnerText = s.ownerText(category.Territorial)
	if p.Category != 0 {
		sub, err := s.Categories.Get(ctx, p.Category)
		if errors.Is(err, apperr.ErrNotFound) {
			p.Error = s.Catalog.T("routing.category_unknown")
			return p, nil
		}
		if err != nil {
			return p, err
		}
		p.CategoryName = sub.Code + " " + sub.Name
		p.OwnerText = s.Catalog.T(sub.Kind.Key()) + " · " + s.ownerText(sub.Owner)
	}
	dec, err := s.Routing.Decide(ctx, p.Category, p.Region)
	if err != nil {
		return p, s.refused(err, func(_ int, msg string) error {
			p.Error = msg
			return nil
		})
	}
	p.UnitName, p.Why = dec.UnitName, dec.Note()
	return p, nil
}
