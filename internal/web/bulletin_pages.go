package web

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/pdfdoc"
	"github.com/wenming-civic/wenming/internal/problem"
)

// registerBulletins adds the bulletin pages: the archive with the form to
// compose, a draft preview, the bulletin, its print layout (an A4 notice),
// workbook and PDF, re-issue, the assessment configuration with the
// schedules, and the office's marks on cases.
func (s *Server) registerBulletins(mux *http.ServeMux) {
	if s.Bulletins == nil {
		return
	}
	mux.Handle("GET /bulletins", s.page(s.bulletinArchive, true))
	mux.Handle("POST /bulletins", s.page(s.bulletinIssue, true))
	mux.Handle("GET /bulletins/preview", s.page(s.bulletinPreview, true))
	mux.Handle("GET /bulletins/config", s.page(s.bulletinConfig, true))
	mux.Handle("POST /bulletins/config", s.page(s.bulletinConfigSave, true))
	mux.Handle("POST /bulletins/schedules", s.page(s.bulletinScheduleCreate, true))
	mux.Handle("POST /bulletins/schedules/{id}/enabled", s.page(s.bulletinScheduleEnabled, true))
	mux.Handle("POST /bulletins/schedules/{id}/delete", s.page(s.bulletinScheduleDelete, true))
	mux.Handle("GET /bulletins/marks", s.page(s.bulletinMarks, true))
	mux.Handle("POST /bulletins/marks", s.page(s.bulletinMark, true))
	// {file} is an id, or an id with .xlsx or .pdf.
	mux.Handle("GET /bulletins/{file}", s.page(s.bulletinFile, true))
	mux.Handle("GET /bulletins/{id}/print", s.page(s.bulletinPrint, true))
	mux.Handle("POST /bulletins/{id}/reissue", s.page(s.bulletinReissue, true))
}

// t is the catalogue as the bulletin package wants it.
func (s *Server) bt() bulletin.T { return s.Catalog.T }

func mayCompose(a access.Actor) bool {
	return a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader)
}

func mayIssueBulletins(a access.Actor) bool { return a.HasAny(access.RoleAdmin, access.RoleOffice) }

// bulletinRequest reads the compose form (from a query or a post).
func bulletinRequest(v url.Values) bulletin.Request {
	req := bulletin.Request{Period: bulletin.Period{Kind: v.Get("kind"), From: v.Get("from")}, Title: v.Get("title")}
	if req.Period.Kind == bulletin.PeriodCustom {
		req.Period.To = v.Get("to")
	}
	if v.Get("mode") == "units" {
		for _, u := range v["units"] {
			if id, err := strconv.ParseInt(strings.TrimSpace(u), 10, 64); err == nil {
				req.Units = append(req.Units, id)
			}
		}
		if len(req.Units) == 0 {
			// Nothing chosen: let the store say so.
			req.Units = nil
		}
	} else {
		req.Region = strings.TrimSpace(v.Get("region"))
	}
	return req
}

type composeForm struct {
	Mode, Region, Kind, From, To, Title string
	Units                               map[int64]bool
}

func composeFrom(v url.Values, a access.Actor, today string) composeForm {
	f := composeForm{Mode: v.Get("mode"), Region: v.Get("region"), Kind: v.Get("kind"), From: v.Get("from"), To: v.Get("to"),
		Title: v.Get("title"), Units: map[int64]bool{}}
	if f.Mode == "" {
		f.Mode = "region"
	}
	if f.Region == "" {
		f.Region = a.Region
	}
	if f.Kind == "" {
		f.Kind = bulletin.PeriodWeek
	}
	if f.From == "" {
		f.From = today
	}
	if f.To == "" {
		f.To = today
	}
	for _, u := range v["units"] {
		if id, err := strconv.ParseInt(u, 10, 64); err == nil {
			f.Units[id] = true
		}
	}
	return f
}

type archiveData struct {
	List       []bulletin.Summary
	Pager      pager
	CanCompose bool
	CanIssue   bool
	Form       composeForm
	UnitGroups []unitChoiceGroup
	Error      string
	Kinds      []string
	T          bulletin.T
}

type unitChoiceGroup struct {
	Kind  org.UnitKind
	Units []org.Unit
}

func (s *Server) today() string { return s.Problems.Now().In(s.loc).Format("2006-01-02") }

func (s *Server) archiveData(r *http.Request, v url.Values) (archiveData, error) {
	ctx, a := r.Context(), actorOf(r)
	page, offset, limit := pageParams(r)
	list, total, err := s.Bulletins.List(ctx, a, offset, limit)
	if err != nil {
		return archiveData{}, err
	}
	d := archiveData{List: list, Pager: newPager(r, page, limit, total), CanCompose: mayCompose(a), CanIssue: mayIssueBulletins(a),
		Form: composeFrom(v, a, s.today()), T: s.bt(),
		Kinds: []string{bulletin.PeriodDay, bulletin.PeriodWeek, bulletin.PeriodMonth, bulletin.PeriodCustom}}
	if d.CanCompose {
		units, err := s.Org.UnitChoices(ctx, a)
		if err != nil {
			return d, err
		}
		for _, k := range []org.UnitKind{org.KindDepartment, org.KindTerritorial, org.KindSponsor, org.KindProperty, org.KindOther} {
			g := unitChoiceGroup{Kind: k}
			for _, u := range units {
				if u.Kind == k {
					g.Units = append(g.Units, u)
				}
			}
			if len(g.Units) > 0 {
				d.UnitGroups = append(d.UnitGroups, g)
			}
		}
	}
	return d, nil
}

func (s *Server) bulletinArchive(w http.ResponseWriter, r *http.Request) error {
	d, err := s.archiveData(r, r.URL.Query())
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "bulletins", "bulletin.title", d)
	return nil
}

// composeFailed shows the archive again with the form as sent and the
// reason it was refused.
func (s *Server) composeFailed(w http.ResponseWriter, r *http.Request, v url.Values, err error) error {
	msg, status, ok := s.formError(err)
	if !ok {
		return err
	}
	d, derr := s.archiveData(r, v)
	if derr != nil {
		return derr
	}
	d.Error = msg
	s.render(w, r, status, "bulletins", "bulletin.title", d)
	return nil
}

type bulletinPage struct {
	B                                    *bulletin.Bulletin
	Issuer, Title, Number, Date          string
	Scope, Period, PeriodLabel, Previous string
	Formula                              string
	TakenAt                              string
	CanIssue, CanReissue, HasPDF         bool
	Query                                string     // a draft's compose query
	Fields                               url.Values // a draft's compose fields, to issue it
	Notice                               pdfdoc.Notice
	Back                                 string
}

func (s *Server) bulletinPageData(r *http.Request, b *bulletin.Bulletin) bulletinPage {
	t, a := s.bt(), actorOf(r)
	d := bulletinPage{B: b, Issuer: b.IssuerText(t), Title: b.TitleText(t), Number: b.NumberText(t), Date: b.DateText(t),
		Scope: b.Scope.Name(t), Period: b.Period.Text(t), PeriodLabel: b.Period.Label(t), Previous: b.Previous.Text(t),
		Formula: b.Config.Formula(t), TakenAt: bulletin.DateText(t, b.TakenAt), HasPDF: true, Back: "/bulletins"}
	if b.Draft {
		d.CanIssue = mayIssueBulletins(a)
		q := r.URL.Query()
		q.Del("view")
		d.Query, d.Fields = q.Encode(), q
	} else {
		d.CanReissue = mayIssueBulletins(a)
		d.Back = "/bulletins/" + strconv.FormatInt(b.ID, 10)
	}
	return d
}

// bulletinPreview computes a draft: as a page, or (view=print, xlsx, pdf)
// in the other layouts.
func (s *Server) bulletinPreview(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	b, err := s.Bulletins.Preview(r.Context(), actorOf(r), bulletinRequest(q))
	if err != nil {
		return s.composeFailed(w, r, q, err)
	}
	return s.showBulletin(w, r, b, q.Get("view"))
}

func (s *Server) bulletinIssue(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("error.invalid")
	}
	b, err := s.Bulletins.Issue(r.Context(), actorOf(r), bulletinRequest(r.PostForm))
	if err != nil {
		return s.composeFailed(w, r, r.PostForm, err)
	}
	return s.redirectWith(w, r, "/bulletins/"+strconv.FormatInt(b.ID, 10), "bulletin.issued")
}

func (s *Server) bulletinReissue(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.Bulletins.Reissue(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.redirectWith(w, r, "/bulletins/"+strconv.FormatInt(b.ID, 10), "bulletin.reissued")
}

// bulletinFile serves /bulletins/12, /bulletins/12.xlsx and /bulletins/12.pdf.
func (s *Server) bulletinFile(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	view := ""
	for _, ext := range []string{".xlsx", ".pdf"} {
		if base, ok := strings.CutSuffix(file, ext); ok {
			file, view = base, ext[1:]
		}
	}
	id, err := strconv.ParseInt(file, 10, 64)
	if err != nil || id <= 0 {
		return apperr.NotFound("bulletin.not_found")
	}
	b, err := s.Bulletins.Get(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.showBulletin(w, r, b, view)
}

func (s *Server) bulletinPrint(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.Bulletins.Get(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.showBulletin(w, r, b, "print")
}

// showBulletin writes a bulletin (or a draft) as a page, the print layout,
// a workbook or a PDF.
func (s *Server) showBulletin(w http.ResponseWriter, r *http.Request, b *bulletin.Bulletin, view string) error {
	t := s.bt()
	name := b.TitleText(t)
	if !b.Draft {
		name = b.NumberText(t) + name
	}
	switch view {
	case "xlsx":
		var buf bytes.Buffer
		if err := bulletin.ExportXLSX(&buf, b, t); err != nil {
			return err
		}
		return s.download(w, &buf, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "bulletin.xlsx", name+".xlsx")
	case "pdf":
		var buf bytes.Buffer
		if err := pdfdoc.Render(&buf, b.Notice(t)); err != nil {
			return err
		}
		return s.download(w, &buf, "application/pdf", "bulletin.pdf", name+".pdf")
	case "print":
		d := s.bulletinPageData(r, b)
		d.Notice = b.Notice(t)
		s.render(w, r, http.StatusOK, "bulletin_print", "bulletin.print_title", d)
		return nil
	}
	s.render(w, r, http.StatusOK, "bulletin", "bulletin.page_title", s.bulletinPageData(r, b))
	return nil
}

func (s *Server) download(w http.ResponseWriter, buf *bytes.Buffer, mime, ascii, name string) error {
	h := w.Header()
	h.Set("Content-Type", mime)
	h.Set("Content-Disposition", "attachment; filename=\""+ascii+"\"; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("Cache-Control", "no-store")
	_, err := io.Copy(w, buf)
	return err
}

type bulletinConfigData struct {
	Region         string
	Config         bulletin.Config
	In             bulletin.ConfigInput
	Formula        string
	DefaultFormula string
	Weekdays       []int
	CanEdit        bool
	Schedules      []bulletin.Schedule
	Error          string
	SchedError     string
	Excluded       []org.Unit
}

func (s *Server) configRegion(r *http.Request) string {
	a := actorOf(r)
	if a.IsAdmin() {
		if q := strings.TrimSpace(r.URL.Query().Get("region")); q != "" {
			return q
		}
		if q := strings.TrimSpace(r.PostFormValue("region")); q != "" {
			return q
		}
	}
	return a.Region
}

func (s *Server) bulletinConfigData(r *http.Request, region string) (bulletinConfigData, error) {
	ctx, a := r.Context(), actorOf(r)
	if !mayCompose(a) {
		return bulletinConfigData{}, apperr.Forbidden("bulletin.config_forbidden")
	}
	c, err := s.Bulletins.ConfigFor(ctx, a, region)
	if err != nil {
		return bulletinConfigData{}, err
	}
	d := bulletinConfigData{Region: region, Config: c, Formula: c.Formula(s.bt()), DefaultFormula: bulletin.DefaultConfig().Formula(s.bt()),
		CanEdit: mayIssueBulletins(a), Weekdays: []int{1, 2, 3, 4, 5, 6, 7}}
	codes := map[int64]string{}
	for _, id := range c.Excluded {
		if u, err := s.Org.GetUnit(ctx, a, id); err == nil {
			codes[id] = u.Code
			d.Excluded = append(d.Excluded, u)
		}
	}
	d.In = c.Input(codes)
	if d.Schedules, err = s.Bulletins.Schedules(ctx, a); err != nil {
		return d, err
	}
	return d, nil
}

func (s *Server) bulletinConfig(w http.ResponseWriter, r *http.Request) error {
	d, err := s.bulletinConfigData(r, s.configRegion(r))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "bulletin_config", "bulletin.config_title", d)
	return nil
}

func (s *Server) bulletinConfigSave(w http.ResponseWriter, r *http.Request) error {
	region := s.configRegion(r)
	f := r.PostFormValue
	in := bulletin.ConfigInput{OnTime: f("on_time"), Closure: f("closure"), Rework: f("rework"), Return: f("return"), Extension: f("extension"),
		PerFailed: f("per_failed"), PerFalsified: f("per_falsified"), PerUnjustified: f("per_unjustified"), DoubleFactor: f("double_factor"),
		MinSample: f("min_sample"), ListSize: f("list_size"), Excluded: f("excluded")}
	if _, err := s.Bulletins.SaveConfig(r.Context(), actorOf(r), region, in); err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		d, derr := s.bulletinConfigData(r, region)
		if derr != nil {
			return derr
		}
		d.In, d.Error = in, msg
		s.render(w, r, status, "bulletin_config", "bulletin.config_title", d)
		return nil
	}
	return s.redirectWith(w, r, "/bulletins/config", "bulletin.config_saved")
}

func (s *Server) bulletinScheduleCreate(w http.ResponseWriter, r *http.Request) error {
	hour, minute := -1, -1
	if h, m, ok := strings.Cut(strings.TrimSpace(r.PostFormValue("time")), ":"); ok {
		if x, err := strconv.Atoi(h); err == nil {
			hour = x
		}
		if x, err := strconv.Atoi(m); err == nil {
			minute = x
		}
	}
	in := bulletin.ScheduleInput{ScopeRegion: r.PostFormValue("scope"), Kind: r.PostFormValue("kind"), Weekday: formInt(r, "weekday"),
		Monthday: formInt(r, "monthday"), Hour: hour, Minute: minute}
	if _, err := s.Bulletins.CreateSchedule(r.Context(), actorOf(r), in); err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		d, derr := s.bulletinConfigData(r, s.configRegion(r))
		if derr != nil {
			return derr
		}
		d.SchedError = msg
		s.render(w, r, status, "bulletin_config", "bulletin.config_title", d)
		return nil
	}
	return s.redirectWith(w, r, "/bulletins/config#schedules", "bulletin.schedule_saved")
}

func (s *Server) bulletinScheduleEnabled(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Bulletins.SetScheduleEnabled(r.Context(), actorOf(r), id, r.PostFormValue("enabled") == "1"); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/bulletins/config#schedules", "bulletin.schedule_saved")
}

func (s *Server) bulletinScheduleDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Bulletins.DeleteSchedule(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/bulletins/config#schedules", "bulletin.schedule_deleted")
}

type marksData struct {
	Query string
	Case  *problem.CaseMarks
	Error string
}

func (s *Server) bulletinMarks(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if !mayIssueBulletins(a) {
		return apperr.Forbidden("bulletin.mark_forbidden")
	}
	q := strings.TrimSpace(r.URL.Query().Get("problem"))
	d := marksData{Query: q}
	status := http.StatusOK
	if q != "" {
		if err := s.loadMarks(r, q, &d); err != nil {
			msg, st, ok := s.formError(err)
			if !ok && apperr.As(err).Kind != apperr.KindNotFound {
				return err
			}
			if !ok {
				msg, st = s.Catalog.T("bulletin.case_not_found"), http.StatusNotFound
			}
			d.Error, status = msg, st
		}
	}
	s.render(w, r, status, "bulletin_marks", "bulletin.marks_title", d)
	return nil
}

func (s *Server) loadMarks(r *http.Request, code string, d *marksData) error {
	id, err := s.Problems.IDByCode(r.Context(), actorOf(r), code)
	if err != nil {
		return err
	}
	m, err := s.Problems.Marks(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	d.Case = &m
	return nil
}

// caseBack returns back when it is the path of a case page (/problems/12)
// and "" otherwise, so that the marks form on the case page comes back to
// it and a crafted form cannot send the browser anywhere else.
func caseBack(back string) string {
	rest, ok := strings.CutPrefix(back, "/problems/")
	if !ok {
		return ""
	}
	if id, err := strconv.ParseInt(rest, 10, 64); err != nil || id <= 0 || strconv.FormatInt(id, 10) != rest {
		return ""
	}
	return back
}

// bulletinMark sets or takes back a mark, from the marks page or, with
// back, from the case page: then the case page shows the outcome.
func (s *Server) bulletinMark(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorOf(r)
	id := formID(r, "problem")
	back := caseBack(r.PostFormValue("back"))
	var err error
	switch r.PostFormValue("action") {
	case "falsified":
		err = s.Problems.MarkFalsified(ctx, a, id, true)
	case "not_falsified":
		err = s.Problems.MarkFalsified(ctx, a, id, false)
	case "unjustified":
		err = s.Problems.MarkUnjustifiedReturn(ctx, a, id)
	case "undo_unjustified":
		err = s.Problems.UndoUnjustifiedReturn(ctx, a, id)
	default:
		err = apperr.Invalid("bulletin.mark_unknown")
	}
	if err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		if back != "" {
			return s.caseError(w, r, id, err)
		}
		d := marksData{Query: strconv.FormatInt(id, 10), Error: msg}
		if m, merr := s.Problems.Marks(ctx, a, id); merr == nil {
			d.Case, d.Query = &m, m.Code
		}
		s.render(w, r, status, "bulletin_marks", "bulletin.marks_title", d)
		return nil
	}
	if back != "" {
		return s.redirectWith(w, r, back, "bulletin.mark_saved")
	}
	m, err := s.Problems.Marks(ctx, a, id)
	if err != nil {
		return err
	}
	return s.redirectWith(w, r, "/bulletins/marks?problem="+url.QueryEscape(m.Code), "bulletin.mark_saved")
}
