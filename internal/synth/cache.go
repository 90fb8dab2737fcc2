package synth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/calendar"
	"github.com/wenming-civic/wenming/internal/category"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/region"
)

// generatorVersion changes whenever the generator writes different rows
// for the same options, so that cached cities of an older generator are
// not reused.
const generatorVersion = 4

// CacheKey names the city of opts (End resolved) for caches: the same key
// means the same rows. Besides the options and the generator's version it
// holds a digest of what other packages contribute (the default
// categories, the built-in calendar, the demo district), which change the
// rows too.
func CacheKey(opts Options) (string, error) {
	o, err := resolve(opts)
	if err != nil {
		return "", err
	}
	digest, err := inputsDigest()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("v%d%s_%s%s", generatorVersion, digest, sizeKey(o), o.End.In(calendar.Shanghai()).Format("200601021504")), nil
}

// sizeKey is the part of a key that names the options but End, which
// changes every day.
func sizeKey(o Options) string {
	return fmt.Sprintf("s%d_p%d_g%d_u%d_m%d_", o.Seed, o.Problems, o.Grids, o.Units, o.Months)
}

// inputsDigest is a short hash of the data the generator reads from other
// packages.
func inputsDigest() (string, error) {
	h := fnv.New32a()
	defs, err := category.Defaults()
	if err != nil {
		return "", fmt.Errorf("synth cache: %w", err)
	}
	fmt.Fprint(h, defs)
	days, err := calendar.Builtin()
	if err != nil {
		return "", fmt.Errorf("synth cache: %w", err)
	}
	fmt.Fprint(h, days) // fmt prints maps in key order
	fmt.Fprint(h, calendar.DefaultPeriods())
	for _, src := range region.DemoSources() {
		r, err := src.Open()
		if err != nil {
			return "", fmt.Errorf("synth cache: %w", err)
		}
		_, err = io.Copy(h, r)
		r.Close()
		if err != nil {
			return "", fmt.Errorf("synth cache: %w", err)
		}
	}
	return fmt.Sprintf("%06x", h.Sum32()&0xffffff), nil
}

// OpenCached returns a migrated database holding the city of opts,
// generating it only when no earlier run left a complete one: a SQLite
// file under os.TempDir()/wenming-synth, or, when postgresURL is set, a
// schema named after the options in that PostgreSQL database. A city is
// built under a temporary name and renamed when complete, so a crashed or
// concurrent run never leaves a half-built one under the final name. The
// caller closes the database; benchmarks that write to it change the
// cache for later runs (a few rows among a million).
func OpenCached(ctx context.Context, postgresURL string, opts Options) (*db.DB, Report, error) {
	key, err := CacheKey(opts)
	if err != nil {
		return nil, Report{}, err
	}
	if postgresURL != "" {
		return openCachedPostgres(ctx, postgresURL, "synth_"+key, opts)
	}
	dir := filepath.Join(os.TempDir(), "wenming-synth")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, Report{}, fmt.Errorf("synth cache: %w", err)
	}
	path := filepath.Join(dir, key+".db")
	if _, err := os.Stat(path); err == nil {
		d, rep, ok, err := openComplete(ctx, db.Options{SQLitePath: path})
		if err != nil || ok {
			return d, rep, err
		}
		// Only complete files are renamed into place; this one was
		// not made by this code. Build it again.
		if err := removeSQLite(path); err != nil {
			return nil, Report{}, err
		}
	}
	tmp := fmt.Sprintf("%s.%d-%s.tmp", path, os.Getpid(), randomSuffix())
	if err := buildSQLite(ctx, tmp, opts); err != nil {
		removeSQLite(tmp) //nolint:errcheck // best effort; the error that matters is err
		return nil, Report{}, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, Report{}, fmt.Errorf("synth cache: %w", err)
	}
	removeStaleSQLite(dir, key, opts)
	d, rep, ok, err := openComplete(ctx, db.Options{SQLitePath: path})
	if err == nil && !ok {
		d.Close()
		err = fmt.Errorf("synth cache: %s is incomplete", path)
	}
	return d, rep, err
}

func buildSQLite(ctx context.Context, path string, opts Options) error {
	d, err := db.Open(ctx, db.Options{SQLitePath: path})
	if err != nil {
		return fmt.Errorf("synth cache: %w", err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return fmt.Errorf("synth cache: %w", err)
	}
	if _, err := Generate(ctx, d, opts); err != nil {
		d.Close()
		return err
	}
	// Fold the write-ahead log into the file, which is renamed alone.
	if _, err := d.Exec(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		d.Close()
		return fmt.Errorf("synth cache: checkpoint: %w", err)
	}
	if err := d.Close(); err != nil {
		return fmt.Errorf("synth cache: %w", err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("synth cache: %w", err)
		}
	}
	return nil
}

// removeStaleSQLite deletes the cached cities of the same size built for
// an earlier day or by another generator (a million cases take a
// gigabyte), and temporary files older than a day. A process still using
// one keeps reading it until it closes it.
func removeStaleSQLite(dir, key string, opts Options) {
	o, err := resolve(opts)
	if err != nil {
		return
	}
	names, err := filepath.Glob(filepath.Join(dir, "v*_"+sizeKey(o)+"*"))
	if err != nil {
		return
	}
	for _, name := range names {
		base := filepath.Base(name)
		if strings.HasPrefix(base, key+".db") && !strings.HasSuffix(base, ".tmp") {
			continue
		}
		if strings.HasSuffix(base, ".tmp") {
			if fi, err := os.Stat(name); err != nil || time.Since(fi.ModTime()) < 24*time.Hour {
				continue // perhaps being built now
			}
		}
		os.Remove(name) //nolint:errcheck // best effort: only disk space is at stake
	}
}

func removeSQLite(path string) error {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("synth cache: %w", err)
		}
	}
	return nil
}

// openComplete opens and migrates a database and reads its report; ok is
// false (and the database closed) when it holds no complete city.
func openComplete(ctx context.Context, o db.Options) (*db.DB, Report, bool, error) {
	d, err := db.Open(ctx, o)
	if err != nil {
		return nil, Report{}, false, fmt.Errorf("synth cache: %w", err)
	}
	// Migrations added since the city was built apply to it as to any
	// database.
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, Report{}, false, fmt.Errorf("synth cache: %w", err)
	}
	rep, ok, err := ReadReport(ctx, d)
	if err != nil || !ok {
		d.Close()
		return nil, Report{}, false, err
	}
	return d, rep, true, nil
}

// openCachedPostgres keeps the city in schema name of the database at dsn.
func openCachedPostgres(ctx context.Context, dsn, name string, opts Options) (*db.DB, Report, error) {
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, Report{}, fmt.Errorf("synth cache: %w", err)
	}
	defer admin.Close()
	exists := func(schema string) (bool, error) {
		var n int
		err := admin.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = $1", schema).Scan(&n)
		return n > 0, err
	}
	ok, err := exists(name)
	if err != nil {
		return nil, Report{}, fmt.Errorf("synth cache: %w", err)
	}
	if !ok {
		tmp := name + "_" + randomSuffix()
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+tmp); err != nil {
			return nil, Report{}, fmt.Errorf("synth cache: %w", err)
		}
		drop := func() { admin.ExecContext(context.WithoutCancel(ctx), "DROP SCHEMA "+tmp+" CASCADE") } //nolint:errcheck // best effort
		if err := buildPostgres(ctx, dsn, tmp, opts); err != nil {
			drop()
			return nil, Report{}, err
		}
		if _, err := admin.ExecContext(ctx, "ALTER SCHEMA "+tmp+" RENAME TO "+name); err != nil {
			// Another run finished first: use its city.
			drop()
			if ok, _ := exists(name); !ok {
				return nil, Report{}, fmt.Errorf("synth cache: %w", err)
			}
		}
		dropStalePostgres(ctx, admin, name, opts)
	}
	schemaDSN, err := withSearchPath(dsn, name)
	if err != nil {
		return nil, Report{}, err
	}
	d, rep, ok, err := openComplete(ctx, db.Options{PostgresURL: schemaDSN})
	if err == nil && !ok {
		err = fmt.Errorf("synth cache: schema %s holds no complete city; drop it", name)
	}
	return d, rep, err
}

// dropStalePostgres drops the cached cities of the same size built for an
// earlier day or by another generator. A city another session is reading
// is left alone (the drop gives up after a second), as are temporary
// schemas, which may be being built.
func dropStalePostgres(ctx context.Context, admin *sql.DB, keep string, opts Options) {
	o, err := resolve(opts)
	if err != nil {
		return
	}
	rows, err := admin.QueryContext(ctx, "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'synth\\_v%'")
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) == nil && name != keep && strings.Contains(name, "_"+sizeKey(o)) && isFinalName(name) {
			stale = append(stale, name)
		}
	}
	rows.Close()
	if len(stale) == 0 {
		return
	}
	conn, err := admin.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET lock_timeout = '1s'"); err != nil {
		return
	}
	for _, name := range stale {
		conn.ExecContext(ctx, "DROP SCHEMA "+name+" CASCADE") //nolint:errcheck // best effort: only disk space is at stake
	}
}

// isFinalName tells a cached city's schema (its key ends in the 12 digits
// of End) from a temporary one (a random suffix follows).
func isFinalName(name string) bool {
	i := strings.LastIndexByte(name, '_')
	tail := name[i+1:]
	if len(tail) != 12 {
		return false
	}
	for _, c := range tail {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func buildPostgres(ctx context.Context, dsn, schema string, opts Options) error {
	schemaDSN, err := withSearchPath(dsn, schema)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, db.Options{PostgresURL: schemaDSN})
	if err != nil {
		return fmt.Errorf("synth cache: %w", err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return fmt.Errorf("synth cache: %w", err)
	}
	_, err = Generate(ctx, d, opts)
	return err
}

// withSearchPath points a PostgreSQL URL at one schema.
func withSearchPath(dsn, schema string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("synth cache: postgres URL: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// randomSuffix names temporary caches; six characters keep a PostgreSQL
// schema name within 63 bytes.
func randomSuffix() string {
	var b [3]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand.Read never fails
	return strings.ToLower(hex.EncodeToString(b[:]))
}

// EnvBenchProblems names the environment variable that sets the size of
// the city benchmarks use.
const EnvBenchProblems = "WENMING_BENCH_PROBLEMS"

// BenchOptions are the default options with the number of cases from
// WENMING_BENCH_PROBLEMS (getenv), or defaultProblems when it is unset.
func BenchOptions(getenv func(string) string, defaultProblems int) (Options, error) {
	o := DefaultOptions()
	o.Problems = defaultProblems
	if v := getenv(EnvBenchProblems); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return o, fmt.Errorf("%s=%q: want a positive number", EnvBenchProblems, v)
		}
		o.Problems = n
	}
	return o, nil
}
