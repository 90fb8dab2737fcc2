package ledgerxlsx

import (
	"bytes"
	"context"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
)

// exporter is an actor allowed to export the ledger.
var exporter = access.Actor{UserID: 1, Roles: []access.Role{access.RoleOffice}}

// TestExportRefusesOtherRoles checks that the export itself, not only the
// page, refuses an actor outside admin, office and leader, and writes nothing.
func TestExportRefusesOtherRoles(t *testing.T) {
	handler := access.Actor{UserID: 2, UnitID: 3, Roles: []access.Role{access.RoleHandler}}
	var buf bytes.Buffer
	_, err := Export(context.Background(), handler, &buf, sliceSource(ledgerCases()), tr(t), exportNow, Options{})
	if e := apperr.As(err); e == nil || e.Kind != apperr.KindForbidden {
		t.Fatalf("handler export: got %v, want forbidden", err)
	}
	if buf.Len() != 0 {
		t.Fatalf("handler export wrote %d bytes", buf.Len())
	}
	if _, err := Export(context.Background(), exporter, &buf, sliceSource(ledgerCases()), tr(t), exportNow, Options{}); err != nil {
		t.Fatalf("office export: %v", err)
	}
}
