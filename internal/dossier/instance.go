package dossier

import (
	"fmt"
	"time"
)

// Instance is one period a responsible unit owes evidence for.
type Instance struct {
	Seq      int
	From, To string // YYYY-MM-DD, inclusive
	Due      string // YYYY-MM-DD
}

// Label is the instance's period as people say it: 2026年3月,
// 2026年第2季度, or the whole period.
func (in Instance) Label() string { return PeriodLabel(in.From, in.To) }

// PeriodLabel names a period from its first and last day.
func PeriodLabel(from, to string) string {
	f, ok1 := time.Parse(dateLayout, from)
	t, ok2 := time.Parse(dateLayout, to)
	if ok1 != nil || ok2 != nil {
		return from + "至" + to
	}
	if f.Year() == t.Year() && f.Month() == t.Month() {
		return fmt.Sprintf("%d年%d月", f.Year(), int(f.Month()))
	}
	q := (int(f.Month())-1)/3 + 1
	if f.Year() == t.Year() && (int(t.Month())-1)/3+1 == q && t.Month()-f.Month() < 3 {
		if int(f.Month()) == 3*q-2 && int(t.Month()) == 3*q {
			return fmt.Sprintf("%d年第%d季度", f.Year(), q)
		}
		return fmt.Sprintf("%d年第%d季度（%d—%d月）", f.Year(), q, int(f.Month()), int(t.Month()))
	}
	return fmt.Sprintf("%d年%d月至%d年%d月", f.Year(), int(f.Month()), t.Year(), int(t.Month()))
}

// Instances lays out the instances of a requirement covering the months
// from to to (YYYY-MM, inclusive):
//
//   - once: one instance for the whole period, due on dueOn when given,
//     else dueDays days after the period's last day;
//   - monthly: one per month, each due dueDays days after its month;
//   - quarterly: one per calendar quarter, clipped to the period (a
//     period of 2026-03 to 2027-02 has five: March, Q2, Q3, Q4, and
//     January–February), each due dueDays days after its last day.
//
// It returns nil for a period that is not well formed.
func Instances(freq Frequency, from, to string, dueDays int, dueOn string) []Instance {
	start, ok1 := time.Parse(monthLayout, from)
	end, ok2 := time.Parse(monthLayout, to)
	if ok1 != nil || ok2 != nil || end.Before(start) {
		return nil
	}
	lastDay := func(m time.Time) time.Time { return m.AddDate(0, 1, -1) }
	due := func(last time.Time) string { return last.AddDate(0, 0, dueDays).Format(dateLayout) }
	var out []Instance
	switch freq {
	case Once:
		last := lastDay(end)
		d := due(last)
		if dueOn != "" {
			d = dueOn
		}
		out = append(out, Instance{Seq: 1, From: start.Format(dateLayout), To: last.Format(dateLayout), Due: d})
	case Monthly:
		for m := start; !m.After(end); m = m.AddDate(0, 1, 0) {
			last := lastDay(m)
			out = append(out, Instance{Seq: len(out) + 1, From: m.Format(dateLayout), To: last.Format(dateLayout), Due: due(last)})
		}
	case Quarterly:
		for m := start; !m.After(end); {
			qEnd := time.Date(m.Year(), time.Month((int(m.Month())-1)/3*3+3), 1, 0, 0, 0, 0, time.UTC)
			if qEnd.After(end) {
				qEnd = end
			}
			last := lastDay(qEnd)
			out = append(out, Instance{Seq: len(out) + 1, From: m.Format(dateLayout), To: last.Format(dateLayout), Due: due(last)})
			m = qEnd.AddDate(0, 1, 0)
		}
	}
	return out
}
