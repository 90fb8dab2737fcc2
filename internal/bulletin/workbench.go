package bulletin

import (
	"context"
	"fmt"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/workbench"
)

// Workbench is the bulletins' part of the workbench (a workbench.Source):
// for the office, the scheduled bulletins due today and those whose run
// was missed.
type Workbench struct {
	Store *Store
}

// Next is the first moment after now when the schedule is due.
func (sc Schedule) Next(now time.Time) time.Time {
	loc := calendar.Shanghai()
	l := now.In(loc)
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, sc.Hour, sc.Minute, 0, 0, loc) }
	switch sc.Kind {
	case PeriodWeek:
		iso := (int(l.Weekday())+6)%7 + 1
		next := at(l.Year(), l.Month(), l.Day()+(sc.Weekday-iso+7)%7)
		if !next.After(now) {
			next = next.AddDate(0, 0, 7)
		}
		return next
	case PeriodMonth:
		next := at(l.Year(), l.Month(), sc.Monthday)
		if !next.After(now) {
			next = at(l.Year(), l.Month()+1, sc.Monthday)
		}
		return next
	}
	next := at(l.Year(), l.Month(), l.Day())
	if !next.After(now) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// Missed reports whether the schedule's latest run has not issued its
// bulletin (RunDue failed, or no server ran meanwhile).
func (sc Schedule) Missed(now time.Time) bool {
	due, p := sc.Due(now)
	return sc.Enabled && !due.Before(sc.CreatedAt) && sc.LastRunKey != p.Key()
}

// Items implements workbench.Source.
func (w Workbench) Items(ctx context.Context, a access.Actor) ([]workbench.Item, error) {
	if !a.IsAdmin() && !(a.Has(access.RoleOffice) && a.Region != "") {
		return nil, nil
	}
	list, err := w.Store.Schedules(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("workbench bulletins: %w", err)
	}
	now := w.Store.now()
	l := now.In(calendar.Shanghai())
	midnight := time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, calendar.Shanghai())
	it := workbench.Item{Kind: "bulletin/due", Section: workbench.SectionTodo, Title: workbench.T("workbench.bulletin.due"),
		Link: "/bulletins/config", Tone: workbench.Normal}
	for _, sc := range list {
		if !sc.Enabled {
			continue
		}
		var e workbench.Entry
		switch next := sc.Next(now); {
		case sc.Missed(now):
			e = workbench.Entry{Tone: workbench.Danger, Note: workbench.T("workbench.note.bulletin_missed", i18n.Key("bulletin.kind."+sc.Kind))}
			it.Tone = workbench.Danger
		case next.Before(midnight):
			e = workbench.Entry{Tone: workbench.Normal, Note: workbench.T("workbench.note.bulletin_at",
				i18n.Key("bulletin.kind."+sc.Kind), next.In(calendar.Shanghai()).Format("15:04"))}
		default:
			continue
		}
		it.Count++
		if it.Tone == workbench.Normal {
			it.Tone = workbench.Warn
		}
		if len(it.Entries) < workbench.MaxEntries {
			e.Label = sc.ScopeName
			e.Link = "/bulletins/config"
			it.Entries = append(it.Entries, e)
		}
	}
	return []workbench.Item{it}, nil
}
