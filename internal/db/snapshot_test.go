package db_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
)

func TestSnapshotAndSchemaVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	empty := dbtest.OpenEmpty(t)
	if v, err := empty.SchemaVersion(ctx); err != nil || v != 0 {
		t.Fatalf("schema version of an empty database: %d %v", v, err)
	}
	d := dbtest.Open(t)
	latest, err := db.LatestMigration()
	if err != nil {
		t.Fatal(err)
	}
	if v, err := d.SchemaVersion(ctx); err != nil || v != latest || latest < 110 {
		t.Fatalf("schema version %d (%v), want the latest migration %d", v, err, latest)
	}
	snap := filepath.Join(t.TempDir(), "snap.db")
	err = d.Snapshot(ctx, snap)
	if d.Dialect() == db.Postgres {
		if !errors.Is(err, db.ErrNotSQLite) {
			t.Fatalf("snapshot on PostgreSQL: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Snapshot(ctx, snap); err == nil {
		t.Fatal("a snapshot overwrote an existing file")
	}
	s, err := db.Open(ctx, db.Options{SQLitePath: snap, Readers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != latest {
		t.Fatalf("snapshot's schema version %d %v", v, err)
	}
}
