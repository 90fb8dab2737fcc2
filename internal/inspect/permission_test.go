package inspect_test

import (
	"context"
	"testing"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/inspect"
)

// TestPlanListIsForThoseWhoInspect: the list of plans, and who may manage
// a plan, are the domain's decisions.
func TestPlanListIsForThoseWhoInspect(t *testing.T) {
	w := newAssignWorld(t)
	ctx := context.Background()
	if _, err := w.app.Inspect.Plans(ctx, w.handler); err == nil || apperr.As(err).Kind != apperr.KindForbidden {
		t.Fatalf("a handler listed plans: %v", err)
	}
	plans, err := w.app.Inspect.Plans(ctx, w.zhang)
	if err != nil || len(plans) != 1 {
		t.Fatalf("an inspector in the plan: %d plans, %v", len(plans), err)
	}
	if plans[0].CanManage(w.zhang) || plans[0].CanManage(w.leader) || !plans[0].CanManage(w.office) {
		t.Fatal("only the office of the plan's area may manage it")
	}
	if inspect.MayMakePlans(w.leader) || !inspect.MayMakePlans(w.office) {
		t.Fatal("only the office and administrators make plans")
	}
	if others, err := w.app.Inspect.Plans(ctx, w.wang); err != nil || len(others) != 0 {
		t.Fatalf("an inspector outside the plan: %d plans, %v", len(others), err)
	}
}
