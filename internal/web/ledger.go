package web

import (
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/ledgerxlsx"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/notice"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/routing"
)

// CategoryOption and CategoryGroup feed the category select boxes.
type CategoryOption struct {
	ID   int64
	Name string
}

// CategoryGroup is a top category with its active sub-categories.
type CategoryGroup struct {
	Name    string
	Options []CategoryOption
}

func (s *Server) registerLedger(mux *http.ServeMux) {
	mux.Handle("GET /problems", s.page(s.ledgerList, true))
	mux.Handle("GET /problems/kpis", s.page(s.ledgerKPIs, true))
	mux.Handle("GET /problems/map", s.page(s.ledgerMap, true))
	mux.Handle("GET /problems/map.geojson", s.page(s.ledgerGeoJSON, true))
	mux.Handle("GET /problems/{id}", s.page(s.casePage, true))
	mux.Handle("POST /problems/{id}/act", s.page(s.caseAct, true))
	mux.Handle("GET /report", s.page(s.reportForm, true))
	mux.Handle("POST /report", s.page(s.reportSubmit, true))
	mux.Handle("GET /photos/{hash}/{size}", s.page(s.photo, true))
	mux.Handle("GET /notifications", s.page(s.notificationList, true))
	mux.Handle("POST /notifications/read", s.page(s.notificationsRead, true))
	s.registerLedgerXLSX(mux)
}

// ledgerFilter reads the ledger's filter from the query string.
func ledgerFilter(q url.Values, loc *time.Location) problem.Filter {
	f := problem.Filter{
		Region: strings.TrimSpace(q.Get("region")), Source: problem.Source(q.Get("source")),
		Overdue: q.Get("overdue") == "1", Text: q.Get("q"), Sort: q.Get("sort"),
	}
	for _, st := range q["state"] {
		if st != "" {
			f.States = append(f.States, problem.State(st))
		}
	}
	f.UnitID, _ = strconv.ParseInt(q.Get("unit"), 10, 64)
	f.CategoryID, _ = strconv.ParseInt(q.Get("category"), 10, 64)
	f.Escalation, _ = strconv.Atoi(q.Get("escalation"))
	if t, err := time.ParseInLocation("2006-01-02", q.Get("from"), loc); err == nil {
		f.From = t
	}
	if t, err := time.ParseInLocation("2006-01-02", q.Get("to"), loc); err == nil {
		f.To = t.AddDate(0, 0, 1) // the "to" day is included
	}
	return f
}

type ledgerData struct {
	Cases      []*problem.Case
	Pager      pager
	Query      url.Values
	Categories []CategoryGroup
	Units      []org.Unit
	Now        time.Time
	CanReport  bool
	CanExport  bool
	CanImport  bool
	QueryStr   string
	More       bool // more than problem.CountCap cases match
}

type kpiData struct {
	KPI        problem.KPI
	PeriodFrom time.Time
	PeriodTo   time.Time
}

// ledgerKPIs is the partial the ledger loads after its list: the rates over
// the filter's period, by filing time (this month by default). Over a whole
// city they take longer than the list, so they do not hold it up.
func (s *Server) ledgerKPIs(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	f := ledgerFilter(r.URL.Query(), s.loc)
	now := s.Problems.Now()
	d := kpiData{PeriodFrom: f.From, PeriodTo: f.To}
	if d.PeriodFrom.IsZero() {
		local := now.In(s.loc)
		d.PeriodFrom = time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, s.loc)
	}
	if d.PeriodTo.IsZero() {
		d.PeriodTo = now
	}
	var err error
	if d.KPI, err = s.Problems.KPIs(r.Context(), a, f, d.PeriodFrom, d.PeriodTo, s.Hours); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "ledger_kpis", "ledger.title", d)
	return nil
}

func (s *Server) ledgerList(w http.ResponseWriter, r *http.Request) error {
	ctx, a, q := r.Context(), actorOf(r), r.URL.Query()
	f := ledgerFilter(q, s.loc)
	page, offset, limit := pageParams(r)
	f.Offset, f.Limit = offset, limit
	cases, total, err := s.Problems.List(ctx, a, f)
	if err != nil {
		return err
	}
	d := ledgerData{Cases: cases, Pager: newPager(r, page, limit, total), Query: q, Now: s.Problems.Now(),
		CanReport: a.SignedIn(), CanExport: ledgerxlsx.MayExport(a),
		CanImport: a.HasAny(access.RoleAdmin, access.RoleOffice), QueryStr: r.URL.RawQuery, More: total > problem.CountCap}
	if d.Categories, err = s.CategoryGroups(ctx); err != nil {
		return err
	}
	if d.Units, err = s.Org.UnitChoices(ctx, a); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "ledger", "ledger.title", d)
	return nil
}

type caseData struct {
	Case       *problem.Case
	Events     []problem.Event
	Before     []string
	After      []string
	Warnings   []string
	Actions    []problem.Action
	Categories []CategoryGroup
	Units      []org.Unit
	Preview    routing.Decision
	Similar    []*problem.Case
	// Marks are the office's assessment marks: buttons for the office
	// that may set them, read-only for the others; nil hides them.
	Marks *problem.MarksView
	Now   time.Time
	Error string
}

func (s *Server) caseData(ctx context.Context, a access.Actor, id int64) (caseData, error) {
	c, err := s.Problems.Get(ctx, a, id)
	if err != nil {
		return caseData{}, err
	}
	events, err := s.Problems.Timeline(ctx, a, id)
	if err != nil {
		return caseData{}, err
	}
	d := caseData{Case: c, Events: events, Actions: problem.Actions(a, c), Now: s.Problems.Now()}
	if s.Bulletins != nil {
		if d.Marks, err = s.Problems.ViewMarks(ctx, a, id); err != nil {
			return d, err
		}
	}
	for _, e := range events {
		for _, p := range e.Photos {
			if p.Role == "before" {
				d.Before = append(d.Before, p.Hash)
			} else {
				d.After = append(d.After, p.Hash)
			}
		}
	}
	if c.State == problem.Rectified {
		// The verifier sees where and when the after-photos were taken.
		for _, h := range d.After {
			ph, err := s.Media.Get(ctx, h)
			if err != nil {
				continue
			}
			var lat, lng float64
			if c.HasPlace {
				lat, lng = c.Lat, c.Lng
			}
			// Half an hour of grace: a 立拍立改 after-photo is often taken
			// just before the report is sent.
			for _, wn := range media.Warnings(ph, lat, lng, c.ReportedAt.Add(-30*time.Minute)) {
				d.Warnings = append(d.Warnings, s.Catalog.T(wn.Code, wn.Args...))
			}
		}
	}
	for _, act := range d.Actions {
		switch act {
		case problem.ActMerge:
			if d.Similar, err = s.Problems.Similar(ctx, a, c, s.Duplicates); err != nil {
				return d, err
			}
		case problem.ActFile:
			if d.Categories, err = s.CategoryGroups(ctx); err != nil {
				return d, err
			}
		case problem.ActDispatch:
			if d.Units, err = s.Org.UnitChoices(ctx, a); err != nil {
				return d, err
			}
			if c.CategoryID != 0 {
				d.Preview, _ = s.Routing.Decide(ctx, c.CategoryID, c.RegionCode)
			}
		}
	}
	return d, nil
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.caseData(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "case", "case.title", d)
	return nil
}

// maxPhotoForm bounds what the multipart parser keeps in memory; larger
// uploads spill to temporary files.
const maxPhotoForm = 8 << 20

// ingestPhotos stores the uploaded files of a form field and returns their
// hashes; nothing of a bad file is kept.
func (s *Server) ingestPhotos(ctx context.Context, files []*multipart.FileHeader) ([]string, []media.Photo, error) {
	if len(files) > problem.MaxPhotos {
		return nil, nil, apperr.Invalid("problem.too_many_photos", problem.MaxPhotos)
	}
	var hashes []string
	var photos []media.Photo
	// Decoding a photo takes tens of megabytes: a few at a time per server.
	select {
	case s.ingestSlots <- struct{}{}:
		defer func() { <-s.ingestSlots }()
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return nil, nil, apperr.Invalid("media.not_image")
		}
		p, err := s.Media.Ingest(ctx, f, fh.Filename)
		f.Close()
		if err != nil {
			return nil, nil, err
		}
		hashes = append(hashes, p.Hash)
		photos = append(photos, p)
	}
	return hashes, photos, nil
}

func (s *Server) caseAct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseMultipartForm(maxPhotoForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	a := actorOf(r)
	in := problem.MoveInput{
		Action: problem.Action(r.PostFormValue("action")), Note: r.PostFormValue("note"),
		UnitID: formID(r, "unit_id"), CategoryID: formID(r, "category_id"),
	}
	in.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	if v := r.PostFormValue("deadline"); v != "" {
		t, perr := parseLocalTime(v, s.loc)
		if perr != nil {
			return s.caseError(w, r, id, apperr.Invalid("case.bad_time"))
		}
		in.Deadline = t
	}
	if v := strings.TrimSpace(r.PostFormValue("duplicate_of")); v != "" {
		other, err := s.Problems.IDByCode(r.Context(), a, v)
		if err != nil {
			return s.caseError(w, r, id, apperr.Invalid("problem.duplicate_of_invalid"))
		}
		in.DuplicateOf = other
	}
	if r.MultipartForm != nil {
		if in.Photos, _, err = s.ingestPhotos(r.Context(), r.MultipartForm.File["photos"]); err != nil {
			return s.caseError(w, r, id, err)
		}
	}
	if _, err := s.Problems.Move(r.Context(), a, id, in); err != nil {
		return s.caseError(w, r, id, err)
	}
	return s.redirectWith(w, r, "/problems/"+strconv.FormatInt(id, 10), "case.done")
}

// caseError shows the case again with the reason a move was refused.
func (s *Server) caseError(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	msg, status, ok := s.formError(err)
	if !ok {
		return err
	}
	d, derr := s.caseData(r.Context(), actorOf(r), id)
	if derr != nil {
		return derr
	}
	d.Error = msg
	s.render(w, r, status, "case", "case.title", d)
	return nil
}

func parseLocalTime(v string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			if layout == "2006-01-02" {
				t = t.Add(18 * time.Hour) // a date alone means the end of that working day
			}
			return t, nil
		}
	}
	return time.Time{}, errors.New("bad time")
}

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
	msg, status, ok := s.formError(err)
	if !ok {
		return err
	}
	d, derr := s.reportData(r)
	if derr != nil {
		return derr
	}
	d.In, d.Error = in, msg
	d.Lng, d.Lat = r.PostFormValue("lng"), r.PostFormValue("lat")
	s.render(w, r, status, "report", "report.title", d)
	return nil
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

// photo serves a derived, EXIF-free copy of a photo to someone who may see
// a case it belongs to.
func (s *Server) photo(w http.ResponseWriter, r *http.Request) error {
	hash, size := r.PathValue("hash"), r.PathValue("size")
	if !media.ValidHash(hash) || (size != media.SizeThumb && size != media.SizeDisplay) {
		return apperr.NotFound("error.not_found")
	}
	ok, err := s.Problems.CanSeePhoto(r.Context(), actorOf(r), hash)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFound("error.not_found")
	}
	rc, err := s.Media.OpenDerived(r.Context(), hash, size)
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = copyBody(w, rc)
	return err
}

type noticeData struct {
	Items []notice.Notification
}

func (s *Server) notificationList(w http.ResponseWriter, r *http.Request) error {
	items, err := s.Notices.List(r.Context(), actorOf(r), 100)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "notifications", "notice.title", noticeData{Items: items})
	return nil
}

func (s *Server) notificationsRead(w http.ResponseWriter, r *http.Request) error {
	if err := s.Notices.MarkRead(r.Context(), actorOf(r), formID(r, "id")); err != nil {
		return err
	}
	to := "/notifications"
	if id := formID(r, "problem_id"); id != 0 {
		to = "/problems/" + strconv.FormatInt(id, 10)
	} else if id := formID(r, "bulletin_id"); id != 0 {
		to = "/bulletins/" + strconv.FormatInt(id, 10)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
