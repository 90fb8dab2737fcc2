package problem_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/problem"
	"github.com/wenming-civic/wenming/internal/workbench"
)

// TestWorkbenchQueues: on a ledger holding one case in each queue, the
// office's and the unit's workbench count each queue exactly, list its
// cases with their working time left, and every count equals the ledger's
// total for the same filter (the one behind the item's link).
func TestWorkbenchQueues(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := w.app.DB.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	w.report(t)                     // 待立案
	w.caseIn(t, problem.Dispatched) // 待签收
	ext := w.caseIn(t, problem.InProgress)
	w.move(t, "shequ", ext.ID, problem.MoveInput{Action: problem.ActRequestExtension, Note: "需协调物业", Deadline: w.now.AddDate(0, 0, 10)})
	ret := w.caseIn(t, problem.Dispatched)
	w.move(t, "shequ", ret.ID, problem.MoveInput{Action: problem.ActReturn, Note: "不属于本社区"})
	rework := w.caseIn(t, problem.Rectified)
	w.move(t, "inspector", rework.ID, problem.MoveInput{Action: problem.ActVerifyFail, Note: "仍有堆放"})
	red := w.caseIn(t, problem.InProgress)
	exec("UPDATE problem SET escalation_level = 2, deadline = ? WHERE id = ?", w.now.Add(-20*time.Hour).UnixMilli(), red.ID)
	late := w.caseIn(t, problem.Rectified)
	exec("UPDATE problem SET rectified_at = ? WHERE id = ?", w.now.Add(-72*time.Hour).UnixMilli(), late.ID)
	today := w.caseIn(t, problem.InProgress)
	exec("UPDATE problem SET deadline = ? WHERE id = ?", w.now.Add(3*time.Hour).UnixMilli(), today.ID)

	wb := problem.Workbench{Store: w.app.Problems, Hours: w.app.Problems.Clock.(problem.HoursCounter)}
	for _, tc := range []struct {
		who    string
		want   map[string]int
		danger []string
	}{
		// caseIn reports a spare case each time (for merges): 7 of them
		// wait to be filed beside the one reported.
		{"office", map[string]int{"problem/file": 1 + 7, "problem/returned": 1, "problem/extension": 1, "problem/red": 1, "problem/verify_late": 1,
			"problem/overdue_now": 1}, []string{"problem/red", "problem/verify_late", "problem/overdue_now"}},
		{"shequ", map[string]int{"problem/accept": 1, "problem/today": 1, "problem/overdue": 1, "problem/rework": 1}, []string{"problem/overdue"}},
		{"leader", map[string]int{"problem/red": 1, "problem/overdue_now": 1, "problem/black_list": 1}, []string{"problem/red", "problem/black_list"}},
		{"inspector", map[string]int{"problem/verify": 1}, nil},
	} {
		t.Run(tc.who, func(t *testing.T) {
			a := w.actors[tc.who]
			items, err := wb.Items(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]workbench.Item{}
			for _, it := range items {
				got[it.Kind] = it
			}
			for kind, n := range tc.want {
				it, ok := got[kind]
				if !ok {
					t.Errorf("no %s item", kind)
					continue
				}
				if it.Count != n {
					t.Errorf("%s: count %d, want %d", kind, it.Count, n)
				}
				if strings.HasPrefix(it.Link, "/problems?") && kind != "problem/overdue_now" && len(it.Entries) != min(n, workbench.MaxEntries) {
					t.Errorf("%s: %d entries, want %d", kind, len(it.Entries), n)
				}
			}
			for _, kind := range tc.danger {
				if got[kind].Tone != workbench.Danger {
					t.Errorf("%s: tone %s, want danger", kind, got[kind].Tone)
				}
			}
			if tc.who == "shequ" {
				// The deadline counts down in working time: 3 hours from
				// 09:00 on a working Monday; the red case is 20 hours late,
				// of which the working hours are fewer.
				if e := got["problem/today"].Entries; len(e) != 1 || e[0].Note.Key != "workbench.note.left" || e[0].Note.Args[0] != "3.0" || e[0].Tone != workbench.Warn {
					t.Errorf("today's note: %+v", e)
				}
				if e := got["problem/overdue"].Entries; len(e) != 1 || e[0].Note.Key != "workbench.note.overdue_by" || e[0].Tone != workbench.Danger {
					t.Errorf("overdue note: %+v", e)
				}
			}
		})
	}
}

// TestQueueFilterMatchesCount: Count and the ledger's List agree for every
// queue, for the office and for a unit.
func TestQueueFilterMatchesCount(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	for _, st := range []problem.State{problem.Reported, problem.Dispatched, problem.InProgress, problem.Rectified, problem.Closed} {
		w.caseIn(t, st)
	}
	if _, err := w.app.DB.Exec(ctx, "UPDATE problem SET rework_count = 1, escalation_level = 2 WHERE state = 'in_progress'"); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"office", "shequ", "handler"} {
		for _, q := range problem.Queues() {
			f := problem.Filter{Queue: q}
			if who != "office" {
				f.UnitID = w.actors[who].UnitID
			}
			n, err := w.app.Problems.Count(ctx, w.actors[who], f)
			if err != nil {
				t.Fatal(err)
			}
			_, total, err := w.app.Problems.List(ctx, w.actors[who], f)
			if err != nil {
				t.Fatal(err)
			}
			if n != total {
				t.Errorf("%s %s: Count %d, List %d", who, q, n, total)
			}
		}
	}
	// The queues are not empty where the cases are.
	n, err := w.app.Problems.Count(ctx, w.actors["shequ"], problem.Filter{Queue: problem.QueueRework, UnitID: w.actors["shequ"].UnitID})
	if err != nil || n != 1 {
		t.Errorf("rework queue of the community: %d, want 1 (%v)", n, err)
	}
}
