package inspect_test

import (
	"context"
	"testing"

	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/inspect"
)

func TestHasPlans(t *testing.T) {
	ctx := context.Background()
	if has, err := inspect.HasPlans(ctx, dbtest.Open(t)); err != nil || has {
		t.Fatalf("a fresh database has plans: %v %v", has, err)
	}
	w := newAssignWorld(t) // makes one plan
	if has, err := inspect.HasPlans(ctx, w.app.DB); err != nil || !has {
		t.Fatalf("the plan is not seen: %v %v", has, err)
	}
}
