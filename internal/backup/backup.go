// Package backup writes and restores one archive of a wenming data
// directory on the embedded database: a consistent online snapshot of the
// SQLite file (VACUUM INTO, taken while the server runs), the disk store's
// photos and files, and a manifest with the versions and a SHA-256 of
// every file. A PostgreSQL database or object storage is backed up with
// their own tools (pg_dump, the bucket's replication or sync); Write
// refuses them rather than produce half a backup.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// Format names the archive layout; Restore refuses any other.
const Format = "wenming-backup/1"

// Names inside the archive.
const (
	manifestName = "manifest.json"
	databaseName = "wenming.db"
	photosDir    = "photos"
)

// Manifest describes an archive. It is the archive's last entry, so that
// it can carry the checksums of everything before it.
type Manifest struct {
	Format        string    `json:"format"`
	CreatedAt     time.Time `json:"created_at"`
	Version       string    `json:"wenming_version"`
	Database      string    `json:"database"`
	SchemaVersion int       `json:"schema_version"`
	Files         []File    `json:"files"`
	Photos        int       `json:"photo_files"`
	Bytes         int64     `json:"bytes"`
}

// File is one file of the archive.
type File struct {
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Source is what Write archives.
type Source struct {
	DB *db.DB
	// PhotosDir is the disk store's directory (data-dir/photos); it may
	// not exist yet.
	PhotosDir string
	// TempDir holds the snapshot while it is archived; empty: the OS's.
	TempDir string
	Version string
	Now     func() time.Time
}

// Write archives src to w as a gzip-compressed tar. The snapshot is taken
// first; the photo files are copied after it. Blobs are written before the
// rows that name them and never change, so every photo the snapshot names
// is on disk by then (later uploads may come along; they are harmless).
func Write(ctx context.Context, src Source, w io.Writer) (Manifest, error) {
	if src.DB.Dialect() != db.SQLite {
		return Manifest{}, apperr.Invalid("backup.postgres")
	}
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	m := Manifest{Format: Format, CreatedAt: now().UTC(), Version: src.Version, Database: "sqlite"}
	var err error
	if m.SchemaVersion, err = src.DB.SchemaVersion(ctx); err != nil {
		return m, err
	}
	tmp, err := os.MkdirTemp(src.TempDir, "wenming-backup-")
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	snap := filepath.Join(tmp, databaseName)
	if err := src.DB.Snapshot(ctx, snap); err != nil {
		return m, err
	}

	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return m, err
	}
	tw := tar.NewWriter(zw)
	add := func(name, file string) error {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o640, Size: fi.Size(), ModTime: fi.ModTime(), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(tw, h), ctxReader{ctx, f})
		if err != nil {
			return err
		}
		if n != fi.Size() {
			return fmt.Errorf("%s changed while it was archived", file)
		}
		m.Files = append(m.Files, File{Path: name, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))})
		m.Bytes += n
		return nil
	}
	if err := add(databaseName, snap); err != nil {
		return m, fmt.Errorf("backup: database: %w", err)
	}
	os.Remove(snap) // not needed any more; frees the space early
	if src.PhotosDir != "" {
		err := filepath.WalkDir(src.PhotosDir, func(p string, de fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p == src.PhotosDir {
					return fs.SkipAll
				}
				return err
			}
			// Skip directories and the stores' files in the making.
			if de.IsDir() || !de.Type().IsRegular() || strings.HasPrefix(de.Name(), ".tmp-") {
				return nil
			}
			rel, err := filepath.Rel(src.PhotosDir, p)
			if err != nil {
				return err
			}
			err = add(photosDir+"/"+filepath.ToSlash(rel), p)
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed since the walk saw it: not named by the snapshot's rows either
			}
			if err == nil {
				m.Photos++
			}
			return err
		})
		if err != nil {
			return m, fmt.Errorf("backup: photos: %w", err)
		}
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: manifestName, Mode: 0o640, Size: int64(len(body)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return m, err
	}
	if _, err := tw.Write(body); err != nil {
		return m, err
	}
	if err := tw.Close(); err != nil {
		return m, err
	}
	if err := zw.Close(); err != nil {
		return m, err
	}
	return m, nil
}

// Target is where Restore puts an archive.
type Target struct {
	// DataDir receives the photos (DataDir/photos); SQLitePath the
	// database. Neither may hold a wenming installation already.
	DataDir    string
	SQLitePath string
}

// Restore unpacks the archive read from r into t. It refuses a target
// that is not empty, and an archive that is damaged, incomplete, of
// another format or of a newer schema than this build knows; then it
// leaves the target as it was.
func Restore(ctx context.Context, r io.Reader, t Target) (Manifest, error) {
	var m Manifest
	if err := checkEmpty(t); err != nil {
		return m, err
	}
	if err := os.MkdirAll(t.DataDir, 0o750); err != nil {
		return m, fmt.Errorf("restore: %w", err)
	}
	stage, err := os.MkdirTemp(t.DataDir, ".restore-")
	if err != nil {
		return m, fmt.Errorf("restore: %w", err)
	}
	defer os.RemoveAll(stage)

	zr, err := gzip.NewReader(r)
	if err != nil {
		return m, damaged(err)
	}
	tr := tar.NewReader(zr)
	got := map[string]File{}
	var manifest []byte
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, damaged(err)
		}
		if manifest != nil {
			return m, apperr.Invalid("backup.bad_entry", h.Name)
		}
		if h.Name == manifestName {
			if manifest, err = io.ReadAll(io.LimitReader(tr, 64<<20)); err != nil {
				return m, damaged(err)
			}
			continue
		}
		if h.Typeflag != tar.TypeReg || !validName(h.Name) {
			return m, apperr.Invalid("backup.bad_entry", h.Name)
		}
		if _, dup := got[h.Name]; dup {
			return m, apperr.Invalid("backup.bad_entry", h.Name)
		}
		f, err := writeStaged(ctx, stage, h.Name, tr)
		if err != nil {
			return m, err
		}
		got[h.Name] = f
	}
	if manifest == nil {
		return m, apperr.Invalid("backup.no_manifest")
	}
	if err := json.Unmarshal(manifest, &m); err != nil {
		return m, apperr.Invalid("backup.no_manifest")
	}
	if m.Format != Format || m.Database != "sqlite" {
		return m, apperr.Invalid("backup.format", m.Format, Format)
	}
	latest, err := db.LatestMigration()
	if err != nil {
		return m, err
	}
	if m.SchemaVersion > latest {
		return m, apperr.Invalid("backup.newer_schema", m.SchemaVersion, latest, m.Version)
	}
	if len(m.Files) != len(got) {
		return m, apperr.Invalid("backup.incomplete", len(m.Files), len(got))
	}
	for _, want := range m.Files {
		f, ok := got[want.Path]
		if !ok {
			return m, apperr.Invalid("backup.missing_file", want.Path)
		}
		if f.SHA256 != want.SHA256 || f.Bytes != want.Bytes {
			return m, apperr.Invalid("backup.checksum", want.Path)
		}
	}
	if _, ok := got[databaseName]; !ok {
		return m, apperr.Invalid("backup.missing_file", databaseName)
	}
	// The database must open, pass SQLite's check and say the schema the
	// manifest says.
	staged := filepath.Join(stage, databaseName)
	if err := checkDatabase(ctx, staged, m.SchemaVersion); err != nil {
		return m, err
	}

	// Everything checked: move into place. The photos first, so that a
	// database in place always finds its photos.
	if _, err := os.Stat(filepath.Join(stage, photosDir)); err == nil {
		if err := os.Rename(filepath.Join(stage, photosDir), filepath.Join(t.DataDir, photosDir)); err != nil {
			return m, fmt.Errorf("restore: photos: %w", err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(t.SQLitePath), 0o750); err != nil {
		return m, fmt.Errorf("restore: %w", err)
	}
	if err := moveFile(staged, t.SQLitePath); err != nil {
		return m, fmt.Errorf("restore: database: %w", err)
	}
	return m, nil
}

// checkEmpty refuses a target that already holds a database or photos.
func checkEmpty(t Target) error {
	for _, p := range []string{t.SQLitePath, t.SQLitePath + "-wal", filepath.Join(t.DataDir, photosDir)} {
		if _, err := os.Stat(p); err == nil {
			return apperr.Invalid("backup.target_not_empty", p)
		}
	}
	return nil
}

func checkDatabase(ctx context.Context, file string, schema int) error {
	d, err := db.Open(ctx, db.Options{SQLitePath: file, Readers: 1})
	if err != nil {
		return &apperr.Error{Kind: apperr.KindInvalid, Code: "backup.bad_database", Args: []any{err.Error()}, Err: err}
	}
	defer d.Close()
	if err := d.IntegrityCheck(ctx); err != nil {
		return &apperr.Error{Kind: apperr.KindInvalid, Code: "backup.bad_database", Args: []any{err.Error()}, Err: err}
	}
	v, err := d.SchemaVersion(ctx)
	if err != nil {
		return &apperr.Error{Kind: apperr.KindInvalid, Code: "backup.bad_database", Args: []any{err.Error()}, Err: err}
	}
	if v != schema {
		return apperr.Invalid("backup.schema_mismatch", v, schema)
	}
	return nil
}

// validName accepts the database and photos/… paths of plain segments.
func validName(name string) bool {
	if name == databaseName {
		return true
	}
	rest, ok := strings.CutPrefix(name, photosDir+"/")
	if !ok || rest == "" || path.Clean(name) != name {
		return false
	}
	for _, seg := range strings.Split(rest, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, `\:`) {
			return false
		}
	}
	return true
}

func writeStaged(ctx context.Context, stage, name string, r io.Reader) (File, error) {
	p := filepath.Join(stage, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return File{}, fmt.Errorf("restore: %w", err)
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return File{}, fmt.Errorf("restore: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), ctxReader{ctx, r})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if ctx.Err() != nil {
			return File{}, ctx.Err()
		}
		return File{}, damaged(err)
	}
	return File{Path: name, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// moveFile renames, or copies when the target is on another file system.
func moveFile(from, to string) error {
	if err := os.Rename(from, to); err == nil {
		return nil
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(to)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func damaged(err error) error {
	return &apperr.Error{Kind: apperr.KindInvalid, Code: "backup.damaged", Args: []any{err.Error()}, Err: err}
}

// Summary lists the manifest's files by kind, for the command's report.
func (m Manifest) Summary() (database int64, photos int64) {
	for _, f := range m.Files {
		if f.Path == databaseName {
			database += f.Bytes
		} else {
			photos += f.Bytes
		}
	}
	return database, photos
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
