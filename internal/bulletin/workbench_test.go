package bulletin_test

import (
	"context"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/bulletin"
	"github.com/wenming-civic/wenming/internal/workbench"
)

// TestScheduleNext: the next run of each kind of schedule, from moments
// around its time.
func TestScheduleNext(t *testing.T) {
	t.Parallel()
	at := func(d string, hm string) time.Time {
		x, err := time.ParseInLocation("2006-01-02 15:04", d+" "+hm, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, tc := range []struct {
		name string
		sc   bulletin.Schedule
		now  time.Time
		want time.Time
	}{
		{"daily, later today", bulletin.Schedule{Kind: bulletin.PeriodDay, Hour: 17, Minute: 30}, at("2026-11-16", "09:00"), at("2026-11-16", "17:30")},
		{"daily, at its time: tomorrow", bulletin.Schedule{Kind: bulletin.PeriodDay, Hour: 17, Minute: 30}, at("2026-11-16", "17:30"), at("2026-11-17", "17:30")},
		{"weekly on Monday, on Monday morning", bulletin.Schedule{Kind: bulletin.PeriodWeek, Weekday: 1, Hour: 10}, at("2026-11-16", "09:00"), at("2026-11-16", "10:00")},
		{"weekly on Monday, on Monday afternoon", bulletin.Schedule{Kind: bulletin.PeriodWeek, Weekday: 1, Hour: 10}, at("2026-11-16", "15:00"), at("2026-11-23", "10:00")},
		{"weekly on Friday, on Sunday", bulletin.Schedule{Kind: bulletin.PeriodWeek, Weekday: 5, Hour: 16}, at("2026-11-22", "12:00"), at("2026-11-27", "16:00")},
		{"monthly on the 28th, after it", bulletin.Schedule{Kind: bulletin.PeriodMonth, Monthday: 28, Hour: 9}, at("2026-12-28", "10:00"), at("2027-01-28", "09:00")},
		{"monthly on the 1st, before it", bulletin.Schedule{Kind: bulletin.PeriodMonth, Monthday: 1, Hour: 9}, at("2026-11-30", "10:00"), at("2026-12-01", "09:00")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.sc.Next(tc.now); !got.Equal(tc.want) {
				t.Fatalf("Next(%s) = %s, want %s", tc.now, got, tc.want)
			}
		})
	}
}

// TestWorkbenchBulletins: the office's workbench counts its schedules due
// later today and the ones whose run was missed, not the others; units see
// no bulletin item.
func TestWorkbenchBulletins(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	w.now = time.Date(2026, 11, 16, 9, 0, 0, 0, shanghai) // a Monday
	office := w.actors["office"]
	for _, in := range []bulletin.ScheduleInput{
		{Kind: bulletin.PeriodDay, Hour: 17, Minute: 30},             // today
		{Kind: bulletin.PeriodWeek, Weekday: 3, Hour: 10},            // Wednesday
		{Kind: bulletin.PeriodMonth, Monthday: 1, Hour: 9},           // next month
		{Kind: bulletin.PeriodWeek, Weekday: 1, Hour: 16, Minute: 0}, // today
	} {
		if _, err := w.bulletin.CreateSchedule(ctx, office, in); err != nil {
			t.Fatal(err)
		}
	}
	wb := bulletin.Workbench{Store: w.bulletin}
	items, err := wb.Items(ctx, office)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Count != 2 || items[0].Tone != workbench.Warn || len(items[0].Entries) != 2 {
		t.Fatalf("today: %+v", items)
	}
	// The next day at noon the daily run of 17:30 yesterday never issued.
	w.now = time.Date(2026, 11, 17, 12, 0, 0, 0, shanghai)
	items, err = wb.Items(ctx, office)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Tone != workbench.Danger || items[0].Count != 2 {
		t.Fatalf("missed: %+v", items)
	}
	if items, err := wb.Items(ctx, w.actors["handler"]); err != nil || len(items) != 0 {
		t.Errorf("a handler sees %+v (%v)", items, err)
	}
}
