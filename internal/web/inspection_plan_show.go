package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/geo"
	"github.com/wenming-civic/wenming/internal/inspect"
)

type planPageData struct {
	Results inspect.Results
	CanPlan bool
	Mine    bool
	Names   map[int64]string
	Today   string
	// MySites are, for an inspector of the plan, the sites assigned to
	// them and then the open sites nobody is assigned to.
	MySites []inspect.SiteScore
	Me      int64
	// Sites is the plan's list as shown: the inspector's own sites first,
	// filtered by Show ("todo", "done" or "" for all), with the counts
	// of each filter over the whole plan.
	Sites  []inspect.SiteScore
	Show   string
	Counts planCounts
	// Points place the sites, for sorting nearest first in the browser.
	Points map[int64]geo.Point
	// CampaignName names the special campaign the plan serves, when the
	// reader may see it.
	CampaignName string
}

type planCounts struct{ All, ToDo, Done int }

// Near is the site's point, nil when it has no place.
func (d planPageData) Near(id int64) *geo.Point {
	if p, ok := d.Points[id]; ok {
		return &p
	}
	return nil
}

// shows reports whether a site passes the page's filter.
func (d planPageData) shows(sc inspect.SiteScore) bool {
	switch d.Show {
	case "todo":
		return !sc.Done
	case "done":
		return sc.Done
	}
	return true
}

// MayCheck reports whether the signed-in inspector of the plan may open a
// site's checklist: not inspected yet, and theirs or nobody's.
func (d planPageData) MayCheck(sc inspect.SiteScore) bool {
	return d.Mine && !sc.Done && (sc.AssigneeID == 0 || sc.AssigneeID == d.Me)
}

func (s *Server) planPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	res, err := s.Inspections.Results(ctx, a, id)
	if err != nil {
		return err
	}
	d := planPageData{Results: res, CanPlan: res.Plan.CanManage(a),
		Names: map[int64]string{}, Today: s.Problems.Now().In(s.loc).Format("2006-01-02")}
	for _, uid := range res.Plan.Inspectors {
		d.Mine = d.Mine || uid == a.UserID
		if u, err := s.Org.GetUser(ctx, access.System(), uid); err == nil {
			d.Names[uid] = u.DisplayName
		}
	}
	if show := r.URL.Query().Get("show"); show == "todo" || show == "done" {
		d.Show = show
	}
	var mine, others, open []inspect.SiteScore
	for _, sc := range res.Sites {
		d.Counts.All++
		if sc.Done {
			d.Counts.Done++
		} else {
			d.Counts.ToDo++
		}
		if !d.shows(sc) {
			continue
		}
		switch {
		case d.Mine && sc.AssigneeID == a.UserID:
			mine = append(mine, sc)
		case d.Mine && sc.AssigneeID == 0 && !sc.Done:
			open = append(open, sc)
			others = append(others, sc)
		default:
			others = append(others, sc)
		}
	}
	// An inspector finds their own sites first, in both lists.
	d.Sites = append(append(d.Sites, mine...), others...)
	if d.Mine {
		d.Me = a.UserID
		d.MySites = append(append(d.MySites, mine...), open...)
	}
	ids := make([]int64, len(d.Sites))
	for i, sc := range d.Sites {
		ids[i] = sc.SiteID
	}
	if d.Points, err = s.Sites.Points(ctx, ids); err != nil {
		return err
	}
	if id := res.Plan.CampaignID; id != 0 && s.Workplans != nil {
		if c, err := s.Workplans.Campaign(ctx, a, id); err == nil {
			d.CampaignName = c.Name
		}
	}
	s.render(w, r, http.StatusOK, "inspection", "inspect.plan_title", d)
	return nil
}
