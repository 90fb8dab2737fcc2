package web

import (
	"net/http"
	"time"

	"github.com/wenming-civic/wenming/internal/holder"
	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/selection"
)

type holderShowData struct {
	H       holder.Holder
	Card    holder.Card
	Cases   []*problem.Case
	Scores  []holder.Score
	Picks   []selection.Nomination
	Region  string
	Overdue bool
	Month   string
	Now     time.Time
}

// holderShow is a holder's page: what they hold, the month's report card,
// and the cases, inspection results and selections there (read only). A
// holder asking for a region outside the holding gets an empty list.
func (s *Server) holderShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx, a, q := r.Context(), actorOf(r), r.URL.Query()
	month := q.Get("month")
	if _, _, err := holder.MonthRange(month); err != nil {
		month = s.Holders.ThisMonth()
	}
	d := holderShowData{Region: q.Get("region"), Overdue: q.Get("overdue") == "1", Month: month, Now: s.Problems.Now()}
	if d.H, err = s.Holders.Get(ctx, a, id); err != nil {
		return err
	}
	if d.Card, err = s.Holders.Card(ctx, a, id, month); err != nil {
		return err
	}
	if d.Cases, err = s.Holders.Cases(ctx, a, id, holder.CaseFilter{Region: d.Region, OverdueOnly: d.Overdue, Limit: 50}); err != nil {
		return err
	}
	from, to, _ := holder.MonthRange(month)
	if d.Scores, err = s.Holders.Inspections(ctx, a, id, from.AddDate(0, -2, 0), to); err != nil {
		return err
	}
	if d.Picks, err = s.Holders.Selections(ctx, a, id); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "holder", "holder.show_title", d)
	return nil
}
