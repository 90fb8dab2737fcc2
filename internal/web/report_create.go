package web

import (
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/problem"
)

// reportSubmit files a report (随手拍): the form is checked by the ledger
// first, its photos are stored only then, and the case is filed. An
// inspector who fixed the problem on the spot rectifies it at once.
func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	f, err := s.parseReportForm(r, true)
	if f.In.Source == "" {
		f.In.Source = problem.SourceSnapshot
	}
	var c *problem.Case
	if err == nil {
		err = s.Problems.CheckReport(r.Context(), a, f.In)
	}
	if err == nil {
		err = s.storePhotos(r, f)
	}
	if err == nil {
		c, err = s.Problems.Report(r.Context(), a, f.In)
	}
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			d, derr := s.reportData(r)
			if derr != nil {
				return derr
			}
			d.In, d.Error, d.Lng, d.Lat, d.Fixed, d.FixNote = f.In, msg, f.Lng, f.Lat, f.Fixed, f.FixNote
			if kerr := s.keepRefused(r, f, &d, true); kerr != nil {
				return kerr
			}
			s.render(w, r, status, "report", "report.title", d)
			return nil
		})
	}
	if s.Volunteers != nil {
		// A volunteer on duty (文明劝导) reports for the activity too.
		if _, err := s.Volunteers.NoteReport(r.Context(), a, c.ID); err != nil {
			s.Log.Warn("note a volunteer's report", "err", err)
		}
	}
	if f.Fixed {
		if _, err := s.Problems.Move(r.Context(), a, c.ID, problem.MoveInput{
			Action: problem.ActFixOnSpot, Photos: f.After, Note: f.FixNote}); err != nil {
			return s.fixFailed(w, r, c.ID, err)
		}
	}
	return s.redirectWith(w, r, "/problems/"+strconv.FormatInt(c.ID, 10), "report.done")
}

// fixFailed shows the new case with the reason 立拍立改 was refused: the
// report is filed, the rectification is not. Other errors go to the error
// page.
func (s *Server) fixFailed(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	return s.refused(err, func(status int, msg string) error {
		d, derr := s.caseData(r.Context(), actorOf(r), id)
		if derr != nil {
			return derr
		}
		d.Error = s.Catalog.T("report.fix_failed", msg)
		s.render(w, r, status, "case", "case.title", d)
		return nil
	})
}
