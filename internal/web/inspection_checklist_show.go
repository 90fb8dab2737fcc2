package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/inspect"
)

type checklistData struct {
	List     inspect.Checklist
	Result   *inspect.Inspection
	Error    string
	ClientID string
}

func (s *Server) checklistIDs(r *http.Request) (int64, int64, error) {
	plan, err := pathID(r)
	if err != nil {
		return 0, 0, err
	}
	site, err := strconv.ParseInt(r.PathValue("site"), 10, 64)
	if err != nil {
		return 0, 0, apperr.NotFound("error.not_found")
	}
	return plan, site, nil
}

func (s *Server) checklist(w http.ResponseWriter, r *http.Request) error {
	plan, site, err := s.checklistIDs(r)
	if err != nil {
		return err
	}
	cl, err := s.Inspections.Checklist(r.Context(), actorOf(r), plan, site)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "checklist", "inspect.check_title", checklistData{List: cl, Result: cl.Done})
	return nil
}
