package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
)

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
		return c, s.refused(err, func(_ int, msg string) error {
			c.Error = msg
			return nil
		})
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
