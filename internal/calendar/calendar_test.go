package calendar_test

import (
	"math"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/i18n"
)

var cst = calendar.Shanghai()

// at is a Shanghai wall-clock time, "2006-01-02 15:04".
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func local(v time.Time) string { return v.In(cst).Format("2006-01-02 15:04") }

// builtin is the calendar of the embedded schedules with default hours.
func builtin(t *testing.T) *calendar.Calendar {
	t.Helper()
	years, err := calendar.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var days []calendar.Day
	for _, d := range years {
		days = append(days, d...)
	}
	c, err := calendar.NewCalendar(days, calendar.DefaultPeriods())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBuiltinSchedules(t *testing.T) {
	years, err := calendar.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	c := builtin(t)
	// Holidays (weekend days inside them included), swapped working days,
	// and the year's working days: 365 − 104 weekend days − the 13 statutory
	// holidays (since 2025), the swaps only move days around.
	want := map[int]struct{ holidays, workdays, working int }{
		2025: {28, 5, 248},
		2026: {33, 6, 248},
	}
	for year, w := range want {
		days, ok := years[year]
		if !ok {
			t.Fatalf("no built-in schedule for %d", year)
		}
		var h, wd int
		for _, d := range days {
			if d.Kind == calendar.KindHoliday {
				h++
			} else {
				wd++
			}
		}
		working := 0
		for d := time.Date(year, 1, 1, 12, 0, 0, 0, cst); d.Year() == year; d = d.AddDate(0, 0, 1) {
			if c.IsWorkday(d) {
				working++
			}
		}
		if h != w.holidays || wd != w.workdays || working != w.working {
			t.Errorf("%d: %d holiday days, %d swapped working days, %d working days; want %d, %d, %d",
				year, h, wd, working, w.holidays, w.workdays, w.working)
		}
		if !c.Covers(year) {
			t.Errorf("Covers(%d) = false", year)
		}
	}
	if c.Covers(2027) {
		t.Error("Covers(2027) = true without data")
	}
}

func TestIsWorkday(t *testing.T) {
	c := builtin(t)
	tests := []struct {
		when string // Shanghai time
		want bool
		why  string
	}{
		{"2026-02-13 09:00", true, "Friday before the Spring Festival"},
		{"2026-02-14 09:00", true, "Saturday swapped to a working day"},
		{"2026-02-15 09:00", false, "Sunday, first day of the Spring Festival"},
		{"2026-02-16 09:00", false, "Monday inside the Spring Festival"},
		{"2026-02-23 09:00", false, "Monday, last day of the Spring Festival"},
		{"2026-02-24 09:00", true, "Tuesday after the Spring Festival"},
		{"2026-02-28 09:00", true, "Saturday swapped to a working day"},
		{"2026-03-01 09:00", false, "ordinary Sunday"},
		{"2026-03-07 09:00", false, "ordinary Saturday"},
		{"2026-03-02 09:00", true, "ordinary Monday"},
		{"2026-01-01 09:00", false, "New Year's Day"},
		{"2026-01-03 09:00", false, "Saturday inside the New Year holiday"},
		{"2026-01-04 09:00", true, "Sunday swapped to a working day"},
		{"2026-05-09 09:00", true, "Saturday after Labour Day, swapped"},
		{"2026-06-19 09:00", false, "Dragon Boat Festival (Friday)"},
		{"2026-09-20 09:00", true, "Sunday swapped for National Day"},
		{"2026-09-25 09:00", false, "Mid-Autumn Festival (Friday)"},
		{"2026-10-08 09:00", true, "Thursday after National Day"},
		{"2026-10-10 09:00", true, "Saturday swapped for National Day"},
		{"2025-01-26 09:00", true, "Sunday swapped for the 2025 Spring Festival"},
		{"2025-10-08 09:00", false, "last day of National Day and Mid-Autumn 2025"},
		{"2025-10-11 09:00", true, "Saturday swapped for National Day 2025"},
		{"2027-01-01 09:00", true, "a Friday of a year not configured: only the week counts"},
		{"2027-01-02 09:00", false, "a Saturday of a year not configured"},
		{"2026-02-14 00:00", true, "midnight belongs to the new day"},
		{"2026-02-13 23:59", true, "late Friday"},
	}
	for _, tc := range tests {
		if got := c.IsWorkday(at(t, tc.when)); got != tc.want {
			t.Errorf("IsWorkday(%s) = %v, want %v (%s)", tc.when, got, tc.want, tc.why)
		}
	}
	// The date is the Shanghai date, not the UTC one: 2026-02-14 16:30 UTC
	// is 00:30 on the first day of the Spring Festival.
	if c.IsWorkday(time.Date(2026, 2, 14, 16, 30, 0, 0, time.UTC)) {
		t.Error("IsWorkday used the UTC date")
	}
	if d, ok := c.Lookup(at(t, "2026-02-17 12:00")); !ok || d.Name != "春节" || d.Kind != calendar.KindHoliday {
		t.Errorf("Lookup(2026-02-17) = %+v, %v", d, ok)
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := builtin(t)
	tests := []struct {
		start string
		n     int
		want  string
		why   string
	}{
		{"2026-03-02 10:00", 1, "2026-03-03 17:30", "filed on a Monday: the day itself does not count"},
		{"2026-03-02 07:00", 1, "2026-03-03 17:30", "filed before work starts: still from the next day"},
		{"2026-03-06 23:00", 1, "2026-03-09 17:30", "filed Friday night: Monday"},
		{"2026-03-01 10:00", 1, "2026-03-02 17:30", "filed on a Sunday: Monday is the first day"},
		{"2026-02-12 10:00", 2, "2026-02-14 17:30", "lands on the swapped Saturday 2026-02-14"},
		{"2026-02-12 10:00", 3, "2026-02-24 17:30", "crosses the Spring Festival after the swapped Saturday"},
		{"2026-02-13 16:00", 5, "2026-02-27 17:30", "Sat 14 then Tue 24 to Fri 27"},
		{"2026-02-27 09:00", 1, "2026-02-28 17:30", "lands on the swapped Saturday 2026-02-28"},
		{"2026-02-17 10:00", 1, "2026-02-24 17:30", "filed during the holiday"},
		{"2026-02-17 10:00", 4, "2026-02-27 17:30", "filed during the holiday, four days"},
		{"2026-09-30 10:00", 5, "2026-10-13 17:30", "crosses National Day and its swapped Saturday"},
		{"2025-12-31 10:00", 2, "2026-01-05 17:30", "crosses New Year and the swapped Sunday 2026-01-04"},
		{"2026-03-02 10:00", 10, "2026-03-16 17:30", "ten working days, two weekends"},
		{"2026-03-02 10:00", 0, "2026-03-02 10:00", "no limit: unchanged"},
	}
	for _, tc := range tests {
		got := c.AddWorkingDays(at(t, tc.start), tc.n)
		if got.Location() != time.UTC {
			t.Errorf("AddWorkingDays returned a %s time", got.Location())
		}
		if local(got) != tc.want {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s (%s)", tc.start, tc.n, local(got), tc.want, tc.why)
		}
	}
	// The Shanghai date decides: 20:00 UTC on Monday is Tuesday 04:00.
	if got := c.AddWorkingDays(time.Date(2026, 3, 2, 20, 0, 0, 0, time.UTC), 1); local(got) != "2026-03-04 17:30" {
		t.Errorf("AddWorkingDays from Monday 20:00 UTC = %s, want Wednesday", local(got))
	}
}

func TestAddWorkingHours(t *testing.T) {
	c := builtin(t)
	tests := []struct {
		start string
		h     int
		want  string
		why   string
	}{
		{"2026-03-02 09:00", 2, "2026-03-02 11:00", "inside the morning"},
		{"2026-03-02 10:00", 2, "2026-03-02 12:00", "used up at noon: due at 12:00, not 13:30"},
		{"2026-03-02 11:00", 2, "2026-03-02 14:30", "across the lunch break"},
		{"2026-03-02 12:30", 1, "2026-03-02 14:30", "filed during lunch"},
		{"2026-03-02 07:00", 1, "2026-03-02 09:30", "filed before work"},
		{"2026-03-02 17:00", 2, "2026-03-03 10:00", "across the night"},
		{"2026-03-02 20:00", 2, "2026-03-03 10:30", "filed in the evening"},
		{"2026-03-06 16:30", 2, "2026-03-09 09:30", "across a weekend"},
		{"2026-03-02 08:30", 8, "2026-03-03 09:00", "a day has 7.5 working hours"},
		{"2026-02-13 17:00", 1, "2026-02-14 09:00", "into the swapped Saturday"},
		{"2026-02-17 10:00", 2, "2026-02-24 10:30", "filed during the Spring Festival"},
		{"2026-02-14 17:00", 4, "2026-02-24 12:00", "from the swapped Saturday across the holiday"},
		{"2026-03-02 09:00", 0, "2026-03-02 09:00", "no limit: unchanged"},
	}
	for _, tc := range tests {
		got := c.AddWorkingHours(at(t, tc.start), tc.h)
		if got.Location() != time.UTC {
			t.Errorf("AddWorkingHours returned a %s time", got.Location())
		}
		if local(got) != tc.want {
			t.Errorf("AddWorkingHours(%s, %d) = %s, want %s (%s)", tc.start, tc.h, local(got), tc.want, tc.why)
		}
	}
}

func TestWorkingHoursBetween(t *testing.T) {
	c := builtin(t)
	tests := []struct {
		a, b string
		want float64
	}{
		{"2026-03-02 08:30", "2026-03-02 17:30", 7.5},
		{"2026-03-02 11:00", "2026-03-02 14:30", 2},
		{"2026-03-02 12:10", "2026-03-02 13:20", 0},
		{"2026-03-02 17:00", "2026-03-03 10:00", 2},
		{"2026-03-06 17:00", "2026-03-09 09:00", 1},
		{"2026-02-13 08:30", "2026-02-24 08:30", 15},
		{"2026-02-15 00:00", "2026-02-23 23:59", 0},
		{"2026-03-02 09:00", "2026-03-02 09:00", 0},
		{"2026-03-02 14:30", "2026-03-02 11:00", -2},
	}
	for _, tc := range tests {
		if got := c.WorkingHoursBetween(at(t, tc.a), at(t, tc.b)); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("WorkingHoursBetween(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestHoursRoundTrip: from any start, the working time between the start
// and AddWorkingHours(start, h) is h, and the deadline lies in working time.
func TestHoursRoundTrip(t *testing.T) {
	c := builtin(t)
	start := at(t, "2026-02-10 00:00")
	for s := start; s.Before(start.AddDate(0, 0, 24)); s = s.Add(97 * time.Minute) {
		for _, h := range []int{1, 2, 4, 7, 8, 24, 100} {
			end := c.AddWorkingHours(s, h)
			if got := c.WorkingHoursBetween(s, end); math.Abs(got-float64(h)) > 1e-9 {
				t.Fatalf("from %s, %d hours end at %s, but %v working hours lie between", local(s), h, local(end), got)
			}
			if !c.IsWorkday(end) {
				t.Fatalf("from %s, %d hours end on a day off: %s", local(s), h, local(end))
			}
		}
		for _, n := range []int{1, 3, 10} {
			end := c.AddWorkingDays(s, n)
			if !c.IsWorkday(end) || end.In(cst).Format("15:04") != "17:30" {
				t.Fatalf("from %s, %d days end at %s", local(s), n, local(end))
			}
		}
	}
}

func TestDeadline(t *testing.T) {
	c := builtin(t)
	start := at(t, "2026-02-12 10:00")
	tests := []struct {
		amount int
		unit   calendar.Unit
		want   string
	}{
		{2, calendar.UnitHour, "2026-02-12 12:00"},
		{3, calendar.UnitDay, "2026-02-24 17:30"},
		{5, "week", "2026-02-12 10:00"}, // unknown unit: due at once
	}
	for _, tc := range tests {
		if got := c.Deadline(start, tc.amount, tc.unit); local(got) != tc.want {
			t.Errorf("Deadline(%d %s) = %s, want %s", tc.amount, tc.unit, local(got), tc.want)
		}
	}
}

func TestCustomPeriods(t *testing.T) {
	ps, err := calendar.ParsePeriods("09:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	c, err := calendar.NewCalendar(nil, ps)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.AddWorkingHours(at(t, "2026-03-02 16:00"), 2); local(got) != "2026-03-03 10:00" {
		t.Errorf("one period: got %s", local(got))
	}
	if got := c.AddWorkingDays(at(t, "2026-03-02 16:00"), 1); local(got) != "2026-03-03 17:00" {
		t.Errorf("one period, day end: got %s", local(got))
	}
	// Without holidays, 2026-02-16 is an ordinary Monday.
	if !c.IsWorkday(at(t, "2026-02-16 10:00")) {
		t.Error("a calendar without listed days kept a holiday")
	}
}

func TestParsePeriods(t *testing.T) {
	tests := []struct {
		in   string
		want string // formatted, or the error code
	}{
		{"08:30-12:00,13:30-17:30", "08:30-12:00,13:30-17:30"},
		{"8:30-12:00，14:00–18:00", "08:30-12:00,14:00-18:00"},
		{"00:00-24:00", "00:00-24:00"},
		{"", "calendar.hours_empty"},
		{"08:30-12:00,11:00-17:30", "calendar.hours_overlap"},
		{"13:30-17:30,08:30-12:00", "calendar.hours_overlap"},
		{"12:00-08:30", "calendar.hours_invalid"},
		{"08:30", "calendar.hours_invalid"},
		{"25:00-26:00", "calendar.hours_invalid"},
		{"08:60-09:00", "calendar.hours_invalid"},
		{"1:00-2:00,3:00-4:00,5:00-6:00,7:00-8:00,9:00-10:00", "calendar.hours_too_many"},
	}
	for _, tc := range tests {
		ps, err := calendar.ParsePeriods(tc.in)
		got := calendar.FormatPeriods(ps)
		if err != nil {
			got = apperr.As(err).Code
		}
		if got != tc.want {
			t.Errorf("ParsePeriods(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestNewCalendarRejectsBadDays(t *testing.T) {
	for _, days := range [][]calendar.Day{
		{{Date: "2026-02-16", Kind: calendar.KindWorkday}}, // a Monday
		{{Date: "2026-2-16", Kind: calendar.KindHoliday}},
		{{Date: "2026-02-16", Kind: "off"}},
		{{Date: "2026-02-16", Kind: calendar.KindHoliday}, {Date: "2026-02-16", Kind: calendar.KindHoliday}},
	} {
		if _, err := calendar.NewCalendar(days, calendar.DefaultPeriods()); apperr.As(err).Kind != apperr.KindInvalid {
			t.Errorf("NewCalendar(%v) = %v, want invalid", days, err)
		}
	}
	if _, err := calendar.NewCalendar(nil, nil); err == nil {
		t.Error("NewCalendar without working periods succeeded")
	}
}

// TestMessagesExist checks the keys this package produces outside the
// patterns the i18n coverage test scans (row errors, Key methods).
func TestMessagesExist(t *testing.T) {
	cat := i18n.MustLoad("zh-CN")
	keys := []string{
		"calendar.import.at_line", "calendar.import.failed", "calendar.import.empty", "calendar.import.unreadable",
		"calendar.import.too_large", "calendar.import.bad_csv", "calendar.import.column_count", "calendar.import.duplicate",
	}
	for _, u := range calendar.Units() {
		keys = append(keys, u.Key())
	}
	for _, k := range calendar.DayKinds() {
		keys = append(keys, k.Key())
	}
	for _, k := range keys {
		if !cat.Has(k) {
			t.Errorf("zh-CN lacks %q", k)
		}
	}
}

func BenchmarkDeadline(b *testing.B) {
	years, err := calendar.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	var days []calendar.Day
	for _, d := range years {
		days = append(days, d...)
	}
	c, err := calendar.NewCalendar(days, calendar.DefaultPeriods())
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 2, 10, 1, 0, 0, 0, time.UTC)
	b.Run("days", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			c.AddWorkingDays(start.Add(time.Duration(i%1000)*time.Hour), 10)
		}
	})
	b.Run("hours", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			c.AddWorkingHours(start.Add(time.Duration(i%1000)*time.Hour), 24)
		}
	})
	b.Run("between-two-weeks", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			a := start.Add(time.Duration(i%1000) * time.Hour)
			c.WorkingHoursBetween(a, a.Add(14*24*time.Hour))
		}
	})
}
