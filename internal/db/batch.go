package db

import (
	"context"
	"fmt"
	"strings"
)

// Bulk writing, for the owners' seed and bulk APIs that generators (the
// demo, the synthetic city) call to write many rows at once. What differs
// between the databases — how many parameters a statement takes, how a
// bulk load is sped up, how identities move — is kept here.

// Bind-parameter limits of one statement: SQLite's SQLITE_MAX_VARIABLE_NUMBER
// (32766 since 3.32) and the 16-bit count of PostgreSQL's Bind message.
const (
	maxParamsSQLite   = 32766
	maxParamsPostgres = 65535
)

// Batch is the target of multi-row INSERT statements into one table.
// Statements are cached by row count, so that a full batch is always the
// same text and PostgreSQL's driver reuses its prepared statement. A Batch
// is used by one goroutine at a time; Clone gives another its own.
type Batch struct {
	table  string
	cols   []string
	suffix string // e.g. " ON CONFLICT (code) DO NOTHING"
	stmts  map[int]string
}

// NewBatch prepares inserts into table's columns cols; suffix ends every
// statement.
func NewBatch(table, suffix string, cols ...string) *Batch {
	return &Batch{table: table, cols: cols, suffix: suffix, stmts: map[int]string{}}
}

// Clone returns a Batch with its own statement cache.
func (b *Batch) Clone() *Batch { return NewBatch(b.table, b.suffix, b.cols...) }

// Columns is the number of values a row takes.
func (b *Batch) Columns() int { return len(b.cols) }

// rowsPerStatement is how many rows fit in one statement on dialect d.
func (b *Batch) rowsPerStatement(d Dialect) int {
	limit := maxParamsSQLite
	if d == Postgres {
		limit = maxParamsPostgres
	}
	return limit / len(b.cols)
}

func (b *Batch) statement(rows int) string {
	if s, ok := b.stmts[rows]; ok {
		return s
	}
	one := "(" + Placeholders(len(b.cols)) + ")"
	var sb strings.Builder
	sb.Grow(32 + len(b.table) + rows*(len(one)+2))
	sb.WriteString("INSERT INTO ")
	sb.WriteString(b.table)
	sb.WriteString(" (")
	sb.WriteString(strings.Join(b.cols, ", "))
	sb.WriteString(") VALUES ")
	for i := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(one)
	}
	sb.WriteString(b.suffix)
	s := sb.String()
	b.stmts[rows] = s
	return s
}

// Insert writes rows given as one flat argument list, Columns() values a
// row, in as few statements as the dialect's parameter limit allows.
func (b *Batch) Insert(ctx context.Context, c Conn, args []any) error {
	per := len(b.cols)
	if len(args)%per != 0 {
		return fmt.Errorf("insert into %s: %d values is not a whole number of rows", b.table, len(args))
	}
	n := len(args) / per
	step := b.rowsPerStatement(c.Dialect())
	for off := 0; off < n; off += step {
		k := min(step, n-off)
		if _, err := c.Exec(ctx, b.statement(k), args[off*per:(off+k)*per]...); err != nil {
			return fmt.Errorf("insert into %s: %w", b.table, err)
		}
	}
	return nil
}

// KeyIDs reads the ids of the rows of table whose unique text column key
// is in keys, 500 keys a query, into into; a key without a row is an
// error.
func KeyIDs(ctx context.Context, c Conn, table, key string, keys []string, into map[string]int64) error {
	if err := keyIDs(ctx, c, table, key, keys, into); err != nil {
		return err
	}
	for _, k := range keys {
		if _, ok := into[k]; !ok {
			return fmt.Errorf("%s %s was not written", table, k)
		}
	}
	return nil
}

// ExistingKeyIDs is KeyIDs for keys that may have no row: those are left
// out.
func ExistingKeyIDs(ctx context.Context, c Conn, table, key string, keys []string, into map[string]int64) error {
	return keyIDs(ctx, c, table, key, keys, into)
}

func keyIDs(ctx context.Context, c Conn, table, key string, keys []string, into map[string]int64) error {
	const step = 500
	for from := 0; from < len(keys); from += step {
		part := keys[from:min(len(keys), from+step)]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		rows, err := c.Query(ctx, "SELECT "+key+", id FROM "+table+" WHERE "+key+" IN ("+Placeholders(len(part))+")", args...)
		if err != nil {
			return fmt.Errorf("read %s ids: %w", table, err)
		}
		for rows.Next() {
			var k string
			var id int64
			if err := rows.Scan(&k, &id); err != nil {
				rows.Close()
				return fmt.Errorf("read %s ids: %w", table, err)
			}
			into[k] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read %s ids: %w", table, err)
		}
	}
	return nil
}

// AdvanceIdentity moves table's id sequence past the largest id, after
// rows were written with explicit ids. SQLite needs nothing: its next
// rowid follows the largest.
func AdvanceIdentity(ctx context.Context, c Conn, table string) error {
	if c.Dialect() != Postgres {
		return nil
	}
	if _, err := c.Exec(ctx, "SELECT setval(pg_get_serial_sequence('"+table+"', 'id'), (SELECT MAX(id) FROM "+table+"))"); err != nil {
		return fmt.Errorf("advance %s ids: %w", table, err)
	}
	return nil
}

// BulkMode speeds SQLite up for a bulk load and returns what undoes it.
// The package keeps a single writer connection on SQLite, so connection
// settings made through Exec hold for the transactions that follow.
// Foreign keys are not checked during the load (the loader writes only ids
// it read or made); a bigger page cache keeps the secondary indexes in
// memory. PostgreSQL needs nothing.
func (d *DB) BulkMode(ctx context.Context) (func(), error) {
	if d.dialect != SQLite {
		return func() {}, nil
	}
	if _, err := d.Exec(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return nil, fmt.Errorf("bulk mode: %w", err)
	}
	if _, err := d.Exec(ctx, "PRAGMA cache_size = -262144"); err != nil {
		return nil, fmt.Errorf("bulk mode: %w", err)
	}
	return func() {
		ctx := context.WithoutCancel(ctx)
		d.Exec(ctx, "PRAGMA cache_size = -2000") //nolint:errcheck // the default again; failure only costs memory
		d.Exec(ctx, "PRAGMA foreign_keys = ON")  //nolint:errcheck // as Open sets it
	}, nil
}

// Analyze refreshes the planner statistics of tables just filled in bulk:
// neither database notices a bulk load by itself soon enough. SQLite
// samples (analysis_limit) instead of reading every index in full, as
// PRAGMA optimize does; PostgreSQL samples anyway, and vacuums (below). done, when set, is told
// after each table.
func (d *DB) Analyze(ctx context.Context, tables []string, done func(n int)) error {
	if d.dialect == SQLite {
		if _, err := d.Exec(ctx, "PRAGMA analysis_limit = 2000"); err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
		defer d.Exec(context.WithoutCancel(ctx), "PRAGMA analysis_limit = 0") //nolint:errcheck // back to the default
	}
	// On PostgreSQL a bulk load also leaves the visibility map unset, so
	// that no index-only scan pays (the overdue count read the whole table:
	// 0.3 s instead of 4 ms); VACUUM sets it, as autovacuum would later.
	command := "ANALYZE "
	if d.dialect == Postgres {
		command = "VACUUM (ANALYZE) "
	}
	for i, t := range tables {
		if _, err := d.Exec(ctx, command+t); err != nil {
			return fmt.Errorf("analyze %s: %w", t, err)
		}
		if done != nil {
			done(i + 1)
		}
	}
	return nil
}
