package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/calendar"
)

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
	ctx := r.Context()
	loc := calendar.Shanghai()
	if d.Year < calendar.MinYear || d.Year > calendar.MaxYear {
		d.Year = time.Now().In(loc).Year()
	}
	d.Prev, d.Next = d.Year-1, d.Year+1
	d.CanEdit = calendar.CanEdit(a)
	if d.UploadYear == 0 {
		d.UploadYear = d.Year
	}
	builtin, err := calendar.Builtin()
	if err != nil {
		return err
	}
	years, err := s.Calendar.Years(ctx, a)
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
	days, err := s.Calendar.Days(ctx, a, d.Year)
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
		periods, err := s.Calendar.WorkingHours(ctx, a)
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
