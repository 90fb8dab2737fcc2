package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/projection"
	"github.com/wenming-civic/wenming/internal/region"
)

// projectionData is the projected score page (测评预估).
type projectionData struct {
	P projection.Projection
	// Top are the criteria losing the most points (with ?unit=, those the
	// unit loses points on, by its share).
	Top      []*projection.CriterionScore
	Units    []projection.UnitLoss
	Unit     *projection.UnitLoss // the ?unit= filter
	NoData   []*projection.CriterionScore
	Children []region.Region // the areas one level down
	Up       string          // the actor's own area, when looking below it
	Weights  projection.WeightsInput
	CanEdit  bool
	Error    string
	Methods  []framework.Method
}

// Pts writes points with two decimals.
func (projectionData) Pts(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

// Pct writes an achievement as a percentage.
func (projectionData) Pct(p projection.Part) string {
	return strconv.FormatFloat(p.Achievement()*100, 'f', 1, 64) + "%"
}

// Count writes a part's Num / Den.
func (projectionData) Count(p projection.Part) string {
	return projNum(p.Num) + " / " + projNum(p.Den)
}

// ByMethod is a unit's lost points under a method.
func (projectionData) ByMethod(u projection.UnitLoss, m framework.Method) float64 {
	return u.ByMethod[m]
}

// AreaLink is the page for another area, keeping nothing else.
func (d projectionData) AreaLink(code string) string {
	return "/projection?area=" + url.QueryEscape(code)
}

// UnitLink filters the criteria list by a unit.
func (d projectionData) UnitLink(id int64) string {
	v := url.Values{"unit": {strconv.FormatInt(id, 10)}}
	if d.P.Area != "" {
		v.Set("area", d.P.Area)
	}
	return "/projection?" + v.Encode()
}

// ShareOf is the unit filter's share of a criterion's lost points.
func (d projectionData) ShareOf(c *projection.CriterionScore) float64 {
	if d.Unit == nil {
		return c.Lost
	}
	for _, u := range c.Units {
		if u.UnitID == d.Unit.UnitID {
			return u.Lost
		}
	}
	return 0
}

func projNum(x float64) string { return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64) }

// projectionShow shows the projected score of the actor's area, or of
// ?area= inside it; ?unit= lists the criteria a unit loses points on.
func (s *Server) projectionShow(w http.ResponseWriter, r *http.Request) error {
	return s.projectionPage(w, r, http.StatusOK, nil, "")
}

func (s *Server) projectionPage(w http.ResponseWriter, r *http.Request, status int, in *projection.WeightsInput, msg string) error {
	ctx, a := r.Context(), actorOf(r)
	q := r.URL.Query()
	p, err := s.Projection.Project(ctx, a, strings.TrimSpace(q.Get("area")))
	if err != nil {
		return err
	}
	d := projectionData{P: p, CanEdit: projection.MayConfigure(a), Error: msg, Methods: framework.Methods(), Weights: p.Weights.Input()}
	if in != nil {
		d.Weights = *in
	}
	d.Units = p.Units[:min(projection.TopUnits, len(p.Units))]
	if id, err := strconv.ParseInt(q.Get("unit"), 10, 64); err == nil {
		for i := range p.Units {
			if p.Units[i].UnitID == id {
				d.Unit = &p.Units[i]
			}
		}
	}
	if d.Unit != nil {
		for _, c := range p.TopLost(len(p.Criteria)) {
			if d.ShareOf(c) > 0 {
				d.Top = append(d.Top, c)
			}
		}
	} else {
		d.Top = p.TopLost(projection.TopCriteria)
	}
	for _, c := range p.Criteria {
		if c.Unknown > 0 {
			d.NoData = append(d.NoData, c)
		}
	}
	if p.Area != "" && len(p.Area) < 9 {
		if d.Children, _, err = s.Regions.Children(ctx, p.Area, 0, 200); err != nil {
			return err
		}
	}
	if p.Area != a.Region && a.Region != "" {
		d.Up = a.Region
	}
	s.render(w, r, status, "projection", "projection.title", d)
	return nil
}
