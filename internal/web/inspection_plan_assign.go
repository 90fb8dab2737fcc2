package web

import (
	"net/http"
	"strconv"
)

// planAssign deals the plan's open sites to its inspectors by street or
// evenly.
func (s *Server) planAssign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.Inspections.AssignSites(r.Context(), actorOf(r), id, r.PostFormValue("mode")); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/inspections/"+strconv.FormatInt(id, 10), "inspect.assigned")
}

// planAssignSite assigns one site to an inspector of the plan (0: anyone).
func (s *Server) planAssignSite(w http.ResponseWriter, r *http.Request) error {
	plan, site, err := s.checklistIDs(r)
	if err != nil {
		return err
	}
	if err := s.Inspections.AssignSite(r.Context(), actorOf(r), plan, site, formID(r, "inspector")); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/inspections/"+strconv.FormatInt(plan, 10)+"#site-"+strconv.FormatInt(site, 10), "inspect.assigned")
}
