package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/problem"
)

type reportData struct {
	Categories []CategoryGroup
	In         problem.ReportInput
	Lng, Lat   string
	Error      string
	Sources    []problem.Source
	Office     bool
}

func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) error {
	d, err := s.reportData(r)
	if err != nil {
		return err
	}
	d.In.Source = problem.SourceSnapshot
	if src := problem.Source(r.URL.Query().Get("source")); d.Office && src.Valid() {
		d.In.Source = src
	}
	s.render(w, r, http.StatusOK, "report", "report.title", d)
	return nil
}

func (s *Server) reportData(r *http.Request) (reportData, error) {
	a := actorOf(r)
	cats, err := s.CategoryGroups(r.Context())
	if err != nil {
		return reportData{}, err
	}
	d := reportData{Categories: cats, Office: a.HasAny(access.RoleOffice, access.RoleAdmin)}
	if d.Office {
		d.Sources = []problem.Source{problem.SourceSnapshot, problem.SourceHotline, problem.SourceMedia, problem.SourceSuperior,
			problem.SourceInspection, problem.SourceCamera, problem.SourceOther}
	} else if a.Has(access.RoleInspector) {
		d.Sources = []problem.Source{problem.SourceSnapshot, problem.SourceInspection}
	}
	return d, nil
}

// reportInput reads a report form, ingesting its photos.
func (s *Server) reportInput(r *http.Request) (problem.ReportInput, []media.Photo, error) {
	in := problem.ReportInput{
		Source: problem.Source(r.PostFormValue("source")), CategoryID: formID(r, "category_id"),
		Description: r.PostFormValue("description"), Address: r.PostFormValue("address"),
		RegionCode:   strings.TrimSpace(r.PostFormValue("region_code")),
		ReporterName: r.PostFormValue("reporter_name"), ReporterPhone: r.PostFormValue("reporter_phone"),
	}
	lng, errLng := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("lng")), 64)
	lat, errLat := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("lat")), 64)
	if errLng == nil && errLat == nil {
		in.Lng, in.Lat, in.HasPlace = lng, lat, true
	}
	var photos []media.Photo
	if r.MultipartForm != nil {
		var err error
		if in.Photos, photos, err = s.ingestPhotos(r.Context(), r.MultipartForm.File["photos"]); err != nil {
			return in, nil, err
		}
	}
	// Without a position from the browser, the first photo's GPS will do.
	if !in.HasPlace {
		for _, p := range photos {
			if p.HasGPS {
				in.Lng, in.Lat, in.HasPlace = p.Lng, p.Lat, true
				break
			}
		}
	}
	return in, photos, nil
}
