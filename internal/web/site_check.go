package web

import (
	"net/http"
	"strconv"
)

// siteCheck opens the site's checklist in the inspector's open plan; with
// none, it shows the site and says that no plan holds it.
func (s *Server) siteCheck(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	x, err := s.Sites.Get(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	if plan, ok, err := s.Inspections.OpenPlanFor(r.Context(), actorOf(r), id); err != nil {
		return err
	} else if ok {
		http.Redirect(w, r, "/inspections/"+strconv.FormatInt(plan, 10)+"/sites/"+strconv.FormatInt(id, 10)+"/check", http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, "site_check", "site.check_title", siteDetailData{Site: x, ScoreText: s.scoreText(x.Score)})
	return nil
}
