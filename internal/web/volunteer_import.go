package web

import (
	"net/http"

	"github.com/wenming-civic/wenming/internal/sheetsafe"
	"github.com/wenming-civic/wenming/internal/volunteer"
)

type volunteerImportData struct {
	Errors   []string
	Report   volunteer.ImportReport
	Done     bool
	HasKey   bool
	MaxBytes int
}

func (s *Server) volunteerRowErrors(errs []volunteer.RowError) []string {
	return sheetsafe.Messages(errs, s.Catalog.T)
}

// volunteerImportForm shows the upload form.
func (s *Server) volunteerImportForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "volunteer_import", "volunteer.import_title",
		volunteerImportData{HasKey: s.Volunteers.HasKey(), MaxBytes: volunteer.MaxImportBytes >> 20})
	return nil
}

// volunteerImport reads a workbook of volunteers: all of it or nothing,
// with each wrong row's number.
func (s *Server) volunteerImport(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, volunteer.MaxImportBytes+1<<20)
	d := volunteerImportData{HasKey: s.Volunteers.HasKey(), MaxBytes: volunteer.MaxImportBytes >> 20}
	file, _, err := r.FormFile("file")
	if err != nil {
		d.Errors = []string{s.Catalog.T("volunteer.import_no_file")}
		s.render(w, r, http.StatusBadRequest, "volunteer_import", "volunteer.import_title", d)
		return nil
	}
	defer file.Close()
	rep, err := s.Volunteers.Import(r.Context(), actorOf(r), file)
	if err != nil {
		return s.refused(err, func(status int, msg string) error {
			d.Errors = []string{msg}
			s.render(w, r, status, "volunteer_import", "volunteer.import_title", d)
			return nil
		})
	}
	d.Report = rep
	if len(rep.Errors) > 0 {
		d.Errors = s.volunteerRowErrors(rep.Errors)
		s.render(w, r, http.StatusUnprocessableEntity, "volunteer_import", "volunteer.import_title", d)
		return nil
	}
	d.Done = true
	s.render(w, r, http.StatusOK, "volunteer_import", "volunteer.import_title", d)
	return nil
}

// volunteerImportTemplate is the empty sheet to fill in.
func (s *Server) volunteerImportTemplate(w http.ResponseWriter, r *http.Request) error {
	buf, err := volunteer.Template()
	if err != nil {
		return err
	}
	return s.download(w, buf, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "volunteers-template.xlsx", "志愿者导入模板.xlsx")
}
