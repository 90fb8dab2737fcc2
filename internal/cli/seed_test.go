package cli

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/org"
)

// seedUnit adds a unit "hq" to the database of env's data directory.
func seedUnit(t *testing.T, env map[string]string) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{SQLitePath: filepath.Join(env["WENMING_DATA_DIR"], "wenming.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := org.New(d).CreateUnit(ctx, access.System(), org.UnitInput{Code: "hq", Name: "总部", Kind: org.KindOther}); err != nil {
		t.Fatal(err)
	}
}
