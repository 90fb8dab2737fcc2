package web

import (
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/workplan"
)

// workplanReportForm is a progress report as posted: the unit's text,
// figures and photos, and (from the lead unit) its cooperating units'
// parts as part_<unit>_body, part_<unit>_amount and part_<unit>_spent.
func workplanReportForm(r *http.Request, coops []int64) (workplan.ReportInput, error) {
	in := workplan.ReportInput{Body: r.PostFormValue("body"), ClaimsDone: r.PostFormValue("claims_done") == "1"}
	var err error
	if in.Amount, err = formAmount(r, "amount"); err != nil {
		return in, err
	}
	if in.Spent, err = formAmount(r, "spent"); err != nil {
		return in, err
	}
	for _, u := range coops {
		key := "part_" + strconv.FormatInt(u, 10) + "_"
		p := workplan.PartInput{UnitID: u, Body: r.PostFormValue(key + "body")}
		if p.Amount, err = formAmount(r, key+"amount"); err != nil {
			return in, err
		}
		if p.Spent, err = formAmount(r, key+"spent"); err != nil {
			return in, err
		}
		if p.Body != "" || p.Amount != nil || p.Spent != nil {
			in.Parts = append(in.Parts, p)
		}
	}
	return in, nil
}

// workplanReportCreate files a unit's progress report with its photos.
func (s *Server) workplanReportCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseMultipartForm(maxPhotoForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	t, err := s.Workplans.Task(ctx, a, id)
	if err != nil {
		return err
	}
	var coops []int64
	if t.IsLead(a) {
		coops = t.CoopUnitIDs
	}
	in, err := workplanReportForm(r, coops)
	if err != nil {
		return s.workplanTaskRefused(w, r, err)
	}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File["photos"]
	}
	if len(files) > workplan.MaxPhotos {
		return s.workplanTaskRefused(w, r, errTooManyWorkplanPhotos())
	}
	// Check the report and its photos before storing one, so a refused
	// report keeps none.
	if err := s.Workplans.CheckReport(ctx, a, id, in); err != nil {
		return s.workplanTaskRefused(w, r, err)
	}
	if _, err := s.inspectPhotos(ctx, files); err != nil {
		return s.workplanTaskRefused(w, r, err)
	}
	var docs []*multipart.FileHeader
	if r.MultipartForm != nil {
		docs = r.MultipartForm.File["files"]
	}
	if len(docs) > workplan.MaxFiles {
		return s.workplanTaskRefused(w, r, apperr.Invalid("workplan.too_many_files", workplan.MaxFiles))
	}
	if in.Photos, _, err = s.ingestPhotos(ctx, files); err != nil {
		return s.workplanTaskRefused(w, r, err)
	}
	// Each file is checked by its content as the dossiers' are; one that
	// is refused refuses the report (the files stored before it are
	// content-addressed and kept by nothing).
	for _, fh := range docs {
		f, err := s.ingestFile(ctx, fh)
		if err != nil {
			return s.workplanTaskRefused(w, r, err)
		}
		in.Files = append(in.Files, workplan.ReportFile{Hash: f.Hash, Name: f.OriginalName})
	}
	if _, err := s.Workplans.FileReport(ctx, a, id, in); err != nil {
		return s.workplanTaskRefused(w, r, err)
	}
	return s.redirectWith(w, r, taskPath(id), "workplan.report_filed")
}

// ingestFile stores one uploaded file through the file store, which
// checks its size, type and structure.
func (s *Server) ingestFile(ctx context.Context, fh *multipart.FileHeader) (media.File, error) {
	if s.Files == nil {
		return media.File{}, apperr.Invalid("workplan.files_off")
	}
	if fh.Size > s.Files.MaxBytes() {
		return media.File{}, apperr.Invalid("media.file_too_large", formatMB(s.Files.MaxBytes()))
	}
	rd, err := fh.Open()
	if err != nil {
		return media.File{}, err
	}
	defer rd.Close()
	return s.Files.Ingest(ctx, rd, rawFileName(fh))
}
