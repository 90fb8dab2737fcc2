// Package db opens the embedded SQLite database or a PostgreSQL server behind
// one small interface, and applies the embedded migrations to either.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL flavour of the open database.
type Dialect int

// The supported databases.
const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Options say which database to open.
type Options struct {
	PostgresURL string // when set, PostgreSQL is used
	SQLitePath  string // otherwise this file, created if missing
	Readers     int    // SQLite reader pool size
	// CheckpointEvery is how often SQLite's WAL is copied into the
	// database file beside the writer (0: checkpointPeriod).
	CheckpointEvery time.Duration
}

// DB is an open database: a writer pool and a reader pool. On SQLite the
// writer pool has one connection, so writers queue in Go instead of failing
// with SQLITE_BUSY; on PostgreSQL both pools are the same.
type DB struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	// The prepared statements of each pool (SQLite only; nil on PostgreSQL).
	writeStmts, readStmts *stmtCache
	// stopCheckpoints ends the background checkpoints (SQLite only).
	stopCheckpoints func()
}

// Open connects to the database named by opts.
func Open(ctx context.Context, opts Options) (*DB, error) {
	if opts.PostgresURL != "" {
		cfg, err := pgx.ParseConfig(opts.PostgresURL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		// Statements are prepared and cached per connection; after five runs
		// PostgreSQL may switch to a generic plan, which for the ledger's
		// "reported by me OR in my area" reads a district instead of an
		// index (2.6 ms → 150 ms at a million cases). Plan with the values.
		if _, set := cfg.RuntimeParams["plan_cache_mode"]; !set {
			cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
		}
		pool := stdlib.OpenDB(*cfg)
		pool.SetMaxOpenConns(20)
		pool.SetMaxIdleConns(20)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		d := &DB{dialect: Postgres, write: pool, read: pool}
		if err := d.Ping(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("connect to postgres: %w", err)
		}
		return d, nil
	}
	if dir := filepath.Dir(opts.SQLitePath); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	readers := opts.Readers
	if readers < 1 {
		readers = 4
	}
	// busy_timeout comes first so that the pragmas after it wait for a lock
	// instead of failing; _txlock=immediate takes the write lock at BEGIN,
	// which avoids deadlocks between two transactions upgrading to write.
	// A page cache of 16 MB per connection (the default 2 MB made a weekly
	// bulletin read its pages one pread at a time) and no memory map: a
	// map of the city's gigabyte file counted 400–630 MB in the server's
	// RSS after a load run over the ledger, dashboard and bulletins; without
	// it the RSS stays near 200 MB, the operating system still caches the
	// file, and the pages take as long (internal/db/BENCHMARKS.md).
	base := "file:" + opts.SQLitePath + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-16384)&_pragma=mmap_size(0)"
	// The writer keeps its temporary files in memory: a statement inside a
	// transaction journals the pages it changes (to undo itself alone),
	// and past 64 KB SQLite spilled that journal to a new file, opened,
	// written and closed again by every report, filing and dispatch (a
	// fifth of their time on the city of a million cases).
	write, err := sql.Open("sqlite", base+"&_txlock=immediate&_pragma=temp_store(MEMORY)"+
		"&_pragma=wal_autocheckpoint("+strconv.Itoa(walBackstop)+")")
	if err != nil {
		return nil, fmt.Errorf("open sqlite writer: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite readers: %w", err)
	}
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	read.SetConnMaxLifetime(0)
	d := &DB{dialect: SQLite, write: write, read: read,
		writeStmts: newStmtCache(write, stmtCacheSize), readStmts: newStmtCache(read, stmtCacheSize)}
	// The writer is pinged first: it creates the file and switches it to WAL
	// before any reader looks at it.
	if err := write.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", opts.SQLitePath, err)
	}
	if err := read.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", opts.SQLitePath, err)
	}
	ckpt, err := sql.Open("sqlite", base)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("open sqlite checkpointer: %w", err)
	}
	ckpt.SetMaxOpenConns(1)
	period := opts.CheckpointEvery
	if period <= 0 {
		period = checkpointPeriod
	}
	d.stopCheckpoints = checkpointEvery(ckpt, period)
	return d, nil
}

// checkpointPeriod is how often the WAL is copied back into the database
// file. The writer's own automatic checkpoint did it inside a commit every
// thousand pages, with an fsync, in the time of the request that happened
// to cross the line; a checkpoint beside the writer costs the requests
// nothing, and a second's WAL copies each hot page (the day's index
// leaves) once rather than several times. The writer keeps a far line
// (walBackstop) in case this one falls behind.
const checkpointPeriod = time.Second

// walBackstop is the WAL size, in pages, at which the writer checkpoints
// itself.
const walBackstop = 16384

// checkpointEvery runs a passive checkpoint (one that never waits for or
// blocks a reader or the writer) on its own connection every period,
// until the returned stop is called, which also closes the connection.
func checkpointEvery(ckpt *sql.DB, period time.Duration) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				// A checkpoint that cannot finish (a reader on an old
				// snapshot) copies what it can; the next one goes on.
				ckpt.Exec("PRAGMA wal_checkpoint(PASSIVE)") //nolint:errcheck // best effort, see walBackstop
			}
		}
	}()
	return sync.OnceFunc(func() { // Close may be called twice
		close(done)
		<-finished
		ckpt.Close()
	})
}

// Close closes both pools.
func (d *DB) Close() error {
	if d.stopCheckpoints != nil {
		d.stopCheckpoints()
	}
	if d.writeStmts != nil {
		d.writeStmts.close()
		d.readStmts.close()
	}
	err := d.write.Close()
	if d.read != d.write {
		err = errors.Join(err, d.read.Close())
	}
	return err
}

// Ping checks that the database answers a query.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	if err := d.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Conn is what both a DB and a Tx offer to store code. Queries are written
// with ? placeholders and rewritten for PostgreSQL; a query the rewrite
// cannot handle safely fails with ErrUnsafeQuery (see rebind).
type Conn interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

// prepared returns the cached statement of q from cache, pinned (the
// caller releases it once it has run), checking q the first time; nil
// when there is no cache (PostgreSQL).
func (d *DB) prepared(ctx context.Context, cache *stmtCache, q string) (*cachedStmt, error) {
	if cache == nil {
		return nil, nil
	}
	if x := cache.cached(q); x != nil {
		return x, nil // checked when it was first prepared
	}
	if _, err := rebind(d.dialect, q); err != nil {
		return nil, err
	}
	return cache.get(ctx, q)
}

// Exec runs a statement on the writer.
func (d *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	x, err := d.prepared(ctx, d.writeStmts, q)
	if err != nil {
		return nil, err
	}
	if x != nil {
		defer d.writeStmts.release(x)
		return x.stmt.ExecContext(ctx, args...)
	}
	if q, err = rebind(d.dialect, q); err != nil {
		return nil, err
	}
	return d.write.ExecContext(ctx, q, args...)
}

// Query runs a query on the reader pool.
func (d *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	x, err := d.prepared(ctx, d.readStmts, q)
	if err != nil {
		return nil, err
	}
	if x != nil {
		// Rows still open keep the statement alive after the release.
		defer d.readStmts.release(x)
		return x.stmt.QueryContext(ctx, args...)
	}
	if q, err = rebind(d.dialect, q); err != nil {
		return nil, err
	}
	return d.read.QueryContext(ctx, q, args...)
}

// QueryRow runs a single-row query on the reader pool.
func (d *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if x, err := d.prepared(ctx, d.readStmts, q); err == nil && x != nil {
		defer d.readStmts.release(x)
		return x.stmt.QueryRowContext(ctx, args...)
	}
	return queryRow(ctx, d.read, d.dialect, q, args)
}

// ExecReturning runs a writing statement with a RETURNING clause on the
// writer (QueryRow would send it to the read-only pool).
func (d *DB) ExecReturning(ctx context.Context, q string, args ...any) *sql.Row {
	if x, err := d.prepared(ctx, d.writeStmts, q); err == nil && x != nil {
		defer d.writeStmts.release(x)
		return x.stmt.QueryRowContext(ctx, args...)
	}
	return queryRow(ctx, d.write, d.dialect, q, args)
}

// Dialect returns the flavour of SQL.
func (d *DB) Dialect() Dialect { return d.dialect }

// Tx is a write transaction.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
	db      *DB // for the writer's statement cache
	// unprepared are the checked queries the transaction ran that the cache
	// lacks; InTx prepares them once the writer is free again.
	unprepared map[string]bool
	// appended are the inserts Append queued (PostgreSQL), sent as one
	// statement before the transaction's next statement or its commit.
	appended []queuedInsert
}

// queuedInsert is an insert of Append, with its arguments.
type queuedInsert struct {
	q    string
	args []any
}

// Append runs an insert whose rows the transaction does not read again
// (an event, a tally delta, a search row). On PostgreSQL it is queued, and
// the inserts queued one after another go as one statement (a
// data-modifying WITH) before the transaction's next statement or its
// commit: each statement is a round trip, and a move appends three. On
// SQLite, in process, it runs at once. q is one INSERT without RETURNING;
// its error may come out of the next statement or the commit.
func (t *Tx) Append(ctx context.Context, q string, args ...any) error {
	if t.dialect != Postgres {
		_, err := t.Exec(ctx, q, args...)
		return err
	}
	t.appended = append(t.appended, queuedInsert{q: q, args: args})
	return nil
}

// flush sends the queued inserts.
func (t *Tx) flush(ctx context.Context) error {
	if len(t.appended) == 0 {
		return nil
	}
	queued := t.appended
	t.appended = nil
	// WITH appended0 AS (insert), appended1 AS (insert) insert: the
	// arguments follow the inserts' order, as the placeholders do.
	var text strings.Builder
	var args []any
	last := len(queued) - 1
	for i, x := range queued[:last] {
		if i == 0 {
			text.WriteString("WITH ")
		} else {
			text.WriteString(", ")
		}
		fmt.Fprintf(&text, "appended%d AS (%s)", i, x.q)
		args = append(args, x.args...)
	}
	if last > 0 {
		text.WriteString(" ")
	}
	text.WriteString(queued[last].q)
	args = append(args, queued[last].args...)
	if _, err := t.exec(ctx, text.String(), args...); err != nil {
		return fmt.Errorf("appended rows: %w", err)
	}
	return nil
}

// stmt is the writer's cached statement of q bound to the transaction,
// with the release of its pin, or nil when it is not cached yet (or there
// is no cache). The transaction holds SQLite's one writer connection, so
// a statement cannot be prepared on the pool now: it is noted and
// prepared when the transaction ends.
func (t *Tx) stmt(ctx context.Context, q string) (*sql.Stmt, func(), error) {
	cache := t.db.writeStmts
	if cache == nil {
		return nil, nil, nil
	}
	if x := cache.cached(q); x != nil {
		return t.tx.StmtContext(ctx, x.stmt), func() { cache.release(x) }, nil
	}
	if _, err := rebind(t.dialect, q); err != nil {
		return nil, nil, err
	}
	if t.unprepared == nil {
		t.unprepared = map[string]bool{}
	}
	t.unprepared[q] = true // once, however often a loop runs it
	return nil, nil, nil
}

// Exec runs a statement in the transaction.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.exec(ctx, q, args...)
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, release, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if st != nil {
		defer release()
		defer st.Close() //nolint:errcheck // the transaction's copy, done with
		return st.ExecContext(ctx, args...)
	}
	if q, err = rebind(t.dialect, q); err != nil {
		return nil, err
	}
	return t.tx.ExecContext(ctx, q, args...)
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	st, release, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if st != nil {
		defer release()
		return st.QueryContext(ctx, args...)
	}
	if q, err = rebind(t.dialect, q); err != nil {
		return nil, err
	}
	return t.tx.QueryContext(ctx, q, args...)
}

// QueryRow runs a single-row query in the transaction.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if err := t.flush(ctx); err != nil {
		return queryRow(ctx, t.tx, t.dialect, "SELECT ?", []any{refused{err}})
	}
	if st, release, err := t.stmt(ctx, q); err == nil && st != nil {
		defer release()
		return st.QueryRowContext(ctx, args...)
	}
	return queryRow(ctx, t.tx, t.dialect, q, args)
}

// Dialect returns the flavour of SQL.
func (t *Tx) Dialect() Dialect { return t.dialect }

// queryRow runs a single-row query on c; a refused query's error comes
// out of Scan, as any other.
func queryRow(ctx context.Context, c interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, d Dialect, q string, args []any) *sql.Row {
	q, err := rebind(d, q)
	if err != nil {
		one, _ := rebind(d, "SELECT ?")
		return c.QueryRowContext(ctx, one, refused{err})
	}
	return c.QueryRowContext(ctx, q, args...)
}

// prepareLater caches the statements a finished transaction ran
// unprepared; it runs after the commit or rollback has freed the writer.
// A failure only means they are parsed again next time.
func (d *DB) prepareLater(ctx context.Context, tx *Tx) {
	for q := range tx.unprepared {
		if x, err := d.writeStmts.get(ctx, q); err == nil {
			d.writeStmts.release(x)
		}
	}
}

// InTx runs fn in a write transaction, committing when it returns nil and
// rolling back otherwise.
func (d *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx := &Tx{tx: sqlTx, dialect: d.dialect, db: d}
	if err := fn(tx); err != nil {
		rbErr := sqlTx.Rollback()
		d.prepareLater(ctx, tx)
		if rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}
	if err := tx.flush(ctx); err != nil {
		rbErr := sqlTx.Rollback()
		d.prepareLater(ctx, tx)
		return errors.Join(err, rbErr)
	}
	err = sqlTx.Commit()
	d.prepareLater(ctx, tx)
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// IsUniqueViolation reports whether err is a unique or primary-key conflict.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		c := sqErr.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKeyViolation reports whether err is a foreign-key conflict, such
// as deleting a row that others still reference.
func IsForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// Millis stores a time as Unix milliseconds, the portable time column type.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// FromMillis reads a time stored by Millis, in UTC.
func FromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// NullMillis stores an optional time; the zero time is NULL.
func NullMillis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// FromNullMillis reads an optional time; NULL is the zero time.
func FromNullMillis(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return FromMillis(v.Int64)
}

// Placeholders returns "?, ?, …" with n marks, for IN lists and batches.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// Savepoint runs fn inside a savepoint of the transaction: when fn fails,
// what it wrote is undone and the transaction goes on (on PostgreSQL a
// failed statement would otherwise abort the whole transaction). name
// must be a plain identifier.
func (t *Tx) Savepoint(ctx context.Context, name string, fn func() error) error {
	if _, err := t.Exec(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("savepoint %s: %w", name, err)
	}
	err := fn()
	if err == nil {
		err = t.flush(ctx) // the rows fn appended are the savepoint's
	}
	if err != nil {
		t.appended = nil // undone with the savepoint
		if _, rbErr := t.Exec(ctx, "ROLLBACK TO SAVEPOINT "+name); rbErr != nil {
			return errors.Join(err, fmt.Errorf("roll back to savepoint %s: %w", name, rbErr))
		}
		if _, relErr := t.Exec(ctx, "RELEASE SAVEPOINT "+name); relErr != nil {
			return errors.Join(err, fmt.Errorf("release savepoint %s: %w", name, relErr))
		}
		return err
	}
	if _, err := t.Exec(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return fmt.Errorf("release savepoint %s: %w", name, err)
	}
	return nil
}
