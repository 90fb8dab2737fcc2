// Package dbtest gives each test a fresh, migrated database: a SQLite file
// in the test's temporary directory, or a new PostgreSQL schema when
// WENMING_TEST_POSTGRES holds a DSN.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wenming-civic/wenming/internal/db"
)

// EnvPostgres names the variable that switches the tests to PostgreSQL.
const EnvPostgres = "WENMING_TEST_POSTGRES"

// Open returns a migrated database that lives as long as the test.
func Open(t testing.TB) *db.DB {
	t.Helper()
	d := OpenEmpty(t)
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

// OpenEmpty returns a database with no tables, for migration tests.
func OpenEmpty(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		d, err := db.Open(ctx, db.Options{SQLitePath: filepath.Join(t.TempDir(), "test.db"), Readers: 4})
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	schemaDSN, drop := NewSchema(t, dsn)
	d, err := db.Open(ctx, db.Options{PostgresURL: schemaDSN})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() {
		d.Close()
		drop()
	})
	return d
}

// NewSchema creates an empty schema on the server at dsn and returns a DSN
// whose search_path points at it, and a function that drops it.
func NewSchema(t testing.TB, dsn string) (string, func()) {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop := func() {
		admin, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Logf("drop schema %s: %v", schema, err)
			return
		}
		defer admin.Close()
		// A schema's tables go twenty at a time before the schema itself:
		// one DROP SCHEMA locks its every table, index and TOAST table at
		// once (about 800), and several tests ending together filled the
		// server's lock table ("out of shared memory") under other tests.
		rows, err := admin.Query("SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename", schema)
		if err != nil {
			t.Logf("drop schema %s: %v", schema, err)
			return
		}
		var tables []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Logf("drop schema %s: %v", schema, err)
			}
			tables = append(tables, schema+"."+name)
		}
		rows.Close()
		for len(tables) > 0 {
			n := min(len(tables), 20)
			if _, err := admin.Exec("DROP TABLE " + strings.Join(tables[:n], ", ") + " CASCADE"); err != nil {
				t.Logf("drop tables of %s: %v", schema, err)
			}
			tables = tables[n:]
		}
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Logf("drop schema %s: %v", schema, err)
		}
	}
	return u.String(), drop
}
