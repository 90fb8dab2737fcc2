package web

import (
	"errors"
	"mime/multipart"
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
	// Kept and KeptAfter are the photos kept from a refused post, shown
	// as thumbnails and posted again by ticket (photo_keep.go).
	Kept, KeptAfter []keptPhoto
	Fixed           bool   // 立拍立改 was ticked
	FixNote         string // and its note
}

func (s *Server) reportNew(w http.ResponseWriter, r *http.Request) error {
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

// reportForm is a report as posted. Its photos are checked and their
// hashes and GPS read (In.Photos), but nothing is stored until the whole
// form has been checked: storePhotos keeps them.
type reportForm struct {
	In       problem.ReportInput
	Lng, Lat string // as posted, to show again
	Site     string // the public form's QR token of a scanned site
	// Fixed asks to rectify the new case on the spot (立拍立改) with the
	// after-photos and the note.
	Fixed   bool
	FixNote string
	After   []string
	photos  []*multipart.FileHeader
	after   []*multipart.FileHeader
	// kept and keptAfter came as tickets of photos kept from a refused
	// post; their hashes lead In.Photos and After.
	kept, keptAfter []keptPhoto
}

// parseReportForm reads a report form; with fix, also the fields of 立拍立改
// (the public form has none). A refused photo is an error of the form;
// what was read so far comes back with it, to show again.
func (s *Server) parseReportForm(r *http.Request, fix bool) (reportForm, error) {
	if err := r.ParseMultipartForm(maxPhotoForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return reportForm{}, err
	}
	f := reportForm{
		In: problem.ReportInput{
			Source: problem.Source(r.PostFormValue("source")), CategoryID: formID(r, "category_id"),
			Description: r.PostFormValue("description"), Address: r.PostFormValue("address"),
			RegionCode:   strings.TrimSpace(r.PostFormValue("region_code")),
			ReporterName: r.PostFormValue("reporter_name"), ReporterPhone: r.PostFormValue("reporter_phone"),
		},
		Lng: r.PostFormValue("lng"), Lat: r.PostFormValue("lat"), Site: strings.TrimSpace(r.PostFormValue("site")),
		Fixed: fix && r.PostFormValue("fixed") == "1", FixNote: r.PostFormValue("fix_note"),
	}
	lng, errLng := strconv.ParseFloat(strings.TrimSpace(f.Lng), 64)
	lat, errLat := strconv.ParseFloat(strings.TrimSpace(f.Lat), 64)
	if errLng == nil && errLat == nil {
		f.In.Lng, f.In.Lat, f.In.HasPlace = lng, lat, true
	}
	if r.MultipartForm != nil {
		f.photos, f.after = r.MultipartForm.File["photos"], r.MultipartForm.File["after_photos"]
	}
	var err error
	if f.kept, err = s.keptPhotos(r, "kept_photo"); err != nil {
		return f, err
	}
	if f.Fixed {
		if f.keptAfter, err = s.keptPhotos(r, "kept_after"); err != nil {
			return f, err
		}
	}
	for _, k := range f.kept {
		f.In.Photos = append(f.In.Photos, k.Hash)
	}
	for _, k := range f.keptAfter {
		f.After = append(f.After, k.Hash)
	}
	photos, err := s.inspectPhotos(r.Context(), f.photos)
	if err != nil {
		return f, err
	}
	for _, p := range photos {
		f.In.Photos = append(f.In.Photos, p.Hash)
	}
	// Without a position from the browser, the first photo's GPS will do.
	if !f.In.HasPlace {
		all := make([]media.Photo, 0, len(f.kept)+len(photos))
		for _, k := range f.kept {
			all = append(all, k.photo)
		}
		for _, p := range append(all, photos...) {
			if p.HasGPS {
				f.In.Lng, f.In.Lat, f.In.HasPlace = p.Lng, p.Lat, true
				break
			}
		}
	}
	if f.Fixed {
		after, err := s.inspectPhotos(r.Context(), f.after)
		if err != nil {
			return f, err
		}
		for _, p := range after {
			f.After = append(f.After, p.Hash)
		}
	}
	return f, nil
}

// keepRefused keeps the photos of a refused form for the form shown again.
// With fix, the after-photos of 立拍立改 too (the public form has none).
func (s *Server) keepRefused(r *http.Request, f reportForm, d *reportData, fix bool) error {
	var err error
	if d.Kept, err = s.keepPhotos(r.Context(), r, f.kept, f.photos); err != nil {
		return err
	}
	if fix && f.Fixed {
		d.KeptAfter, err = s.keepPhotos(r.Context(), r, f.keptAfter, f.after)
	}
	return err
}

// storePhotos keeps the form's photos, once the form has been checked.
func (s *Server) storePhotos(r *http.Request, f reportForm) error {
	if _, _, err := s.ingestPhotos(r.Context(), f.photos); err != nil {
		return err
	}
	if f.Fixed {
		if _, _, err := s.ingestPhotos(r.Context(), f.after); err != nil {
			return err
		}
	}
	return nil
}
