package web

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/site"
)

// maxSheetCodes bounds one printable sheet: about 80 A4 pages.
const maxSheetCodes = 1000

type qrCard struct {
	Site site.Site
	SVG  template.HTML
}

type qrSheetData struct {
	Cards    []qrCard
	Total    int
	Limit    int
	QueryStr string
	Types    []site.Type
	Query    url.Values
	Regions  []region.Region
}

// siteQRSheet is a page of QR codes to print on A4 and post at the sites:
// each with the site's name and code and what scanning it does.
func (s *Server) siteQRSheet(w http.ResponseWriter, r *http.Request) error {
	ctx, a, q := r.Context(), actorOf(r), r.URL.Query()
	f := siteFilter(q)
	f.Limit = maxSheetCodes
	list, total, err := s.Sites.List(ctx, a, f)
	if err != nil {
		return err
	}
	base := s.publicBase(r)
	d := qrSheetData{Total: total, Limit: maxSheetCodes, QueryStr: filterQuery(q), Query: q, Regions: s.siteRegions(r)}
	if d.Types, err = s.Sites.Types(ctx, true); err != nil {
		return err
	}
	for _, x := range list {
		svg, err := site.QRSVG(site.QRURL(base, x.QRToken), x.Name)
		if err != nil {
			return err
		}
		// The SVG is generated here from a URL and an escaped title; it
		// holds nothing a person typed unescaped.
		d.Cards = append(d.Cards, qrCard{Site: x, SVG: template.HTML(svg)}) //nolint:gosec
	}
	s.render(w, r, http.StatusOK, "site_qr_sheet", "site.qr_sheet_title", d)
	return nil
}
