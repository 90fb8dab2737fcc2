package problem_test

import (
	"cmp"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/problem"
)

// pageAll follows the next cursors from the first page and returns the
// codes in the order shown, calling between after each page.
func pageAll(t *testing.T, w *world, who string, f problem.Filter, between func(page int)) []string {
	t.Helper()
	var codes []string
	cursor, seenPages := "", 0
	for {
		pg, err := w.app.Problems.Page(context.Background(), w.actors[who], f, cursor)
		if err != nil {
			t.Fatal(err)
		}
		if seenPages++; pg.Number != seenPages {
			t.Fatalf("page %d says it is page %d", seenPages, pg.Number)
		}
		if len(pg.Cases) > f.Limit {
			t.Fatalf("page %d holds %d cases, the limit is %d", seenPages, len(pg.Cases), f.Limit)
		}
		for _, c := range pg.Cases {
			codes = append(codes, c.Code)
		}
		if between != nil {
			between(seenPages)
		}
		if pg.Next == "" {
			return codes
		}
		if seenPages > 200 {
			t.Fatal("the cursors do not end")
		}
		cursor = pg.Next
	}
}

// reference orders the cases as the ledger promises, computed in Go from
// every case the actor sees.
func reference(t *testing.T, w *world, who string, f problem.Filter) []string {
	t.Helper()
	all := f
	all.Limit, all.Offset, all.Sort = problem.MaxLimit, 0, ""
	cases, _, err := w.app.Problems.List(context.Background(), w.actors[who], all)
	if err != nil {
		t.Fatal(err)
	}
	byID := func(a, b *problem.Case) int { return cmp.Compare(a.ID, b.ID) }
	switch f.Sort {
	case "old":
		slices.SortFunc(cases, func(a, b *problem.Case) int { return cmp.Or(a.ReportedAt.Compare(b.ReportedAt), byID(a, b)) })
	case "rectified": // the queue's cases all have the time
		slices.SortFunc(cases, func(a, b *problem.Case) int { return cmp.Or(a.RectifiedAt.Compare(b.RectifiedAt), byID(a, b)) })
	case "deadline":
		slices.SortFunc(cases, func(a, b *problem.Case) int {
			switch {
			case a.Deadline.IsZero() && b.Deadline.IsZero():
				return byID(a, b)
			case a.Deadline.IsZero():
				return 1
			case b.Deadline.IsZero():
				return -1
			}
			return cmp.Or(a.Deadline.Compare(b.Deadline), byID(a, b))
		})
	default:
		slices.SortFunc(cases, func(a, b *problem.Case) int { return -cmp.Or(a.ReportedAt.Compare(b.ReportedAt), byID(a, b)) })
	}
	var codes []string
	for _, c := range cases {
		codes = append(codes, c.Code)
	}
	return codes
}

func TestKeysetPagesFollowTheReferenceOrder(t *testing.T) {
	w := newWorld(t)
	// Cases in several states (some without a deadline), several with the
	// same reported time, so that ties and empty keys fall across pages.
	for _, st := range []problem.State{problem.Reported, problem.Dispatched, problem.InProgress, problem.Reported,
		problem.Dispatched, problem.Rectified, problem.Closed, problem.Dispatched, problem.Reported} {
		w.caseIn(t, st)
		w.caseIn(t, st)
		w.now = w.now.Add(time.Hour)
	}
	w.now = w.now.AddDate(0, 0, 5)
	filters := map[string]problem.Filter{
		"new":               {Limit: 4},
		"old":               {Sort: "old", Limit: 4},
		"deadline":          {Sort: "deadline", Limit: 3},
		"dispatched, old":   {States: []problem.State{problem.Dispatched}, Sort: "old", Limit: 2},
		"street, deadline":  {Region: "410411001", Sort: "deadline", Limit: 5},
		"overdue":           {Overdue: true, Limit: 2},
		"one page":          {Limit: 100},
		"queue (by number)": {Queue: problem.QueueVerify, Sort: "rectified", Limit: 1},
	}
	for name, f := range filters {
		for _, who := range []string{"office", "handler", "shequ"} {
			want := reference(t, w, who, f)
			got := pageAll(t, w, who, f, nil)
			if !slices.Equal(got, want) {
				t.Errorf("%s as %s: paged\n %v\nwant\n %v", name, who, got, want)
			}
			if who == "office" && name != "queue (by number)" && len(want) < 4 {
				t.Errorf("%s: only %d cases; the fixture is too small to page", name, len(want))
			}
		}
	}
}

func TestKeysetPagesNeitherSkipNorRepeatWhileCasesArrive(t *testing.T) {
	w := newWorld(t)
	for range 12 {
		w.caseIn(t, problem.Dispatched)
		w.now = w.now.Add(time.Minute)
	}
	for _, sort := range []string{"new", "old", "deadline"} {
		f := problem.Filter{Sort: sort, Limit: 5}
		before := reference(t, w, "office", f)
		var added []string
		got := pageAll(t, w, "office", f, func(page int) {
			if page < 3 { // two cases arrive after each of the first pages
				for range 2 {
					w.now = w.now.Add(time.Minute)
					added = append(added, w.caseIn(t, problem.Dispatched).Code)
				}
			}
		})
		seen := map[string]int{}
		for _, c := range got {
			if seen[c]++; seen[c] > 1 {
				t.Errorf("%s: %s shown twice", sort, c)
			}
		}
		for _, c := range before {
			if seen[c] == 0 {
				t.Errorf("%s: %s, there from the start, was skipped", sort, c)
			}
		}
		if sort == "old" {
			// The newcomers sort last, so the pages reach them all.
			for _, c := range added {
				if seen[c] == 0 {
					t.Errorf("old: %s, added while paging, never shown", c)
				}
			}
		}
	}
}

func TestKeysetPagesBackwards(t *testing.T) {
	w := newWorld(t)
	for range 11 {
		w.caseIn(t, problem.Reported)
	}
	ctx, office := context.Background(), w.actors["office"]
	for _, sort := range []string{"new", "deadline"} {
		f := problem.Filter{Sort: sort, Limit: 3}
		var pages []problem.Page
		cursor := ""
		for {
			pg, err := w.app.Problems.Page(ctx, office, f, cursor)
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, pg)
			if pg.Next == "" {
				break
			}
			cursor = pg.Next
		}
		if len(pages) < 4 {
			t.Fatalf("%s: %d pages", sort, len(pages))
		}
		// From the last page back to the first, each Prev shows the page
		// that was shown going forward.
		for i := len(pages) - 1; i > 0; i-- {
			back, err := w.app.Problems.Page(ctx, office, f, pages[i].Prev)
			if err != nil {
				t.Fatal(err)
			}
			if back.Number != i || !slices.EqualFunc(back.Cases, pages[i-1].Cases, func(a, b *problem.Case) bool { return a.ID == b.ID }) {
				t.Errorf("%s: back from page %d: page %d with %d cases, want page %d", sort, i+1, back.Number, len(back.Cases), i)
			}
			if i == 1 && back.Prev != "" {
				t.Errorf("%s: the first page has a previous page %q", sort, back.Prev)
			}
		}
	}
	if _, err := w.app.Problems.Page(ctx, office, problem.Filter{}, "a2.n.x.1"); apperr.As(err).Code != "problem.bad_cursor" {
		t.Errorf("a bad cursor: %v, want invalid", err)
	}
}
