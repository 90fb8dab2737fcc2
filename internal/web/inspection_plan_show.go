package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/access"
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
	if d.Mine {
		d.Me = a.UserID
		var open []inspect.SiteScore
		for _, sc := range res.Sites {
			switch {
			case sc.AssigneeID == a.UserID:
				d.MySites = append(d.MySites, sc)
			case sc.AssigneeID == 0 && !sc.Done:
				open = append(open, sc)
			}
		}
		d.MySites = append(d.MySites, open...)
	}
	s.render(w, r, http.StatusOK, "inspection", "inspect.plan_title", d)
	return nil
}
