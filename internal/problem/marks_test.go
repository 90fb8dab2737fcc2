package problem_test

import (
	"context"
	"testing"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/problem"
)

// TestMarksAreLifeCycleActions: the office's marks change the case's
// assessment columns, appear on its timeline without changing its state,
// and are refused to anyone outside the office of the case's area.
func TestMarksAreLifeCycleActions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	c := w.caseIn(t, problem.Rectified)
	office := w.actors["office"]

	if err := w.app.Problems.MarkFalsified(ctx, w.actors["handler"], c.ID, true); err == nil || apperr.As(err).Kind != apperr.KindForbidden {
		t.Fatalf("handler marking: %v, want forbidden", err)
	}
	if err := w.app.Problems.MarkFalsified(ctx, office, c.ID, true); err != nil {
		t.Fatal(err)
	}
	m, err := w.app.Problems.Marks(ctx, office, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Falsified || len(m.History) != 1 || m.History[0].Kind != problem.MarkFalsified || m.History[0].ActorName == "" {
		t.Fatalf("marks after marking: %+v", m)
	}
	if err := w.app.Problems.MarkFalsified(ctx, office, c.ID, false); err != nil {
		t.Fatal(err)
	}
	events, err := w.app.Problems.Timeline(ctx, office, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var marks []problem.Action
	for _, e := range events {
		if e.Action == problem.ActMarkFalsified || e.Action == problem.ActUnmarkFalsified {
			marks = append(marks, e.Action)
			if e.From != problem.Rectified || e.To != problem.Rectified || e.ActorName == "" {
				t.Errorf("mark event %+v: want the state kept and the actor named", e)
			}
		}
	}
	if len(marks) != 2 || marks[0] != problem.ActMarkFalsified || marks[1] != problem.ActUnmarkFalsified {
		t.Fatalf("timeline marks %v", marks)
	}
	after, err := w.app.Problems.Get(ctx, office, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.State != problem.Rectified || after.Version != c.Version {
		t.Fatalf("a mark moved the case: state %s version %d → %d", after.State, c.Version, after.Version)
	}
	if err := w.app.Problems.MarkUnjustifiedReturn(ctx, office, c.ID); apperr.As(err).Code != "bulletin.mark_no_return" {
		t.Fatalf("unjustified mark on a case never returned: %v", err)
	}
}
