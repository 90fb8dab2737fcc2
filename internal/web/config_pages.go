package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/routing"
)

// registerConfig adds the office's configuration pages: the category
// catalogue, the working calendar and the routing rules.
func (s *Server) registerConfig(mux *http.ServeMux) {
	mux.Handle("GET /settings", s.page(s.settingsIndex, true))

	mux.Handle("GET /settings/categories", s.page(s.categoryList, true))
	mux.Handle("GET /settings/categories/new", s.page(s.categoryNew, true))
	mux.Handle("POST /settings/categories", s.page(s.categoryCreate, true))
	mux.Handle("GET /settings/categories/{id}/edit", s.page(s.categoryEdit, true))
	mux.Handle("POST /settings/categories/{id}", s.page(s.categoryUpdate, true))
	mux.Handle("POST /settings/categories/{id}/active", s.page(s.categoryActive, true))
	mux.Handle("GET /settings/category-tops/new", s.page(s.categoryTopNew, true))
	mux.Handle("POST /settings/category-tops", s.page(s.categoryTopCreate, true))
	mux.Handle("GET /settings/category-tops/{id}/edit", s.page(s.categoryTopEdit, true))
	mux.Handle("POST /settings/category-tops/{id}", s.page(s.categoryTopUpdate, true))
	mux.Handle("POST /settings/category-tops/{id}/active", s.page(s.categoryTopActive, true))

	mux.Handle("GET /settings/calendar", s.page(s.calendarShow, true))
	mux.Handle("POST /settings/calendar/upload", s.page(s.calendarUpload, true))
	mux.Handle("POST /settings/calendar/restore", s.page(s.calendarRestore, true))
	mux.Handle("POST /settings/calendar/hours", s.page(s.calendarHours, true))

	mux.Handle("GET /settings/routing", s.page(s.routingList, true))
	mux.Handle("GET /settings/routing/new", s.page(s.routingNew, true))
	mux.Handle("POST /settings/routing", s.page(s.routingCreate, true))
	mux.Handle("GET /settings/routing/{id}/edit", s.page(s.routingEdit, true))
	mux.Handle("POST /settings/routing/{id}", s.page(s.routingUpdate, true))
	mux.Handle("POST /settings/routing/{id}/delete", s.page(s.routingDelete, true))
}

// The configuration is read by the office, leaders and administrators;
// the domain stores decide who may change it (office and administrators),
// and the pages show read-only views to the others.
func mayViewConfig(a access.Actor) error {
	if a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader) {
		return nil
	}
	return apperr.Forbidden("cfg.forbidden")
}

func canConfigure(a access.Actor) bool { return a.IsAdmin() || a.Has(access.RoleOffice) }

// choice is one option of a select box.
type choice struct {
	Value, Label string
	Selected     bool
}

// formInt reads an integer field; a non-empty field that is not a number
// gives -1, so that the domain refuses it instead of taking a default.
func formInt(r *http.Request, name string) int {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

// ---- index ----

type settingsIndexData struct {
	Tops, Subs, Inactive int
	Years                []int
	Hours                string
	Rules, Enabled       int
	CanEdit              bool
}

func (s *Server) settingsIndex(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewConfig(a); err != nil {
		return err
	}
	ctx := r.Context()
	d := settingsIndexData{CanEdit: canConfigure(a)}
	tree, err := s.Categories.Tree(ctx, true)
	if err != nil {
		return err
	}
	for _, t := range tree {
		d.Tops++
		for _, sub := range t.Subs {
			d.Subs++
			if !sub.Usable() {
				d.Inactive++
			}
		}
	}
	years, err := s.Calendar.Years(ctx)
	if err != nil {
		return err
	}
	for _, y := range years {
		d.Years = append(d.Years, y.Year)
	}
	periods, err := s.Calendar.WorkingHours(ctx)
	if err != nil {
		return err
	}
	d.Hours = calendar.FormatPeriods(periods)
	rules, err := s.Routing.Rules(ctx, a)
	if err != nil {
		return err
	}
	for _, x := range rules {
		d.Rules++
		if x.Enabled {
			d.Enabled++
		}
	}
	s.render(w, r, http.StatusOK, "category_settings", "cfg.title", d)
	return nil
}

// ---- categories ----

type subRow struct {
	category.Sub
	KindText, LimitText, OwnerText string
}

type topRow struct {
	category.Top
	Rows []subRow
}

type categoryListData struct {
	Tops    []topRow
	CanEdit bool
}

func (s *Server) limitText(l category.Limit) string {
	return s.Catalog.T("calendar.limit", l.Amount, s.Catalog.T(l.Unit.Key()))
}

func (s *Server) ownerText(o category.OwnerRule) string {
	switch {
	case o.IsTerritorial():
		return s.Catalog.T("cfg.owner.territorial")
	case o.Valid():
		return s.Catalog.T("cfg.owner.line", s.Catalog.T(org.LineKey(o.Line())))
	}
	return string(o)
}

func (s *Server) categoryList(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewConfig(a); err != nil {
		return err
	}
	tree, err := s.Categories.Tree(r.Context(), true)
	if err != nil {
		return err
	}
	d := categoryListData{CanEdit: canConfigure(a)}
	for _, t := range tree {
		row := topRow{Top: t}
		for _, sub := range t.Subs {
			row.Rows = append(row.Rows, subRow{Sub: sub, KindText: s.Catalog.T(sub.Kind.Key()),
				LimitText: s.limitText(sub.Limit), OwnerText: s.ownerText(sub.Owner)})
		}
		d.Tops = append(d.Tops, row)
	}
	s.render(w, r, http.StatusOK, "categories", "cfg.categories.title", d)
	return nil
}

type categoryFormData struct {
	ID     int64  // 0: a new sub-category
	Code   string // the fixed code, when editing
	In     category.SubInput
	Tops   []choice
	Kinds  []choice
	Units  []choice
	Owners []choice
	Error  string
}

func (s *Server) categoryForm(w http.ResponseWriter, r *http.Request, status int, d categoryFormData) error {
	tree, err := s.Categories.Tree(r.Context(), true)
	if err != nil {
		return err
	}
	for _, t := range tree {
		label := t.Code + " " + t.Name
		if !t.Active {
			label += s.Catalog.T("cfg.inactive_suffix")
		}
		d.Tops = append(d.Tops, choice{Value: strconv.FormatInt(t.ID, 10), Label: label, Selected: t.ID == d.In.TopID})
	}
	for _, k := range category.Kinds() {
		d.Kinds = append(d.Kinds, choice{Value: string(k), Label: s.Catalog.T(k.Key()), Selected: k == d.In.Kind})
	}
	for _, u := range calendar.Units() {
		d.Units = append(d.Units, choice{Value: string(u), Label: s.Catalog.T(u.Key()), Selected: u == d.In.Limit.Unit})
	}
	owner := d.In.Owner
	if owner == "" {
		owner = category.Territorial
	}
	d.Owners = append(d.Owners, choice{Value: string(category.Territorial), Label: s.ownerText(category.Territorial), Selected: owner == category.Territorial})
	for _, l := range org.Lines() {
		o := category.LineOwner(l)
		d.Owners = append(d.Owners, choice{Value: string(o), Label: s.ownerText(o), Selected: owner == o})
	}
	title := "cfg.categories.new_sub"
	if d.ID != 0 {
		title = "cfg.categories.edit_sub"
	}
	s.render(w, r, status, "category_form", title, d)
	return nil
}

func (s *Server) categoryNew(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewConfig(a); err != nil {
		return err
	}
	if !canConfigure(a) {
		return apperr.Forbidden("category.forbidden")
	}
	top, _ := strconv.ParseInt(r.URL.Query().Get("top"), 10, 64)
	return s.categoryForm(w, r, http.StatusOK, categoryFormData{In: category.SubInput{
		TopID: top, Kind: category.KindEvent, Owner: category.Territorial,
		Limit: category.Limit{Amount: 1, Unit: calendar.UnitDay},
	}})
}

func subInputFrom(r *http.Request) category.SubInput {
	return category.SubInput{
		TopID: formID(r, "top_id"), Code: r.PostFormValue("code"), Name: r.PostFormValue("name"),
		Kind:             category.Kind(r.PostFormValue("kind")),
		Limit:            category.Limit{Amount: formInt(r, "limit_amount"), Unit: calendar.Unit(r.PostFormValue("limit_unit"))},
		FilingCondition:  r.PostFormValue("filing_condition"),
		ClosingCondition: r.PostFormValue("closing_condition"),
		Owner:            category.OwnerRule(r.PostFormValue("owner")),
		Position:         formInt(r, "position"),
	}
}

func (s *Server) categoryCreate(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewConfig(actorOf(r)); err != nil {
		return err
	}
	in := subInputFrom(r)
	sub, err := s.Categories.CreateSub(r.Context(), actorOf(r), in)
	if err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		return s.categoryForm(w, r, status, categoryFormData{In: in, Error: msg})
	}
	return s.redirectWith(w, r, "/settings/categories#c-"+sub.Code, "cfg.categories.sub_saved")
}

func (s *Server) categoryEdit(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewConfig(a); err != nil {
		return err
	}
	if !canConfigure(a) {
		return apperr.Forbidden("category.forbidden")
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sub, err := s.Categories.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return s.categoryForm(w, r, http.StatusOK, categoryFormData{ID: id, Code: sub.Code, In: category.SubInput{
		TopID: sub.TopID, Code: sub.Code, Name: sub.Name, Kind: sub.Kind, Limit: sub.Limit,
		FilingCondition: sub.FilingCondition, ClosingCondition: sub.ClosingCondition, Owner: sub.Owner, Position: sub.Position,
	}})
}

func (s *Server) categoryUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewConfig(actorOf(r)); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in := subInputFrom(r)
	in.Code = "" // fixed once created; the store keeps it
	sub, err := s.Categories.UpdateSub(r.Context(), actorOf(r), id, in)
	if err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		cur, gerr := s.Categories.Get(r.Context(), id)
		if gerr != nil {
			return gerr
		}
		return s.categoryForm(w, r, status, categoryFormData{ID: id, Code: cur.Code, In: in, Error: msg})
	}
	return s.redirectWith(w, r, "/settings/categories#c-"+sub.Code, "cfg.categories.sub_saved")
}

func (s *Server) categoryActive(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewConfig(actorOf(r)); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	on := r.PostFormValue("active") == "1"
	if err := s.Categories.SetActive(r.Context(), actorOf(r), id, on); err != nil {
		return err
	}
	flash := "cfg.categories.deactivated"
	if on {
		flash = "cfg.categories.activated"
	}
	sub, err := s.Categories.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return s.redirectWith(w, r, "/settings/categories#c-"+sub.Code, flash)
}

type categoryTopFormData struct {
	ID    int64
	Code  string
	In    category.TopInput
	Error string
}

func (s *Server) categoryTopForm(w http.ResponseWriter, r *http.Request, status int, d categoryTopFormData) error {
	title := "cfg.categories.new_top"
	if d.ID != 0 {
		title = "cfg.categories.edit_top"
	}
	s.render(w, r, status, "category_top_form", title, d)
	return nil
}

func (s *Server) categoryTopNew(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewConfig(a); err != nil {
		return err
	}
	if !canConfigure(a) {
		return apperr.Forbidden("category.forbidden")
	}
	return s.categoryTopForm(w, r, http.StatusOK, categoryTopFormData{})
}

func topInputFrom(r *http.Request) category.TopInput {
	return category.TopInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Position: formInt(r, "position")}
}

func (s *Server) categoryTopCreate(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewConfig(actorOf(r)); err != nil {
		return err
	}
	in := topInputFrom(r)
	top, err := s.Categories.CreateTop(r.Context(), actorOf(r), in)
	if err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		return s.categoryTopForm(w, r, status, categoryTopFormData{In: in, Error: msg})
	}
	return s.redirectWith(w, r, "/settings/categories#t-"+top.Code, "cfg.categories.top_saved")
}

func (s *Server) categoryTopEdit(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewConfig(a); err != nil {
		return err
	}
	if !canConfigure(a) {
		return apperr.Forbidden("category.forbidden")
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := s.Categories.GetTop(r.Context(), id)
	if err != nil {
		return err
	}
	return s.categoryTopForm(w, r, http.StatusOK, categoryTopFormData{ID: id, Code: t.Code,
		In: category.TopInput{Code: t.Code, Name: t.Name, Position: t.Position}})
}

func (s *Server) categoryTopUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewConfig(actorOf(r)); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in := topInputFrom(r)
	in.Code = ""
	top, err := s.Categories.UpdateTop(r.Context(), actorOf(r), id, in)
	if err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		cur, gerr := s.Categories.GetTop(r.Context(), id)
		if gerr != nil {
			return gerr
		}
		return s.categoryTopForm(w, r, status, categoryTopFormData{ID: id, Code: cur.Code, In: in, Error: msg})
	}
	return s.redirectWith(w, r, "/settings/categories#t-"+top.Code, "cfg.categories.top_saved")
}

func (s *Server) categoryTopActive(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewConfig(actorOf(r)); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	on := r.PostFormValue("active") == "1"
	if err := s.Categories.SetTopActive(r.Context(), actorOf(r), id, on); err != nil {
		return err
	}
	flash := "cfg.categories.deactivated"
	if on {
		flash = "cfg.categories.activated"
	}
	t, err := s.Categories.GetTop(r.Context(), id)
	if err != nil {
		return err
	}
	return s.redirectWith(w, r, "/settings/categories#t-"+t.Code, flash)
}

// ---- calendar ----

// weekdayKeys are the catalogue keys of the days of the week, Sunday first
// as time.Weekday counts.
var weekdayKeys = [7]string{"cfg.weekday.sun", "cfg.weekday.mon", "cfg.weekday.tue", "cfg.weekday.wed",
	"cfg.weekday.thu", "cfg.weekday.fri", "cfg.weekday.sat"}

// weekHeadKeys head the columns of a month, Monday first.
var weekHeadKeys = [7]string{"cfg.weekday.short.mon", "cfg.weekday.short.tue", "cfg.weekday.short.wed",
	"cfg.weekday.short.thu", "cfg.weekday.short.fri", "cfg.weekday.short.sat", "cfg.weekday.short.sun"}

func (s *Server) weekday(t time.Time) string { return s.Catalog.T(weekdayKeys[t.Weekday()]) }

type yearRow struct {
	calendar.Year
	SourceText string
	Restorable bool // a built-in schedule exists and the office has replaced it
	Current    bool
}

type dayRow struct {
	calendar.Day
	Weekday, KindText string
}

type dayCell struct {
	Day          int // 0: a blank before the first or after the last day
	Class, Title string
}

type monthView struct {
	Name  string
	Weeks [][]dayCell
}

type calcView struct {
	Start, Amount, Unit string // as entered
	Units               []choice
	Done                bool
	Error               string
	Deadline            string
	Rule                string
	Hours               string   // working hours from start to deadline
	Listed              []string // holidays and swapped workdays met on the way
	Warnings            []string
}

type calendarData struct {
	Year          int
	Prev, Next    int
	Years         []yearRow
	Days          []dayRow
	Covered       bool
	Months        []monthView
	WeekHead      []string
	Hours         string
	HoursError    string
	UploadYear    int
	UploadSummary string
	UploadErrors  []string
	Error         string // restore refused
	Calc          calcView
	CanEdit       bool
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request, status int, d calendarData) error {
	a := actorOf(r)
	if err := mayViewConfig(a); err != nil {
		return err
	}
	ctx := r.Context()
	loc := calendar.Shanghai()
	if d.Year < calendar.MinYear || d.Year > calendar.MaxYear {
		d.Year = time.Now().In(loc).Year()
	}
	d.Prev, d.Next = d.Year-1, d.Year+1
	d.CanEdit = canConfigure(a)
	if d.UploadYear == 0 {
		d.UploadYear = d.Year
	}
	builtin, err := calendar.Builtin()
	if err != nil {
		return err
	}
	years, err := s.Calendar.Years(ctx)
	if err != nil {
		return err
	}
	for _, y := range years {
		_, hasBuiltin := builtin[y.Year]
		d.Years = append(d.Years, yearRow{Year: y, SourceText: s.Catalog.T("calendar.source." + y.Source),
			Restorable: hasBuiltin && y.Source != calendar.SourceBuiltin, Current: y.Year == d.Year})
		if y.Year == d.Year {
			d.Covered = true
		}
	}
	days, err := s.Calendar.Days(ctx, d.Year)
	if err != nil {
		return err
	}
	listed := map[string]calendar.Day{}
	for _, day := range days {
		t, err := time.ParseInLocation(calendar.DateLayout, day.Date, loc)
		if err != nil {
			continue
		}
		listed[day.Date] = day
		d.Days = append(d.Days, dayRow{Day: day, Weekday: s.weekday(t), KindText: s.Catalog.T(day.Kind.Key())})
	}
	d.Months = s.monthGrid(d.Year, listed, loc)
	for _, k := range weekHeadKeys {
		d.WeekHead = append(d.WeekHead, s.Catalog.T(k))
	}
	if d.Hours == "" {
		periods, err := s.Calendar.WorkingHours(ctx)
		if err != nil {
			return err
		}
		d.Hours = calendar.FormatPeriods(periods)
	}
	if d.Calc.Unit == "" {
		d.Calc.Unit = string(calendar.UnitDay)
	}
	for _, u := range calendar.Units() {
		d.Calc.Units = append(d.Calc.Units, choice{Value: string(u), Label: s.Catalog.T(u.Key()), Selected: string(u) == d.Calc.Unit})
	}
	s.render(w, r, status, "calendar", "cfg.calendar.title", d)
	return nil
}

// monthGrid lays the year out as twelve month tables, Monday first.
func (s *Server) monthGrid(year int, listed map[string]calendar.Day, loc *time.Location) []monthView {
	var out []monthView
	for m := time.January; m <= time.December; m++ {
		first := time.Date(year, m, 1, 0, 0, 0, 0, loc)
		mv := monthView{Name: s.Catalog.T("cfg.calendar.month", int(m))}
		var week []dayCell
		for i := 0; i < (int(first.Weekday())+6)%7; i++ {
			week = append(week, dayCell{})
		}
		for t := first; t.Month() == m; t = t.AddDate(0, 0, 1) {
			c := dayCell{Day: t.Day()}
			if day, ok := listed[t.Format(calendar.DateLayout)]; ok {
				c.Class = "hol"
				if day.Kind == calendar.KindWorkday {
					c.Class = "swap"
				}
				c.Title = strings.TrimSpace(day.Name + " " + s.Catalog.T(day.Kind.Key()))
			} else if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
				c.Class = "wkend"
			}
			week = append(week, c)
			if len(week) == 7 {
				mv.Weeks = append(mv.Weeks, week)
				week = nil
			}
		}
		if len(week) > 0 {
			for len(week) < 7 {
				week = append(week, dayCell{})
			}
			mv.Weeks = append(mv.Weeks, week)
		}
		out = append(out, mv)
	}
	return out
}

func (s *Server) calendarShow(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewConfig(actorOf(r)); err != nil {
		return err
	}
	q := r.URL.Query()
	year, _ := strconv.Atoi(q.Get("year"))
	d := calendarData{Year: year}
	if q.Has("amount") || q.Has("start") {
		calc, err := s.deadlineCalc(r, q)
		if err != nil {
			return err
		}
		d.Calc = calc
	}
	return s.calendarPage(w, r, http.StatusOK, d)
}

// parseLocal reads a time as entered in a form (datetime-local or typed),
// in Shanghai time.
func parseLocal(v string, loc *time.Location) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// deadlineCalc applies a limit to a start time on the stored calendar and
// explains the result, so that people can check the rules for themselves.
func (s *Server) deadlineCalc(r *http.Request, q url.Values) (calcView, error) {
	c := calcView{Start: q.Get("start"), Amount: q.Get("amount"), Unit: q.Get("unit"), Done: true}
	cal, err := s.Calendar.Load(r.Context())
	if err != nil {
		return c, err
	}
	loc := cal.Location()
	start, ok := parseLocal(c.Start, loc)
	if !ok {
		c.Error = s.Catalog.T("cfg.calc.start_invalid")
		return c, nil
	}
	amount, err := strconv.Atoi(strings.TrimSpace(c.Amount))
	if err != nil {
		amount = 0
	}
	limit := category.Limit{Amount: amount, Unit: calendar.Unit(c.Unit)}
	if err := limit.Validate(); err != nil {
		msg, _, ok := s.formError(err)
		if !ok {
			return c, err
		}
		c.Error = msg
		return c, nil
	}
	due := limit.Deadline(cal, start).In(loc)
	c.Deadline = s.Catalog.T("cfg.calc.deadline_at", due.Format("2006-01-02 15:04"), s.weekday(due))
	periods := cal.Periods()
	if limit.Unit == calendar.UnitDay {
		end := periods[len(periods)-1].End
		c.Rule = s.Catalog.T("cfg.calc.rule_day", amount, fmt.Sprintf("%02d:%02d", end/60, end%60))
	} else {
		c.Rule = s.Catalog.T("cfg.calc.rule_hour", amount, calendar.FormatPeriods(periods))
	}
	c.Hours = strconv.FormatFloat(cal.WorkingHoursBetween(start, due), 'f', 1, 64)
	c.Listed = s.listedBetween(cal, start, due)
	for _, y := range []int{start.In(loc).Year(), due.Year()} {
		if !cal.Covers(y) && !slices.Contains(c.Warnings, s.Catalog.T("calendar.not_covered", y)) {
			c.Warnings = append(c.Warnings, s.Catalog.T("calendar.not_covered", y))
		}
	}
	return c, nil
}

// listedBetween lists, as runs of days, the holidays and swapped working
// days from start's date to due's date.
func (s *Server) listedBetween(cal *calendar.Calendar, start, due time.Time) []string {
	type run struct {
		first, last string
		kind        calendar.DayKind
		name        string
		n           int
	}
	loc := cal.Location()
	from, last := start.In(loc), due.In(loc).Format(calendar.DateLayout)
	var runs []run
	prev := ""
	// Noon keeps AddDate clear of any zone transition; 800 days bounds the
	// longest limit (365 working days) with room to spare.
	day := time.Date(from.Year(), from.Month(), from.Day(), 12, 0, 0, 0, loc)
	for i := 0; i < 800 && day.Format(calendar.DateLayout) <= last; i, day = i+1, day.AddDate(0, 0, 1) {
		d, ok := cal.Lookup(day)
		if !ok {
			continue
		}
		n := len(runs)
		if n > 0 && prev == day.AddDate(0, 0, -1).Format(calendar.DateLayout) && runs[n-1].kind == d.Kind && runs[n-1].name == d.Name {
			runs[n-1].last, runs[n-1].n = d.Date, runs[n-1].n+1
		} else {
			runs = append(runs, run{first: d.Date, last: d.Date, kind: d.Kind, name: d.Name, n: 1})
		}
		prev = d.Date
	}
	var out []string
	for _, x := range runs {
		kind := s.Catalog.T(x.kind.Key())
		if x.n == 1 {
			out = append(out, s.Catalog.T("cfg.calc.listed_one", x.first, kind, x.name))
		} else {
			out = append(out, s.Catalog.T("cfg.calc.listed_run", x.first, x.last, kind, x.name, x.n))
		}
	}
	return out
}

func (s *Server) calendarUpload(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewConfig(a); err != nil {
		return err
	}
	yearText := strings.TrimSpace(r.PostFormValue("year"))
	year, _ := strconv.Atoi(yearText)
	d := calendarData{Year: year, UploadYear: year}
	f, _, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		d.UploadErrors = []string{s.Catalog.T("cfg.calendar.file_required")}
		return s.calendarPage(w, r, http.StatusBadRequest, d)
	}
	defer f.Close()
	days, rowErrs := calendar.ParseDays(f)
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
	if yearText == "" && len(days) > 0 {
		year, _ = strconv.Atoi(days[0].Date[:4])
		d.Year, d.UploadYear = year, year
	}
	if err := s.Calendar.ReplaceYear(r.Context(), a, year, days); err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		if apperr.As(err).Kind == apperr.KindInvalid {
			d.UploadSummary = s.Catalog.T("calendar.import.failed", 1)
		}
		d.UploadErrors = []string{msg}
		return s.calendarPage(w, r, status, d)
	}
	return s.redirectWith(w, r, "/settings/calendar?year="+strconv.Itoa(year), "cfg.calendar.uploaded")
}

func (s *Server) calendarRestore(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewConfig(a); err != nil {
		return err
	}
	year, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	if err := s.Calendar.RestoreDefault(r.Context(), a, year); err != nil {
		msg, status, ok := s.formError(err)
		if !ok && errors.Is(err, apperr.ErrNotFound) { // no built-in schedule of that year
			e := apperr.As(err)
			msg, status, ok = s.Catalog.T(e.Code, e.Args...), http.StatusNotFound, true
		}
		if !ok {
			return err
		}
		return s.calendarPage(w, r, status, calendarData{Year: year, Error: msg})
	}
	return s.redirectWith(w, r, "/settings/calendar?year="+strconv.Itoa(year), "cfg.calendar.restored")
}

func (s *Server) calendarHours(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewConfig(a); err != nil {
		return err
	}
	text := r.PostFormValue("hours")
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	periods, err := calendar.ParsePeriods(text)
	if err == nil {
		err = s.Calendar.SetWorkingHours(r.Context(), a, periods)
	}
	if err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		return s.calendarPage(w, r, status, calendarData{Year: year, Hours: text, HoursError: msg})
	}
	return s.redirectWith(w, r, "/settings/calendar?year="+strconv.Itoa(year), "cfg.calendar.hours_saved")
}

// ---- routing rules ----

type ruleRow struct {
	routing.Rule
	CanEdit bool
	Matched bool // chose the unit of the preview
}

type previewView struct {
	Category     int64
	Region       string
	Done         bool
	Error        string
	RegionName   string
	CategoryName string
	OwnerText    string
	UnitName     string
	Why          string
}

type routingData struct {
	Rules      []ruleRow
	CanAdd     bool
	Categories []category.Top
	Preview    previewView
}

func canEditRule(a access.Actor, x routing.Rule) bool {
	return a.IsAdmin() || (x.RegionCode != "" && a.Manages(x.RegionCode))
}

func (s *Server) routingList(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewConfig(a); err != nil {
		return err
	}
	ctx := r.Context()
	rules, err := s.Routing.Rules(ctx, a)
	if err != nil {
		return err
	}
	tree, err := s.Categories.Tree(ctx, true)
	if err != nil {
		return err
	}
	d := routingData{CanAdd: canConfigure(a), Categories: tree}
	q := r.URL.Query()
	if q.Has("region") || q.Has("category") {
		if d.Preview, err = s.routePreview(r, q); err != nil {
			return err
		}
	}
	matched := int64(0)
	if d.Preview.Why != "" {
		if by, detail := routing.ParseNote(d.Preview.Why); by == routing.ByRule {
			id, _, _ := strings.Cut(detail, "|")
			matched, _ = strconv.ParseInt(id, 10, 64)
		}
		d.Preview.Why = s.routeNote(d.Preview.Why)
	}
	for _, x := range rules {
		d.Rules = append(d.Rules, ruleRow{Rule: x, CanEdit: canEditRule(a, x), Matched: x.ID == matched})
	}
	s.render(w, r, http.StatusOK, "routing", "cfg.routing.title", d)
	return nil
}

// routePreview asks the router where a case would go. Why holds the raw
// note; the caller words it.
func (s *Server) routePreview(r *http.Request, q url.Values) (previewView, error) {
	ctx := r.Context()
	p := previewView{Region: strings.TrimSpace(q.Get("region")), Done: true}
	p.Category, _ = strconv.ParseInt(q.Get("category"), 10, 64)
	if p.Region == "" {
		p.Error = s.Catalog.T("cfg.routing.preview_region_required")
		return p, nil
	}
	reg, err := s.Regions.Get(ctx, p.Region)
	if errors.Is(err, apperr.ErrNotFound) {
		p.Error = s.Catalog.T("routing.region_unknown", p.Region)
		return p, nil
	}
	if err != nil {
		return p, err
	}
	p.RegionName = reg.Name
	p.OwnerText = s.ownerText(category.Territorial)
	if p.Category != 0 {
		sub, err := s.Categories.Get(ctx, p.Category)
		if errors.Is(err, apperr.ErrNotFound) {
			p.Error = s.Catalog.T("routing.category_unknown")
			return p, nil
		}
		if err != nil {
			return p, err
		}
		p.CategoryName = sub.Code + " " + sub.Name
		p.OwnerText = s.Catalog.T(sub.Kind.Key()) + " · " + s.ownerText(sub.Owner)
	}
	dec, err := s.Routing.Decide(ctx, p.Category, p.Region)
	if err != nil {
		msg, _, ok := s.formError(err)
		if !ok {
			return p, err
		}
		p.Error = msg
		return p, nil
	}
	p.UnitName, p.Why = dec.UnitName, dec.Note()
	return p, nil
}

type routingFormData struct {
	ID         int64
	In         routing.RuleInput
	Categories []category.Top
	Units      []org.Unit
	Error      string
}

func (s *Server) routingForm(w http.ResponseWriter, r *http.Request, status int, d routingFormData) error {
	ctx := r.Context()
	tree, err := s.Categories.Tree(ctx, true)
	if err != nil {
		return err
	}
	units, err := s.Org.UnitChoices(ctx, actorOf(r))
	if err != nil {
		return err
	}
	d.Categories, d.Units = tree, units
	title := "cfg.routing.new"
	if d.ID != 0 {
		title = "cfg.routing.edit"
	}
	s.render(w, r, status, "routing_form", title, d)
	return nil
}

func (s *Server) routingNew(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewConfig(a); err != nil {
		return err
	}
	if !canConfigure(a) {
		return apperr.Forbidden("routing.forbidden")
	}
	rules, err := s.Routing.Rules(r.Context(), a)
	if err != nil {
		return err
	}
	pos := 10
	for _, x := range rules {
		pos = max(pos, x.Position+10)
	}
	in := routing.RuleInput{Position: pos, Enabled: true}
	if !a.IsAdmin() {
		in.RegionCode = a.Region
	}
	return s.routingForm(w, r, http.StatusOK, routingFormData{In: in})
}

func ruleInputFrom(r *http.Request) routing.RuleInput {
	return routing.RuleInput{
		Position: formInt(r, "position"), CategoryID: formID(r, "category_id"),
		RegionCode: strings.TrimSpace(r.PostFormValue("region_code")), UnitID: formID(r, "unit_id"),
		Note: r.PostFormValue("note"), Enabled: r.PostFormValue("enabled") == "1",
	}
}

func (s *Server) routingCreate(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewConfig(actorOf(r)); err != nil {
		return err
	}
	in := ruleInputFrom(r)
	if _, err := s.Routing.CreateRule(r.Context(), actorOf(r), in); err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		return s.routingForm(w, r, status, routingFormData{In: in, Error: msg})
	}
	return s.redirectWith(w, r, "/settings/routing", "cfg.routing.saved")
}

// findRule returns a rule the actor may edit.
func (s *Server) findRule(r *http.Request, id int64) (routing.Rule, error) {
	a := actorOf(r)
	rules, err := s.Routing.Rules(r.Context(), a)
	if err != nil {
		return routing.Rule{}, err
	}
	for _, x := range rules {
		if x.ID == id {
			if !canEditRule(a, x) {
				return x, apperr.Forbidden("routing.outside_scope")
			}
			return x, nil
		}
	}
	return routing.Rule{}, apperr.NotFound("routing.rule_not_found")
}

func (s *Server) routingEdit(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if err := mayViewConfig(a); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	x, err := s.findRule(r, id)
	if err != nil {
		return err
	}
	return s.routingForm(w, r, http.StatusOK, routingFormData{ID: id, In: routing.RuleInput{
		Position: x.Position, CategoryID: x.CategoryID, RegionCode: x.RegionCode, UnitID: x.UnitID, Note: x.Note, Enabled: x.Enabled,
	}})
}

func (s *Server) routingUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewConfig(actorOf(r)); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in := ruleInputFrom(r)
	if err := s.Routing.UpdateRule(r.Context(), actorOf(r), id, in); err != nil {
		msg, status, ok := s.formError(err)
		if !ok {
			return err
		}
		return s.routingForm(w, r, status, routingFormData{ID: id, In: in, Error: msg})
	}
	return s.redirectWith(w, r, "/settings/routing", "cfg.routing.saved")
}

func (s *Server) routingDelete(w http.ResponseWriter, r *http.Request) error {
	if err := mayViewConfig(actorOf(r)); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Routing.DeleteRule(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	return s.redirectWith(w, r, "/settings/routing", "cfg.routing.deleted")
}
