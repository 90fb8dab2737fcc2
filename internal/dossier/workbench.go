package dossier

import (
	"context"
	"strconv"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/workbench"
)

// Workbench is the dossier's part of the workbench (a workbench.Source):
// a unit's items due soon, overdue or returned; the office's items to
// review.
type Workbench struct {
	Store *Store
}

// Items implements workbench.Source.
func (w Workbench) Items(ctx context.Context, a access.Actor) ([]workbench.Item, error) {
	s := w.Store
	var out []workbench.Item
	today := s.today()
	soon := s.now().AddDate(0, 0, 14).Format(dateLayout)
	if a.Has(access.RoleHandler) && a.UnitID != 0 {
		items, err := s.Items(ctx, a, ItemFilter{Mine: true})
		if err != nil {
			return nil, err
		}
		due := workbench.Item{Kind: "dossier/due", Section: workbench.SectionTodo, Title: workbench.T("workbench.dossier.due"),
			Link: "/dossiers/mine", Tone: workbench.Normal}
		for _, it := range items {
			if it.UnitID != a.UnitID || !it.State.open() || it.DueOn > soon {
				continue
			}
			due.Count++
			tone, note := workbench.Warn, workbench.T("workbench.note.dossier_due", it.DueOn)
			switch {
			case it.Late(today):
				tone, note = workbench.Danger, workbench.T("workbench.note.dossier_overdue", it.DueOn)
				due.Tone = workbench.Danger
			case it.State == Returned:
				tone, note = workbench.Danger, workbench.T("workbench.note.dossier_returned", it.ReturnReason)
				due.Tone = workbench.Danger
			case due.Tone == workbench.Normal:
				due.Tone = workbench.Warn
			}
			due.Entries = append(due.Entries, workbench.Entry{Label: it.Title + " · " + it.Period(), Note: note, Tone: tone,
				Link: "/dossiers/items/" + strconv.FormatInt(it.ID, 10)})
		}
		out = append(out, due)
	}
	if MayRun(a) && (a.IsAdmin() || a.Region != "") {
		items, err := s.Items(ctx, a, ItemFilter{State: Status(Submitted), Limit: 500})
		if err != nil {
			return nil, err
		}
		review := workbench.Item{Kind: "dossier/review", Section: workbench.SectionTodo, Title: workbench.T("workbench.dossier.review"),
			Link: "/dossiers/review", Tone: workbench.Normal}
		for _, it := range items {
			if !manages(a, it.RoundRegion) {
				continue
			}
			review.Count++
			review.Tone = workbench.Warn
			review.Entries = append(review.Entries, workbench.Entry{Label: it.Title + " · " + it.Period(), Tone: workbench.Normal,
				Note: workbench.T("workbench.note.dossier_from", it.UnitName), Link: "/dossiers/items/" + strconv.FormatInt(it.ID, 10)})
		}
		out = append(out, review)
	}
	return out, nil
}
