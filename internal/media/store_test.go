package media

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

func TestDiskStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := DiskStore{Dir: dir}
	hash := strings.Repeat("0123456789abcdef", 4)
	key := "orig/" + hash

	if ok, err := s.Exists(ctx, key); err != nil || ok {
		t.Fatalf("Exists before Put = %v, %v", ok, err)
	}
	if _, err := s.Open(ctx, key); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open before Put: %v, want fs.ErrNotExist", err)
	}
	if err := s.Put(ctx, key, strings.NewReader("one")); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, key, strings.NewReader("two")); err != nil { // replaces
		t.Fatal(err)
	}
	if ok, err := s.Exists(ctx, key); err != nil || !ok {
		t.Fatalf("Exists after Put = %v, %v", ok, err)
	}
	if got := string(readAll(t)(s.Open(ctx, key))); got != "two" {
		t.Errorf("read %q", got)
	}
	// Sharded by the hash prefix.
	if _, err := os.Stat(filepath.Join(dir, "orig", "01", "23", hash)); err != nil {
		t.Errorf("not at the sharded path: %v", err)
	}
	// Keys that do not start with hex are sharded by the hash of the key.
	if err := s.Put(ctx, "misc/readme.txt", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "misc", "??", "??", "readme.txt"))
	if len(matches) != 1 {
		t.Errorf("misc/readme.txt stored at %v", matches)
	}
	// A failed copy leaves neither the blob nor a temporary file.
	failing := io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(errors.New("network gone")))
	if err := s.Put(ctx, "orig/"+strings.Repeat("f", 64), failing); err == nil {
		t.Fatal("Put of a failing reader succeeded")
	}
	if ok, _ := s.Exists(ctx, "orig/"+strings.Repeat("f", 64)); ok {
		t.Error("a failed Put left a blob")
	}
	// A cancelled context writes nothing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Put(cctx, "orig/"+strings.Repeat("e", 64), strings.NewReader("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context: %v", err)
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", path)
		}
		return err
	})
}

func TestDiskStoreRefusesBadKeys(t *testing.T) {
	ctx := context.Background()
	parent := t.TempDir()
	s := DiskStore{Dir: filepath.Join(parent, "blobs")}
	for _, key := range []string{
		"", "../x", "..", ".", "a/../../x", "a/./b", "/etc/passwd", "a//b", "a/", "a\\..\\b",
		"C:/x", "a\x00b", "orig/ab cd", "orig/名字", strings.Repeat("a", maxKeyLen+1),
	} {
		if err := s.Put(ctx, key, strings.NewReader("x")); !errors.Is(err, ErrBadKey) {
			t.Errorf("Put(%q): %v, want ErrBadKey", key, err)
		}
		if _, err := s.Open(ctx, key); !errors.Is(err, ErrBadKey) {
			t.Errorf("Open(%q): %v, want ErrBadKey", key, err)
		}
		if _, err := s.Exists(ctx, key); !errors.Is(err, ErrBadKey) {
			t.Errorf("Exists(%q): %v, want ErrBadKey", key, err)
		}
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 0 {
		t.Errorf("refused keys wrote %v", entries)
	}
	for _, key := range []string{"x", "orig/" + strings.Repeat("a", 64), "thumb/" + strings.Repeat("a", 64) + ".jpg", "A-b_c.d/e"} {
		if err := CheckKey(key); err != nil {
			t.Errorf("CheckKey(%q): %v", key, err)
		}
	}
}
