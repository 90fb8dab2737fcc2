package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/problem"
)

func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseMultipartForm(maxPhotoForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	a := actorOf(r)
	in, _, err := s.reportInput(r)
	if err == nil {
		if in.Source == "" {
			in.Source = problem.SourceSnapshot
		}
		var c *problem.Case
		if c, err = s.Problems.Report(r.Context(), a, in); err == nil {
			if r.PostFormValue("fixed") == "1" && a.Has(access.RoleInspector) {
				if err = s.fixOnSpot(r, c.ID); err != nil {
					return s.redirectWith(w, r, "/problems/"+strconv.FormatInt(c.ID, 10), "report.fix_failed")
				}
			}
			return s.redirectWith(w, r, "/problems/"+strconv.FormatInt(c.ID, 10), "report.done")
		}
	}
	return s.refused(err, func(status int, msg string) error {
		d, derr := s.reportData(r)
		if derr != nil {
			return derr
		}
		d.In, d.Error = in, msg
		d.Lng, d.Lat = r.PostFormValue("lng"), r.PostFormValue("lat")
		s.render(w, r, status, "report", "report.title", d)
		return nil
	})
}

// fixOnSpot closes the loop of 立拍立改: the after-photos of the same form
// rectify the new case at once.
func (s *Server) fixOnSpot(r *http.Request, id int64) error {
	after, _, err := s.ingestPhotos(r.Context(), r.MultipartForm.File["after_photos"])
	if err != nil {
		return err
	}
	_, err = s.Problems.Move(r.Context(), actorOf(r), id, problem.MoveInput{
		Action: problem.ActFixOnSpot, Photos: after, Note: r.PostFormValue("fix_note")})
	return err
}
