package synth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/wenming-civic/wenming/internal/db"
)

// Bind-parameter limits of one statement: SQLite's SQLITE_MAX_VARIABLE_NUMBER
// (32766 since 3.32) and the 16-bit count of PostgreSQL's Bind message.
const (
	maxParamsSQLite   = 32766
	maxParamsPostgres = 65535
)

// table is the target of multi-row INSERT statements. Statements are
// cached by row count, so that a full batch is always the same text and
// PostgreSQL's driver reuses its prepared statement.
type table struct {
	name   string
	cols   []string
	suffix string // e.g. " ON CONFLICT (code) DO NOTHING"
	stmts  map[int]string
}

func newTable(name, suffix string, cols ...string) *table {
	return &table{name: name, cols: cols, suffix: suffix, stmts: map[int]string{}}
}

// clone returns a table with its own statement cache, for another
// goroutine.
func (t *table) clone() *table { return newTable(t.name, t.suffix, t.cols...) }

// rowsPerStatement is how many rows fit in one statement on dialect d.
func (t *table) rowsPerStatement(d db.Dialect) int {
	limit := maxParamsSQLite
	if d == db.Postgres {
		limit = maxParamsPostgres
	}
	return limit / len(t.cols)
}

func (t *table) statement(rows int) string {
	if s, ok := t.stmts[rows]; ok {
		return s
	}
	one := "(" + db.Placeholders(len(t.cols)) + ")"
	var b strings.Builder
	b.Grow(32 + len(t.name) + rows*(len(one)+2))
	b.WriteString("INSERT INTO ")
	b.WriteString(t.name)
	b.WriteString(" (")
	b.WriteString(strings.Join(t.cols, ", "))
	b.WriteString(") VALUES ")
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	b.WriteString(t.suffix)
	s := b.String()
	t.stmts[rows] = s
	return s
}

// insert writes rows given as one flat argument list, len(t.cols) values a
// row, in as few statements as the dialect's parameter limit allows.
func (t *table) insert(ctx context.Context, c db.Conn, args []any) error {
	per := len(t.cols)
	if len(args)%per != 0 {
		return fmt.Errorf("insert into %s: %d values is not a whole number of rows", t.name, len(args))
	}
	n := len(args) / per
	step := t.rowsPerStatement(c.Dialect())
	for off := 0; off < n; off += step {
		k := min(step, n-off)
		if _, err := c.Exec(ctx, t.statement(k), args[off*per:(off+k)*per]...); err != nil {
			return fmt.Errorf("insert into %s: %w", t.name, err)
		}
	}
	return nil
}

// nullInt is an optional id or time: 0 is NULL. Every id and every time
// the generator writes is positive.
func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// nullText is an optional text: "" is NULL.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// analyzedTables are the tables the generator fills.
func analyzedTables() []string {
	return []string{"region", "unit", "app_user", "user_role", "category_top", "category", "problem", "problem_event", "problem_seq"}
}

// analyze refreshes the planner statistics of the tables just filled:
// neither database notices a bulk load by itself soon enough. SQLite
// samples (analysis_limit) instead of reading every index in full, as
// PRAGMA optimize does; PostgreSQL samples anyway.
func analyze(ctx context.Context, d *db.DB, progress func(string, int, int)) error {
	tables := analyzedTables()
	if d.Dialect() == db.SQLite {
		if _, err := d.Exec(ctx, "PRAGMA analysis_limit = 2000"); err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
		defer d.Exec(context.WithoutCancel(ctx), "PRAGMA analysis_limit = 0") //nolint:errcheck // back to the default
	}
	for i, t := range tables {
		if _, err := d.Exec(ctx, "ANALYZE "+t); err != nil {
			return fmt.Errorf("analyze %s: %w", t, err)
		}
		if progress != nil {
			progress(StageAnalyze, i+1, len(tables))
		}
	}
	return nil
}
