package volunteer

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/workbench"
)

// Workbench is volunteering's part of the workbench (a workbench.Source):
// for those who run teams and activities, the sign-ups to approve and the
// activities whose hours wait to be confirmed; for the office, the star
// levels and certificates to decide; for a volunteer, their coming
// activities.
type Workbench struct {
	Store *Store
}

// Items implements workbench.Source.
func (w Workbench) Items(ctx context.Context, a access.Actor) ([]workbench.Item, error) {
	s := w.Store
	o, err := s.Scope(ctx, a)
	if err != nil {
		return nil, err
	}
	var out []workbench.Item
	if len(o.Teams) > 0 || o.Manages {
		it, err := w.pendingMembers(ctx, a, o)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	if o.Organises() {
		it, err := w.toConfirm(ctx, a)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	if o.Manages && a.Region != "" {
		var stars, certs int
		vArea, args := inArea("v.region_code", a.Region)
		cArea, cArgs := inArea("region_code", a.Region)
		if err := s.DB.QueryRow(ctx, `SELECT
			(SELECT COUNT(*) FROM volunteer_star x JOIN volunteer v ON v.id = x.volunteer_id WHERE x.state = 'proposed' AND `+vArea+`),
			(SELECT COUNT(*) FROM volunteer_certificate WHERE state IN ('applied', 'accepted') AND `+cArea+`)`,
			append(args, cArgs...)...).Scan(&stars, &certs); err != nil {
			return nil, fmt.Errorf("volunteer workbench: %w", err)
		}
		out = append(out, workbench.Item{Kind: "volunteer/stars", Section: workbench.SectionTodo, Title: workbench.T("workbench.volunteer.stars"),
			Count: stars, Link: "/volunteers/stars", Tone: tone(stars)},
			workbench.Item{Kind: "volunteer/certificates", Section: workbench.SectionTodo, Title: workbench.T("workbench.volunteer.certificates"),
				Count: certs, Link: "/volunteers/certificates", Tone: tone(certs)})
	}
	if o.Oversees && a.Region != "" {
		it, err := w.monthFigure(ctx, a)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	if o.Volunteer != 0 {
		it, err := w.upcoming(ctx, o.Volunteer)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

func tone(n int) workbench.Tone {
	if n > 0 {
		return workbench.Warn
	}
	return workbench.Normal
}

func (w Workbench) pendingMembers(ctx context.Context, a access.Actor, o Overview) (workbench.Item, error) {
	it := workbench.Item{Kind: "volunteer/signups", Section: workbench.SectionTodo, Title: workbench.T("workbench.volunteer.signups"),
		Link: "/volunteers/teams"}
	cond, args := "", []any{}
	switch {
	case a.IsAdmin():
		cond = "1 = 1"
	case o.Manages:
		cond, args = inArea("t.region_code", a.Region)
	default:
		cond, args = "t.id IN ("+db.Placeholders(len(o.Teams))+")", int64sAny(o.Teams)
	}
	rows, err := w.Store.DB.Query(ctx, `SELECT t.id, t.name, COUNT(*) FROM volunteer_member m JOIN volunteer_team t ON t.id = m.team_id
		WHERE m.state = 'pending' AND `+cond+` GROUP BY t.id, t.name ORDER BY 3 DESC, t.id`, args...)
	if err != nil {
		return it, fmt.Errorf("pending sign-ups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		var n int
		if err := rows.Scan(&id, &name, &n); err != nil {
			return it, fmt.Errorf("pending sign-ups: %w", err)
		}
		it.Count += n
		if len(it.Entries) < workbench.MaxEntries {
			it.Entries = append(it.Entries, workbench.Entry{Label: name, Note: workbench.T("workbench.volunteer.pending_n", n),
				Link: "/volunteers/teams/" + strconv.FormatInt(id, 10), Tone: workbench.Warn})
		}
	}
	it.Tone = tone(it.Count)
	return it, rows.Err()
}

func (w Workbench) toConfirm(ctx context.Context, a access.Actor) (workbench.Item, error) {
	it := workbench.Item{Kind: "volunteer/confirm", Section: workbench.SectionTodo, Title: workbench.T("workbench.volunteer.confirm"),
		Link: "/volunteers/activities?mine=1"}
	n, list, err := w.Store.ToConfirm(ctx, a, workbench.MaxEntries)
	if err != nil {
		return it, err
	}
	it.Count = n
	for _, x := range list {
		it.Entries = append(it.Entries, workbench.Entry{Label: x.Title, Note: workbench.T("workbench.volunteer.activity_on", x.Day(), x.Signed),
			Link: "/volunteers/activities/" + strconv.FormatInt(x.ID, 10), Tone: workbench.Warn})
	}
	it.Tone = tone(it.Count)
	return it, nil
}

func (w Workbench) upcoming(ctx context.Context, volunteerID int64) (workbench.Item, error) {
	s := w.Store
	it := workbench.Item{Kind: "volunteer/upcoming", Section: workbench.SectionTodo, Title: workbench.T("workbench.volunteer.upcoming"),
		Link: "/volunteers/me", Tone: workbench.Normal}
	now := db.Millis(s.now())
	rows, err := s.DB.Query(ctx, `SELECT x.id, x.title, x.starts_at, g.state FROM volunteer_signup g JOIN volunteer_activity x ON x.id = g.activity_id
		WHERE g.volunteer_id = ? AND g.state IN ('signed', 'waiting') AND x.state = 'open' AND x.ends_at > ? ORDER BY x.starts_at, x.id`, volunteerID, now)
	if err != nil {
		return it, fmt.Errorf("upcoming activities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, starts int64
		var title, state string
		if err := rows.Scan(&id, &title, &starts, &state); err != nil {
			return it, fmt.Errorf("upcoming activities: %w", err)
		}
		it.Count++
		note := workbench.T("workbench.volunteer.starts", db.FromMillis(starts).In(Loc()).Format("01-02 15:04"))
		if state == SignupWaiting {
			note = workbench.T("workbench.volunteer.starts_waiting", db.FromMillis(starts).In(Loc()).Format("01-02 15:04"))
		}
		if len(it.Entries) < workbench.MaxEntries {
			it.Entries = append(it.Entries, workbench.Entry{Label: title, Note: note, Link: "/volunteers/activities/" + strconv.FormatInt(id, 10),
				Tone: workbench.Normal})
		}
	}
	return it, rows.Err()
}

// monthFigure is the service hours of the area this month, against last
// month, beside the ledger's figures of the day.
func (w Workbench) monthFigure(ctx context.Context, a access.Actor) (workbench.Item, error) {
	now := w.Store.now().In(Loc())
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, Loc())
	prev := first.AddDate(0, -1, 0)
	var cur, last int64
	area, args := inArea("region_code", a.Region)
	err := w.Store.DB.QueryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN served_on >= ? THEN minutes ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN served_on < ? THEN minutes ELSE 0 END), 0)
		FROM volunteer_tally WHERE served_on >= ? AND served_on <= ? AND `+area,
		append([]any{first.Format("2006-01-02"), first.Format("2006-01-02"), prev.Format("2006-01-02"), now.Format("2006-01-02")}, args...)...).Scan(&cur, &last)
	if err != nil {
		return workbench.Item{}, fmt.Errorf("volunteer month: %w", err)
	}
	return workbench.Item{Kind: "volunteer/hours_month", Section: workbench.SectionFigures, Title: workbench.T("workbench.volunteer.hours_month"),
		Count: int((cur + 30) / 60), Note: workbench.T("workbench.volunteer.hours_last_month", Hours(last)), Link: "/volunteers", Tone: workbench.Normal}, nil
}
