package bulletin

import (
	"fmt"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
)

// The kinds of period.
const (
	PeriodDay    = "day"
	PeriodWeek   = "week"  // Monday to Sunday
	PeriodMonth  = "month" // a calendar month
	PeriodCustom = "custom"
)

// MaxPeriodDays bounds a custom period (two years).
const MaxPeriodDays = 731

const dateLayout = "2006-01-02"

// Period is a run of whole days in Asia/Shanghai, From and To included.
type Period struct {
	Kind string `json:"kind"`
	From string `json:"from"` // YYYY-MM-DD
	To   string `json:"to"`
}

// civil parses a date as a UTC midnight, for day arithmetic.
func civil(s string) (time.Time, bool) {
	t, err := time.Parse(dateLayout, strings.TrimSpace(s))
	return t, err == nil
}

func dateOf(t time.Time) string { return t.Format(dateLayout) }

// ParsePeriod reads a period from a form: for day, week and month only from
// is needed (any day of the week or month; a month may also be YYYY-MM);
// custom needs both days. A period that ends before it starts is refused.
func ParsePeriod(kind, from, to string) (Period, error) {
	kind = strings.TrimSpace(kind)
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if kind == PeriodMonth && len(from) == len("2006-01") {
		from += "-01"
	}
	f, ok := civil(from)
	if !ok {
		return Period{}, apperr.Invalid("bulletin.period_date_invalid", from)
	}
	switch kind {
	case PeriodDay:
		return dayPeriod(f), nil
	case PeriodWeek:
		return weekPeriod(f), nil
	case PeriodMonth:
		return monthPeriod(f), nil
	case PeriodCustom:
		t, ok := civil(to)
		if !ok {
			return Period{}, apperr.Invalid("bulletin.period_date_invalid", to)
		}
		if t.Before(f) {
			return Period{}, apperr.Invalid("bulletin.period_reversed", dateOf(f), dateOf(t))
		}
		if days := int(t.Sub(f).Hours()/24) + 1; days > MaxPeriodDays {
			return Period{}, apperr.Invalid("bulletin.period_too_long", MaxPeriodDays)
		}
		return Period{Kind: PeriodCustom, From: dateOf(f), To: dateOf(t)}, nil
	}
	return Period{}, apperr.Invalid("bulletin.period_kind_invalid")
}

func dayPeriod(d time.Time) Period {
	return Period{Kind: PeriodDay, From: dateOf(d), To: dateOf(d)}
}

func weekPeriod(d time.Time) Period {
	monday := d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	return Period{Kind: PeriodWeek, From: dateOf(monday), To: dateOf(monday.AddDate(0, 0, 6))}
}

func monthPeriod(d time.Time) Period {
	first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	return Period{Kind: PeriodMonth, From: dateOf(first), To: dateOf(first.AddDate(0, 1, -1))}
}

// Valid reports whether the period's days parse and are in order.
func (p Period) Valid() bool {
	f, ok1 := civil(p.From)
	t, ok2 := civil(p.To)
	return ok1 && ok2 && !t.Before(f)
}

// Start is the first instant of the period.
func (p Period) Start() time.Time {
	f, _ := civil(p.From)
	return time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, calendar.Shanghai())
}

// End is the first instant after the period.
func (p Period) End() time.Time {
	t, _ := civil(p.To)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, calendar.Shanghai())
}

// Days is the number of days in the period.
func (p Period) Days() int {
	f, _ := civil(p.From)
	t, _ := civil(p.To)
	return int(t.Sub(f).Hours()/24) + 1
}

// Previous is the period just before, of the same kind: the day, week or
// month before, or as many days just before a custom period.
func (p Period) Previous() Period {
	f, _ := civil(p.From)
	switch p.Kind {
	case PeriodDay:
		return dayPeriod(f.AddDate(0, 0, -1))
	case PeriodWeek:
		return weekPeriod(f.AddDate(0, 0, -7))
	case PeriodMonth:
		return monthPeriod(f.AddDate(0, -1, 0))
	}
	n := p.Days()
	return Period{Kind: PeriodCustom, From: dateOf(f.AddDate(0, 0, -n)), To: dateOf(f.AddDate(0, 0, -1))}
}

// Key names the period: day:2026-11-22, week:2026-W47, month:2026-11,
// custom:2026-11-01..2026-11-30.
func (p Period) Key() string {
	f, _ := civil(p.From)
	switch p.Kind {
	case PeriodDay:
		return "day:" + p.From
	case PeriodWeek:
		y, w := f.ISOWeek()
		return fmt.Sprintf("week:%d-W%02d", y, w)
	case PeriodMonth:
		return "month:" + p.From[:7]
	}
	return "custom:" + p.From + ".." + p.To
}

// Year is the year of the period's first day.
func (p Period) Year() int {
	f, _ := civil(p.From)
	return f.Year()
}

// Week is the ISO week number of a week period.
func (p Period) Week() int {
	f, _ := civil(p.From)
	_, w := f.ISOWeek()
	return w
}

// Month is the month of the period's first day.
func (p Period) Month() int {
	f, _ := civil(p.From)
	return int(f.Month())
}
