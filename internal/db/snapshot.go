package db

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// ErrNotSQLite is returned by SQLite-only operations on PostgreSQL.
var ErrNotSQLite = errors.New("db: only for the embedded SQLite database")

// Snapshot writes a consistent copy of the SQLite database to path (which
// must not exist) with VACUUM INTO: one read transaction, so writers of
// this or another process go on while it runs and the copy holds exactly
// the transactions committed before it began.
func (d *DB) Snapshot(ctx context.Context, path string) error {
	if d.dialect != SQLite {
		return ErrNotSQLite
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("snapshot: %s already exists", path)
	}
	if _, err := d.write.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("snapshot into %s: %w", path, err)
	}
	return nil
}

// SchemaVersion is the highest migration applied to the database (0 for a
// database never migrated).
func (d *DB) SchemaVersion(ctx context.Context) (int, error) {
	var exists int
	q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migration'"
	if d.dialect == Postgres {
		q = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migration'"
	}
	if err := d.read.QueryRowContext(ctx, q).Scan(&exists); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	if exists == 0 {
		return 0, nil
	}
	var v int
	if err := d.read.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migration").Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// LatestMigration is the highest migration this build carries.
func LatestMigration() (int, error) {
	all, err := Migrations()
	if err != nil {
		return 0, err
	}
	v := 0
	for _, m := range all {
		v = max(v, m.Version)
	}
	return v, nil
}

// IntegrityCheck runs SQLite's quick check and returns its first complaint.
func (d *DB) IntegrityCheck(ctx context.Context) error {
	if d.dialect != SQLite {
		return ErrNotSQLite
	}
	var res string
	if err := d.read.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&res); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}
