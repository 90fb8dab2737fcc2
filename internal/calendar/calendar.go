// Package calendar is the working calendar (工作日历): Chinese public
// holidays and swapped working days (调休) per year, the daily working
// periods, and the arithmetic that turns a category's time limit into a
// deadline. All dates are Asia/Shanghai dates; all results are UTC.
package calendar

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
)

// Unit is the unit of a time limit, stored as a stable word.
type Unit string

// The units of a time limit. Both count working time only.
const (
	UnitHour Unit = "hour" // working hours (工作时)
	UnitDay  Unit = "day"  // working days (工作日)
)

// Units lists the units in display order.
func Units() []Unit { return []Unit{UnitHour, UnitDay} }

// Valid reports whether u is a known unit.
func (u Unit) Valid() bool { return slices.Contains(Units(), u) }

// Key is the catalogue key of the unit's name.
func (u Unit) Key() string { return "calendar.unit." + string(u) }

// DayKind says whether a listed day is off or on.
type DayKind string

// The kinds of listed day. Days not listed follow the week.
const (
	KindHoliday DayKind = "holiday" // a day off (放假), weekend days of a holiday included
	KindWorkday DayKind = "workday" // a weekend day that is worked (调休上班)
)

// DayKinds lists the kinds in display order.
func DayKinds() []DayKind { return []DayKind{KindHoliday, KindWorkday} }

// Valid reports whether k is a known kind.
func (k DayKind) Valid() bool { return slices.Contains(DayKinds(), k) }

// Key is the catalogue key of the kind's name.
func (k DayKind) Key() string { return "calendar.kind." + string(k) }

// Day is one listed day of the calendar.
type Day struct {
	Date string // YYYY-MM-DD, Asia/Shanghai
	Kind DayKind
	Name string // the holiday it belongs to, e.g. 春节
}

// DateLayout is the layout of Day.Date.
const DateLayout = "2006-01-02"

// Period is one working period of a day, in minutes after local midnight,
// Start inclusive and End exclusive.
type Period struct {
	Start, End int
}

func (p Period) String() string { return clock(p.Start) + "-" + clock(p.End) }

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// MaxPeriods bounds the working periods of a day.
const MaxPeriods = 4

// DefaultPeriods are the working hours when the office has set none:
// 08:30–12:00 and 13:30–17:30, seven and a half hours.
func DefaultPeriods() []Period {
	return []Period{{Start: 8*60 + 30, End: 12 * 60}, {Start: 13*60 + 30, End: 17*60 + 30}}
}

// FormatPeriods writes periods as "08:30-12:00,13:30-17:30", the form in
// which they are stored and entered.
func FormatPeriods(ps []Period) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}

// ParsePeriods reads periods written by FormatPeriods (commas, semicolons,
// spaces or the Chinese comma separate periods; "-", "–" or "~" separate
// the ends) and checks them with ValidatePeriods.
func ParsePeriods(s string) ([]Period, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '，' || r == ' ' || r == '；' })
	var out []Period
	for _, f := range fields {
		f = strings.NewReplacer("–", "-", "~", "-", "～", "-", "：", ":").Replace(f)
		a, b, ok := strings.Cut(f, "-")
		start, okA := parseClock(a)
		end, okB := parseClock(b)
		if !ok || !okA || !okB {
			return nil, apperr.Invalid("calendar.hours_invalid", f)
		}
		out = append(out, Period{Start: start, End: end})
	}
	if err := ValidatePeriods(out); err != nil {
		return nil, err
	}
	return out, nil
}

func parseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(m) != 2 || len(h) == 0 || len(h) > 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, false
	}
	return hh*60 + mm, true
}

// ValidatePeriods checks that there are 1 to MaxPeriods periods, each
// inside one day and not empty, in order and not overlapping.
func ValidatePeriods(ps []Period) error {
	if len(ps) == 0 {
		return apperr.Invalid("calendar.hours_empty")
	}
	if len(ps) > MaxPeriods {
		return apperr.Invalid("calendar.hours_too_many", MaxPeriods)
	}
	for i, p := range ps {
		if p.Start < 0 || p.End > 24*60 || p.Start >= p.End {
			return apperr.Invalid("calendar.hours_invalid", p.String())
		}
		if i > 0 && p.Start < ps[i-1].End {
			return apperr.Invalid("calendar.hours_overlap", ps[i-1].String(), p.String())
		}
	}
	return nil
}

// date is a calendar date in Asia/Shanghai.
type date struct {
	y int
	m time.Month
	d int
}

func dateIn(t time.Time, loc *time.Location) date {
	y, m, d := t.In(loc).Date()
	return date{y, m, d}
}

func parseDate(s string) (date, bool) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return date{}, false
	}
	return date{t.Year(), t.Month(), t.Day()}, true
}

func (d date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d) }

func (d date) next() date {
	t := time.Date(d.y, d.m, d.d+1, 12, 0, 0, 0, time.UTC)
	return date{t.Year(), t.Month(), t.Day()}
}

func (d date) weekday() time.Weekday {
	return time.Date(d.y, d.m, d.d, 12, 0, 0, 0, time.UTC).Weekday()
}

func (d date) weekend() bool {
	wd := d.weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// Shanghai returns the Asia/Shanghai zone. Without zone data (the binary
// embeds time/tzdata, test binaries may not) it falls back to a fixed
// UTC+8, which is exact for every date since China ended DST in 1991.
func Shanghai() *time.Location { return shanghai() }

// shanghai loads the zone once: LoadLocation reads the zone file on every
// call (30 µs), and dates are worked out in hot loops (a campaign's cases,
// a bulletin's days). The value never changes after the first call.
var shanghai = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
})

// Calendar is an immutable snapshot of the working calendar. It is cheap to
// query and safe for concurrent use; reload it from the Store after a change.
type Calendar struct {
	loc     *time.Location
	days    map[date]Day
	years   map[int]bool
	periods []Period
}

// NewCalendar builds a calendar from listed days and working periods. A
// year counts as configured (Covers) when at least one of its days is
// listed; days of other years just follow the week.
func NewCalendar(days []Day, periods []Period) (*Calendar, error) {
	if err := ValidatePeriods(periods); err != nil {
		return nil, err
	}
	c := &Calendar{
		loc:     Shanghai(),
		days:    make(map[date]Day, len(days)),
		years:   map[int]bool{},
		periods: slices.Clone(periods),
	}
	for _, d := range days {
		if err := checkDay(d); err != nil {
			return nil, err
		}
		k, _ := parseDate(d.Date)
		if _, dup := c.days[k]; dup {
			return nil, apperr.Invalid("calendar.date_duplicate", d.Date)
		}
		c.days[k] = d
		c.years[k.y] = true
	}
	return c, nil
}

// checkDay checks one listed day on its own: its date, its kind, that a
// swapped working day falls on a weekend, and the length of its name.
func checkDay(d Day) error {
	k, ok := parseDate(d.Date)
	if !ok {
		return apperr.Invalid("calendar.date_invalid", d.Date)
	}
	if !d.Kind.Valid() {
		return apperr.Invalid("calendar.kind_invalid", d.Date, string(d.Kind))
	}
	if d.Kind == KindWorkday && !k.weekend() {
		return apperr.Invalid("calendar.workday_not_weekend", d.Date)
	}
	if len([]rune(d.Name)) > maxNameLen {
		return apperr.Invalid("calendar.name_too_long", d.Date, maxNameLen)
	}
	return nil
}

const maxNameLen = 30

// Location is the calendar's time zone, Asia/Shanghai.
func (c *Calendar) Location() *time.Location { return c.loc }

// Periods returns the working periods of a working day.
func (c *Calendar) Periods() []Period { return slices.Clone(c.periods) }

// Covers reports whether the holidays of year are known. Deadlines in a
// year not covered still skip weekends but no holidays, so the office
// should load the year's schedule when the State Council publishes it.
func (c *Calendar) Covers(year int) bool { return c.years[year] }

// Lookup returns the listed day of t's local date, if any.
func (c *Calendar) Lookup(t time.Time) (Day, bool) {
	d, ok := c.days[dateIn(t, c.loc)]
	return d, ok
}

// IsWorkday reports whether t's local date is a working day: Monday to
// Friday unless a holiday, Saturday and Sunday only when swapped.
func (c *Calendar) IsWorkday(t time.Time) bool { return c.workdate(dateIn(t, c.loc)) }

func (c *Calendar) workdate(d date) bool {
	if day, ok := c.days[d]; ok {
		return day.Kind == KindWorkday
	}
	return !d.weekend()
}

// at is the instant minute m (after midnight) of local date d.
func (c *Calendar) at(d date, m int) time.Time {
	return time.Date(d.y, d.m, d.d, m/60, m%60, 0, 0, c.loc)
}

// AddWorkingDays returns the deadline n working days after start: the end
// of the last working period (17:30 by default) of the n-th working day
// after start's local date. The start day itself never counts, whatever
// the hour and whether or not it is a working day (as 民法典 art. 201 counts
// periods in days: "开始的当日不计入"). So a case filed on Monday 09:00 with
// one working day is due Tuesday 17:30, and one filed on Saturday or during
// a holiday counts from the first working day after it. n <= 0 returns start.
func (c *Calendar) AddWorkingDays(start time.Time, n int) time.Time {
	if n <= 0 {
		return start.UTC()
	}
	d := dateIn(start, c.loc)
	for n > 0 {
		d = d.next()
		if c.workdate(d) {
			n--
		}
	}
	return c.at(d, c.periods[len(c.periods)-1].End).UTC()
}

// AddWorkingHours returns the instant at which h working hours have passed
// since start, counting only time inside the working periods of working
// days. A start outside working time counts from the next period's start;
// a limit used up exactly at a period's end is due then (12:00, not
// 13:30). h <= 0 returns start.
func (c *Calendar) AddWorkingHours(start time.Time, h int) time.Time {
	if h <= 0 {
		return start.UTC()
	}
	left := time.Duration(h) * time.Hour
	start = start.In(c.loc)
	for d := dateIn(start, c.loc); ; d = d.next() {
		if !c.workdate(d) {
			continue
		}
		for _, p := range c.periods {
			from, to := c.at(d, p.Start), c.at(d, p.End)
			if !to.After(start) {
				continue
			}
			if from.Before(start) {
				from = start
			}
			if span := to.Sub(from); left > span {
				left -= span
				continue
			}
			return from.Add(left).UTC()
		}
	}
}

// WorkingHoursBetween returns the working time from a to b in hours,
// counting only the working periods of working days; negative when b is
// before a. Mean handling time is measured with it.
func (c *Calendar) WorkingHoursBetween(a, b time.Time) float64 {
	if b.Before(a) {
		return -c.WorkingHoursBetween(b, a)
	}
	var total time.Duration
	for d := dateIn(a, c.loc); !c.at(d, 0).After(b); d = d.next() {
		if !c.workdate(d) {
			continue
		}
		for _, p := range c.periods {
			from, to := c.at(d, p.Start), c.at(d, p.End)
			if from.Before(a) {
				from = a
			}
			if to.After(b) {
				to = b
			}
			if to.After(from) {
				total += to.Sub(from)
			}
		}
	}
	return total.Hours()
}

// Deadline applies a time limit of amount units to start. An unknown unit
// returns start, so a bad limit makes a case due at once rather than never.
func (c *Calendar) Deadline(start time.Time, amount int, unit Unit) time.Time {
	switch unit {
	case UnitHour:
		return c.AddWorkingHours(start, amount)
	case UnitDay:
		return c.AddWorkingDays(start, amount)
	}
	return start.UTC()
}
