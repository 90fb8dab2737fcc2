package web

import (
	"errors"
	"mime/multipart"
	"net/http"

	"github.com/wenming-civic/wenming/internal/workplan"
)

// workCreate sends a unit's work report with its photos; the report is
// checked before a photo is stored.
func (s *Server) workCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseMultipartForm(maxPhotoForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	in := workplan.WorkReportInput{Title: r.PostFormValue("title"), Body: r.PostFormValue("body"), HappenedOn: r.PostFormValue("happened_on"),
		TaskID: formID(r, "task")}
	show := func(status int, msg string) error {
		d, err := s.workListData(r)
		if err != nil {
			return err
		}
		d.In, d.Error = in, msg
		s.render(w, r, status, "workplan_work", "workplan.work_title", d)
		return nil
	}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File["photos"]
	}
	err := s.Workplans.CheckWorkReport(ctx, a, in)
	if err == nil && len(files) > workplan.MaxPhotos {
		err = errTooManyWorkplanPhotos()
	}
	if err == nil {
		_, err = s.inspectPhotos(ctx, files)
	}
	if err == nil {
		in.Photos, _, err = s.ingestPhotos(ctx, files)
	}
	if err == nil {
		_, err = s.Workplans.SubmitWork(ctx, a, in)
	}
	if err != nil {
		return s.refused(err, show)
	}
	return s.redirectWith(w, r, "/workplans/work", "workplan.work_submitted")
}
