package web

import (
	"net/http"
	"strings"

	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/site"
)

// placeRegion is one choice of the place picker's street or community
// list. Label is a point inside it (WGS-84), where the map centres.
type placeRegion struct {
	Code     string      `json:"code"`
	Name     string      `json:"name"`
	Level    int         `json:"level"`
	Children int         `json:"children"`
	Label    *[2]float64 `json:"label,omitempty"`
}

func toPlaceRegions(list []region.Region) []placeRegion {
	out := make([]placeRegion, 0, len(list))
	for _, x := range list {
		p := placeRegion{Code: x.Code, Name: x.Name, Level: int(x.Level), Children: x.ChildCount}
		if x.Boundary != "" {
			if mp, err := geo.ParseGeoJSON([]byte(x.Boundary)); err == nil {
				if pt, ok := geo.InteriorPoint(mp); ok {
					p.Label = &[2]float64{round6(pt.Lng), round6(pt.Lat)}
				}
			}
		}
		out = append(out, p)
	}
	return out
}

// placeRegions lists the children of ?parent= for the picker (street →
// community → grid); without a parent, the streets of the deployment's
// own area (the region whose outline the map begins with). Division names
// are public.
func (s *Server) placeRegions(w http.ResponseWriter, r *http.Request) error {
	parent := strings.TrimSpace(r.URL.Query().Get("parent"))
	if parent == "" {
		roots, err := region.Roots(r.Context(), s.Regions.DB)
		if err != nil {
			return err
		}
		if len(roots) != 1 {
			return writePlaceJSON(w, map[string]any{"regions": toPlaceRegions(roots)})
		}
		parent = roots[0].Code
	}
	if _, ok := region.LevelOf(parent); !ok {
		return writePlaceJSON(w, map[string]any{"regions": []placeRegion{}})
	}
	list, _, err := s.Regions.Children(r.Context(), parent, 0, region.MaxLimit)
	if err != nil {
		return err
	}
	return writePlaceJSON(w, map[string]any{"parent": parent, "regions": toPlaceRegions(list)})
}

// placeSites lists the active sites of ?region= for the picker's last
// step (all of the deployment's without one, for the maps' labels); what each carries depends on who asks (site.Store.Picks).
func (s *Server) placeSites(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	code := strings.TrimSpace(q.Get("region"))
	if code == "" {
		// The map's labelled sites: all of the deployment's own area.
		roots, err := region.Roots(r.Context(), s.Regions.DB)
		if err != nil {
			return err
		}
		if len(roots) != 1 {
			return writePlaceJSON(w, map[string]any{"sites": []any{}})
		}
		code = roots[0].Code
	}
	if _, ok := region.LevelOf(code); !ok {
		return writePlaceJSON(w, map[string]any{"sites": []any{}})
	}
	picks, err := s.Sites.Picks(r.Context(), actorOf(r), sitePickFilter(code, ""))
	if err != nil {
		return err
	}
	return writePlaceJSON(w, map[string]any{"sites": picks})
}

// placeSearch finds sites by name (and, for signed-in people, address) and
// streets, communities and grids by name, for the picker's search box.
func (s *Server) placeSearch(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len([]rune(q)) < 1 || len(q) > 100 {
		return writePlaceJSON(w, map[string]any{"sites": []any{}, "regions": []placeRegion{}})
	}
	picks, err := s.Sites.Picks(r.Context(), actorOf(r), sitePickFilter("", q))
	if err != nil {
		return err
	}
	roots, err := region.Roots(r.Context(), s.Regions.DB)
	if err != nil {
		return err
	}
	within := ""
	if len(roots) == 1 {
		within = roots[0].Code
	}
	regions := []placeRegion{}
	if !allDigitsStr(q) {
		found, _, err := s.Regions.Search(r.Context(), within, q, 0, 20)
		if err != nil {
			return err
		}
		var keep []region.Region
		for _, x := range found {
			if x.Level >= region.Street {
				keep = append(keep, x)
			}
		}
		regions = toPlaceRegions(keep)
	}
	return writePlaceJSON(w, map[string]any{"sites": picks, "regions": regions})
}

func allDigitsStr(v string) bool {
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return v != ""
}

func writePlaceJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	// Lists change rarely but are small; a minute of caching spares a
	// phone the round trips while a person goes back and forth.
	w.Header().Set("Cache-Control", "private, max-age=60")
	return writeJSON(w, v)
}

// searchLimit bounds the sites one search answers with.
const searchLimit = 20

func sitePickFilter(regionCode, q string) site.PickFilter {
	f := site.PickFilter{Region: regionCode, Query: q}
	if q != "" {
		f.Limit = searchLimit
	}
	return f
}
