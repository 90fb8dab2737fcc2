package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/ledgerxlsx"
	"github.com/wenming-civic/wenming/internal/problem"
)

// CategoryOption and CategoryGroup feed the category select boxes.
type CategoryOption struct {
	ID   int64
	Name string
}

// CategoryGroup is a top category with its active sub-categories.
type CategoryGroup struct {
	Name    string
	Options []CategoryOption
}

// ledgerFilter reads the ledger's filter from the query string.
func ledgerFilter(q url.Values, loc *time.Location) problem.Filter {
	f := problem.Filter{
		Region: strings.TrimSpace(q.Get("region")), Source: problem.Source(q.Get("source")),
		Overdue: q.Get("overdue") == "1", Below: q.Get("below") == "1", Text: q.Get("q"), Sort: q.Get("sort"),
		Queue: problem.Queue(q.Get("todo")), Mine: q.Get("mine") == "1",
	}
	for _, st := range q["state"] {
		if st != "" {
			f.States = append(f.States, problem.State(st))
		}
	}
	f.UnitID, _ = strconv.ParseInt(q.Get("unit"), 10, 64)
	f.CategoryID, _ = strconv.ParseInt(q.Get("category"), 10, 64)
	f.Escalation, _ = strconv.Atoi(q.Get("escalation"))
	if t, err := time.ParseInLocation("2006-01-02", q.Get("from"), loc); err == nil {
		f.From = t
	}
	if t, err := time.ParseInLocation("2006-01-02", q.Get("to"), loc); err == nil {
		f.To = t.AddDate(0, 0, 1) // the "to" day is included
	}
	return f
}

type ledgerData struct {
	Cases      []*problem.Case
	Pager      cursorPager
	Query      url.Values
	Categories []CategoryGroup
	Unit       unitPicked // the unit filter's picker
	Now        time.Time
	CanReport  bool
	CanExport  bool
	CanImport  bool
	CanBelow   bool // the actor's unit has units below it: offer "only theirs"
	QueryStr   string
	More       bool   // more than problem.CountCapOf(filter) cases match
	QueueKey   string // the workbench queue shown, if any
}

func (s *Server) ledgerList(w http.ResponseWriter, r *http.Request) error {
	ctx, a, q := r.Context(), actorOf(r), r.URL.Query()
	f := ledgerFilter(q, s.loc)
	// The unit is picked by name (a search box that asks as one types), not
	// from a list of every unit on each page.
	unit, err := s.pickedUnit(ctx, a, unitPicked{Field: "unit"}, q.Get("unit"), q.Get("unit_name"))
	if err != nil {
		return err
	}
	f.UnitID = unit.ID
	if unit.Missing {
		f.UnitID = -1 // a name that finds no unit finds no case
	}
	f.Limit = ledgerPerPage
	cursor := q.Get("cursor")
	if n, _ := strconv.Atoi(q.Get("page")); cursor == "" && n > 1 {
		cursor = "p" + strconv.Itoa(n) // a link from before the cursors
	}
	pg, err := s.Problems.Page(ctx, a, f, cursor)
	if err != nil {
		return err
	}
	cases, total, pager := pg.Cases, pg.Total, newCursorPager(r, pg, f.Limit)
	if problem.OwnReportsOnly(a) {
		// 我的上报: what they reported, with its state, not the office's rates.
		s.render(w, r, http.StatusOK, "ledger_mine", "citizen.mine_title",
			ledgerData{Cases: cases, Pager: pager, Query: q})
		return nil
	}
	d := ledgerData{Cases: cases, Pager: pager, Query: q, Unit: unit, Now: s.Problems.Now(),
		CanReport: a.SignedIn(), CanExport: ledgerxlsx.MayExport(a),
		CanImport: problem.MayImport(a), CanBelow: problem.SupervisesUnits(a), QueryStr: r.URL.RawQuery, More: total > pg.Cap}
	if slices.Contains(problem.Queues(), f.Queue) {
		d.QueueKey = "workbench.queue." + string(f.Queue)
	}
	if d.Categories, err = s.CategoryGroups(ctx); err != nil {
		return err
	}

	s.render(w, r, http.StatusOK, "ledger", "ledger.title", d)
	return nil
}

// ledgerPerPage is the ledger's page size on screen.
const ledgerPerPage = 20

// cursorPager describes the links under a keyset-paged list: the count
// (capped), the page number, and the cursors' links.
type cursorPager struct {
	Total, Number, Pages int // Pages is 0 when the count is capped
	Cap                  int // where the count stops
	More                 bool
	First, Prev, Next    string
}

func newCursorPager(r *http.Request, pg problem.Page, limit int) cursorPager {
	p := cursorPager{Total: pg.Total, Cap: pg.Cap, Number: pg.Number, More: pg.Total > pg.Cap}
	if !p.More {
		p.Pages = max(1, (pg.Total+limit-1)/limit)
	}
	link := func(cursor string) string {
		q := r.URL.Query()
		q.Del("page")
		if q.Del("cursor"); cursor != "" {
			q.Set("cursor", cursor)
		}
		if len(q) == 0 {
			return r.URL.Path
		}
		return r.URL.Path + "?" + q.Encode()
	}
	if pg.Prev != "" {
		p.Prev = link(pg.Prev)
		if pg.Number > 2 {
			p.First = link("")
		}
	}
	if pg.Next != "" {
		p.Next = link(pg.Next)
	}
	return p
}
