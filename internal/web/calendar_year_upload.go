package web

import (
	"errors"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/calendar"
)

// calendarUploadForm is a year's schedule as uploaded; File is nil when
// none was sent.
type calendarUploadForm struct {
	YearText string // as entered; "" takes the year of the file's first day
	Year     int
	File     multipart.File
}

func parseCalendarUploadForm(r *http.Request) (calendarUploadForm, error) {
	f := calendarUploadForm{YearText: strings.TrimSpace(r.PostFormValue("year"))}
	f.Year, _ = strconv.Atoi(f.YearText)
	file, _, err := r.FormFile("file")
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return f, err
	}
	if err == nil {
		f.File = file
	}
	return f, nil
}

func (s *Server) calendarUpload(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	f, err := parseCalendarUploadForm(r)
	if err != nil {
		return err
	}
	year := f.Year
	d := calendarData{Year: year, UploadYear: year}
	if f.File == nil {
		d.UploadErrors = []string{s.Catalog.T("cfg.calendar.file_required")}
		return s.calendarPage(w, r, http.StatusBadRequest, d)
	}
	defer f.File.Close()
	days, rowErrs := calendar.ParseDays(f.File)
	if len(rowErrs) > 0 {
		d.UploadSummary = s.Catalog.T("calendar.import.failed", len(rowErrs))
		for _, e := range rowErrs {
			msg := s.Catalog.T(e.Code, e.Args...)
			if e.Line > 0 {
				msg = s.Catalog.T("calendar.import.at_line", e.Line, msg)
			}
			d.UploadErrors = append(d.UploadErrors, msg)
		}
		return s.calendarPage(w, r, http.StatusBadRequest, d)
	}
	if f.YearText == "" && len(days) > 0 {
		year, _ = strconv.Atoi(days[0].Date[:4])
		d.Year, d.UploadYear = year, year
	}
	if err := s.Calendar.ReplaceYear(r.Context(), a, year, days); err != nil {
		return s.refused(err, func(status int, msg string) error {
			if status == http.StatusBadRequest {
				d.UploadSummary = s.Catalog.T("calendar.import.failed", 1)
			}
			d.UploadErrors = []string{msg}
			return s.calendarPage(w, r, status, d)
		})
	}
	return s.redirectWith(w, r, "/settings/calendar?year="+strconv.Itoa(year), "cfg.calendar.uploaded")
}
