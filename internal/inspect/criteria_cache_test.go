package inspect_test

import (
	"context"
	"testing"

	"github.com/wenming-civic/wenming/internal/framework"
)

// TestChecklistFollowsFrameworkEdits: the criteria are cached per version
// and site type, and an edit of the version's tree shows at once.
func TestChecklistFollowsFrameworkEdits(t *testing.T) {
	w := newAssignWorld(t)
	ctx := context.Background()
	site := w.byStreet[w.streets[0]][0]
	before, err := w.app.Inspect.Checklist(ctx, w.office, w.plan, site)
	if err != nil || len(before.Criteria) == 0 {
		t.Fatalf("checklist: %d criteria, %v", len(before.Criteria), err)
	}
	// Twice more from the cache: the same criteria, and changing the
	// returned slice does not change what the next caller gets.
	again, _ := w.app.Inspect.Checklist(ctx, w.office, w.plan, site)
	again.Criteria[0].Text = "被调用方改动"
	if third, _ := w.app.Inspect.Checklist(ctx, w.office, w.plan, site); third.Criteria[0].Text != before.Criteria[0].Text {
		t.Fatalf("the cache handed out its own slice: %q", third.Criteria[0].Text)
	}
	first := before.Criteria[0]
	in := framework.NodeInput{Code: first.Code, Text: first.Text + "（已修订）", Methods: first.Methods, Score: first.Score,
		SiteTypes: first.SiteTypes, Categories: first.Categories}
	if _, err := w.app.Framework.UpdateNode(ctx, w.office, first.ID, in); err != nil {
		t.Fatal(err)
	}
	after, err := w.app.Inspect.Checklist(ctx, w.office, w.plan, site)
	if err != nil || after.Criteria[0].Text != first.Text+"（已修订）" {
		t.Fatalf("after the edit: %q, %v", after.Criteria[0].Text, err)
	}
	// A criterion no longer on the spot leaves the checklist.
	in.Methods = []framework.Method{framework.MethodDossier}
	if _, err := w.app.Framework.UpdateNode(ctx, w.office, first.ID, in); err != nil {
		t.Fatal(err)
	}
	if last, _ := w.app.Inspect.Checklist(ctx, w.office, w.plan, site); len(last.Criteria) != len(before.Criteria)-1 {
		t.Fatalf("%d criteria after making one a dossier check, want %d", len(last.Criteria), len(before.Criteria)-1)
	}
}
