package web

import (
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) planFollowup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	name, start, end := r.PostFormValue("name"), r.PostFormValue("starts_on"), r.PostFormValue("ends_on")
	if start == "" || end == "" {
		// Follow-ups start today and last a week unless said otherwise.
		today := s.Problems.Now().In(s.loc)
		start, end = today.Format("2006-01-02"), today.AddDate(0, 0, 7).Format("2006-01-02")
	}
	if strings.TrimSpace(name) == "" {
		prev, err := s.Inspections.Plan(r.Context(), actorOf(r), id)
		if err != nil {
			return err
		}
		name = prev.Name + "（" + s.Catalog.T("inspect.followup_badge") + "）"
	}
	p, err := s.Inspections.Followup(r.Context(), actorOf(r), id, name, start, end)
	if err != nil {
		return err
	}
	return s.redirectWith(w, r, "/inspections/"+strconv.FormatInt(p.ID, 10), "inspect.created")
}
