package inspect_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/inspect"
	"github.com/wenming-civic/wenming/internal/workbench"
)

// TestWorkbenchSites: an inspector's workbench counts the plan's sites
// still to check that are theirs or nobody's, and the office's counts the
// plan while it runs; a site dealt to another or checked leaves the count,
// and the plan leaves the workbench when it ends.
func TestWorkbenchSites(t *testing.T) {
	t.Parallel()
	w := newAssignWorld(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, calendar.Shanghai())
	w.app.Inspect.Now = func() time.Time { return now }
	wb := inspect.Workbench{Store: w.app.Inspect}
	item := func(a access.Actor, kind string) (workbench.Item, bool) {
		t.Helper()
		items, err := wb.Items(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Kind == kind {
				return it, true
			}
		}
		return workbench.Item{}, false
	}
	all := 0
	for _, ids := range w.byStreet {
		all += len(ids)
	}
	first := w.byStreet[w.streets[0]][0]
	if err := w.app.Inspect.AssignSite(ctx, w.office, w.plan, first, w.li.UserID); err != nil {
		t.Fatal(err)
	}
	second := w.byStreet[w.streets[1]][0]
	if err := w.submit(t, w.zhang, second, "workbench-test-1"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		a    access.Actor
		kind string
		want int
	}{
		{"zhang: all but the site dealt to li and the one he checked", w.zhang, "inspect/sites", all - 2},
		{"li: all but the checked one, his site first", w.li, "inspect/sites", all - 1},
		{"wang: not in the plan", w.wang, "inspect/sites", 0},
		{"office: the running plan", w.office, "inspect/plans", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it, ok := item(tc.a, tc.kind)
			if !ok || it.Count != tc.want {
				t.Fatalf("%s: %+v, want count %d", tc.kind, it, tc.want)
			}
			if tc.a.UserID == w.li.UserID && (len(it.Entries) == 0 || it.Entries[0].Link != "/inspections/"+itoa(w.plan)+"/sites/"+itoa(first)+"/check") {
				t.Errorf("li's first entry is not his own site: %+v", it.Entries)
			}
		})
	}
	if _, ok := item(w.handler, "inspect/sites"); ok {
		t.Error("a handler has sites to check")
	}
	now = time.Date(2026, 12, 1, 10, 0, 0, 0, calendar.Shanghai())
	if it, ok := item(w.zhang, "inspect/sites"); !ok || it.Count != 0 {
		t.Errorf("after the plan ended: %d sites to check (shown %v)", it.Count, ok)
	}
	if it, ok := item(w.office, "inspect/plans"); !ok || it.Count != 0 {
		t.Errorf("after the plan ended: %d running plans (shown %v)", it.Count, ok)
	}
}

func itoa(n int64) string { return fmt.Sprint(n) }
