package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/backup"
	"github.com/wenming-civic/wenming/internal/config"
)

// runBackup writes one archive of the running installation (SQLite and the
// disk store). PostgreSQL and object storage have their own tools; the
// verb says so instead of writing half a backup.
func runBackup(ctx context.Context, env Env, cfg config.Config, fs *flag.FlagSet) error {
	if fs.NArg() != 1 {
		return apperr.Invalid("cli.backup_args")
	}
	if cfg.IsPostgres() {
		return apperr.Invalid("backup.postgres")
	}
	if cfg.ObjectStorage() {
		return apperr.Invalid("backup.object_storage", cfg.StorageURL)
	}
	if _, err := os.Stat(cfg.SQLitePath()); err != nil {
		return apperr.Invalid("cli.backup_no_database", cfg.SQLitePath())
	}
	began := time.Now()
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	file := fs.Arg(0)
	// Written beside the target and renamed at the end: a failed backup
	// never leaves a file that looks whole.
	part, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".part-*")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(part.Name())
	m, err := backup.Write(ctx, backup.Source{DB: d, PhotosDir: filepath.Join(cfg.DataDir, "photos"),
		TempDir: filepath.Dir(file), Version: versionString()}, part)
	if err != nil {
		part.Close()
		return err
	}
	if err := part.Sync(); err != nil {
		part.Close()
		return fmt.Errorf("backup: %w", err)
	}
	fi, err := part.Stat()
	if err != nil {
		part.Close()
		return fmt.Errorf("backup: %w", err)
	}
	if err := part.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(part.Name(), file); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	dbBytes, photoBytes := m.Summary()
	fmt.Fprintln(env.Stdout, env.T("cli.backup_done", file, humanBytes(fi.Size()), humanBytes(dbBytes), m.Photos,
		humanBytes(photoBytes), m.SchemaVersion, time.Since(began).Round(time.Millisecond).String()))
	return nil
}

// runRestore unpacks an archive into an empty data directory.
func runRestore(ctx context.Context, env Env, cfg config.Config, fs *flag.FlagSet) error {
	if fs.NArg() != 1 {
		return apperr.Invalid("cli.restore_args")
	}
	if cfg.IsPostgres() || cfg.ObjectStorage() {
		return apperr.Invalid("backup.restore_target")
	}
	began := time.Now()
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return &apperr.Error{Kind: apperr.KindInvalid, Code: "cli.unreadable_file", Args: []any{fs.Arg(0)}, Err: err}
	}
	defer f.Close()
	m, err := backup.Restore(ctx, f, backup.Target{DataDir: cfg.DataDir, SQLitePath: cfg.SQLitePath()})
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, env.T("cli.restore_done", cfg.SQLitePath(), m.SchemaVersion,
		m.CreatedAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05"), m.Photos,
		time.Since(began).Round(time.Millisecond).String()))
	return nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
