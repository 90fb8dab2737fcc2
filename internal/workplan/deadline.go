package workplan

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/calendar"
)

// workingDays matches a deadline written as a number of working days
// counted from the task's start: "20个工作日", "20 工作日", "20工作日内".
var workingDays = regexp.MustCompile(`^(\d{1,3})\s*个?\s*工作日内?$`)

// ParseDate reads a date as offices write it: 2026-06-30, 2026/6/30,
// 2026.6.30 or 2026年6月30日.
func ParseDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	v = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(v)
	for _, layout := range []string{"2006-1-2", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, calendar.Shanghai()); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Due is a resolved deadline: the working day a task falls due and the
// instant it is late (the end of that working day).
type Due struct {
	On string    // YYYY-MM-DD
	At time.Time // UTC
}

// ResolveDue turns a deadline as written into the working day it falls
// due. A date that is a rest day or holiday falls due on the next working
// day (民法典 art. 203: 期间的最后一日是法定休假日的，以法定休假日结束的次日
// 为期间的最后一日); "N个工作日" counts N working days after the start, the
// start day not counted (art. 201). A deadline before the start is refused.
func ResolveDue(cal *calendar.Calendar, startsOn, text string) (Due, error) {
	start, ok := ParseDate(startsOn)
	if !ok {
		return Due{}, apperr.Invalid("workplan.start_invalid")
	}
	text = strings.TrimSpace(text)
	var at time.Time
	if m := workingDays.FindStringSubmatch(text); m != nil {
		n, _ := strconv.Atoi(m[1])
		if n <= 0 {
			return Due{}, apperr.Invalid("workplan.due_invalid")
		}
		at = cal.AddWorkingDays(start.Add(12*time.Hour), n)
	} else {
		d, ok := ParseDate(text)
		if !ok {
			return Due{}, apperr.Invalid("workplan.due_invalid")
		}
		if d.Before(start) {
			return Due{}, apperr.Invalid("workplan.due_before_start")
		}
		// The first working day on or after d: one working day after the day before.
		at = cal.AddWorkingDays(d.AddDate(0, 0, -1).Add(12*time.Hour), 1)
	}
	return Due{On: at.In(cal.Location()).Format(dateLayout), At: at}, nil
}

// RedAt is when an overdue task due at turns red.
func RedAt(cal *calendar.Calendar, due time.Time) time.Time {
	return cal.AddWorkingDays(due, RedAfterWorkingDays)
}
