package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/apperr"
)

// workplanReportFile downloads a progress report's file to those who may
// see the report.
func (s *Server) workplanReportFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		return apperr.NotFound("workplan.file_not_found")
	}
	ctx := r.Context()
	rf, err := s.Workplans.ReportFileAt(ctx, actorOf(r), id, n)
	if err != nil {
		return err
	}
	f, err := s.Files.Get(ctx, rf.Hash)
	if err != nil {
		return err
	}
	rc, err := s.Files.Open(ctx, rf.Hash)
	if err != nil {
		return err
	}
	defer rc.Close()
	return sendFile(w, rc, f, rf.Name, "report-"+strconv.FormatInt(id, 10)+"-"+strconv.Itoa(n+1))
}
