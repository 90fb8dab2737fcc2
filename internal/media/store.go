package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Store keeps blobs under slash-separated keys such as "orig/<hash>". It is
// small on purpose so that an S3-compatible object store can implement it
// as well as the local disk.
//
// Put stores the whole of r under key, replacing any blob already there;
// readers never see a partly written blob. Open on a missing key returns an
// error that matches fs.ErrNotExist. Keys are made of segments of letters,
// digits, '.', '-' and '_' joined by '/'; implementations refuse any other
// key, in particular ones with "..", a leading '/' or a backslash.
type Store interface {
	Put(ctx context.Context, key string, r io.Reader) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Exists(ctx context.Context, key string) (bool, error)
}

// ErrBadKey is returned for keys outside the syntax every Store accepts.
var ErrBadKey = errors.New("media: invalid blob key")

// maxKeyLen bounds a key; real keys are about 80 bytes.
const maxKeyLen = 512

// CheckKey reports whether key is a valid blob key: non-empty segments of
// [A-Za-z0-9._-] joined by single slashes, none of them "." or "..".
func CheckKey(key string) error {
	if key == "" || len(key) > maxKeyLen {
		return fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%w: %q", ErrBadKey, key)
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
				c == '.' || c == '-' || c == '_'
			if !ok {
				return fmt.Errorf("%w: %q", ErrBadKey, key)
			}
		}
	}
	return nil
}

// DiskStore keeps blobs as files under Dir. A key "a/b/<name>" lives at
// Dir/a/b/xx/yy/<name>, where xxyy are the first four characters of name
// when they are lowercase hex (as with content hashes) and otherwise of the
// SHA-256 of the key, so that no directory grows too large.
type DiskStore struct {
	Dir string
}

// path maps a checked key to its file.
func (s DiskStore) path(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	if s.Dir == "" {
		return "", errors.New("media: disk store has no directory")
	}
	dir, name := "", key
	if i := strings.LastIndexByte(key, '/'); i >= 0 {
		dir, name = key[:i], key[i+1:]
	}
	shard := name
	if len(shard) < 4 || !isLowerHex(shard[:4]) {
		sum := sha256.Sum256([]byte(key))
		shard = hex.EncodeToString(sum[:2])
	}
	return filepath.Join(s.Dir, filepath.FromSlash(dir), shard[:2], shard[2:4], name), nil
}

// Put writes r to a temporary file beside the target and renames it into
// place, so a crash or a failed copy never leaves a partial blob.
func (s DiskStore) Put(ctx context.Context, key string, r io.Reader) (err error) {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, ctxReader{ctx, r}); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := tmp.Chmod(0o640); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	// Make the rename itself durable; not every platform can sync a
	// directory, and the blob is in place either way.
	if d, err := os.Open(dir); err == nil {
		d.Sync() //nolint:errcheck // best effort, see above
		d.Close()
	}
	return nil
}

// Open opens the blob at key for reading.
func (s DiskStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open blob %s: %w", key, err)
	}
	return f, nil
}

// Exists reports whether a blob is stored at key.
func (s DiskStore) Exists(ctx context.Context, key string) (bool, error) {
	p, err := s.path(key)
	if err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("stat %s: %w", key, err)
	}
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("stat blob %s: %w", key, err)
	}
	return fi.Mode().IsRegular(), nil
}

// ctxReader stops a copy when its context ends.
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

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
