package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"io/fs"
	"net"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/media/s3test"
)

// TestS3StoreAgainstRealServer runs the Store contract against the
// S3-compatible server .ci/run starts (SeaweedFS).
func TestS3StoreAgainstRealServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := s3test.Config(t)
	s, err := media.NewS3Store(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	// The server checks the signature: a wrong secret is refused.
	wrong := cfg
	wrong.SecretKey += "-wrong"
	if ws, err := media.NewS3Store(wrong); err != nil {
		t.Fatal(err)
	} else if err := ws.Put(ctx, "orig/"+strings.Repeat("e", 64), strings.NewReader("x")); err == nil {
		t.Fatal("an upload signed with a wrong secret was accepted")
	}
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
	// Replacing, and a reader of unknown length (a multipart upload).
	big := bytes.Repeat([]byte("文明城市"), 300_000) // 3.6 MB
	if err := s.Put(ctx, key, io.MultiReader(bytes.NewReader(big[:1000]), bytes.NewReader(big[1000:]))); err != nil {
		t.Fatal(err)
	}
	rc, err := s.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("read back %d bytes, want %d: %v", len(got), len(big), err)
	}
	if ok, err := s.Exists(ctx, key); err != nil || !ok {
		t.Fatalf("Exists after Put = %v, %v", ok, err)
	}
	// A failing reader leaves nothing behind.
	failKey := "orig/" + strings.Repeat("f", 64)
	if err := s.Put(ctx, failKey, iotest.ErrReader(errors.New("the upload broke off"))); err == nil {
		t.Fatal("Put of a failing reader succeeded")
	}
	if ok, _ := s.Exists(ctx, failKey); ok {
		t.Fatal("a failed Put left an object")
	}
	for _, bad := range []string{"", "../etc/passwd", "/abs", `a\b`, "a//b"} {
		if err := s.Put(ctx, bad, strings.NewReader("x")); !errors.Is(err, media.ErrBadKey) {
			t.Errorf("Put(%q) = %v, want ErrBadKey", bad, err)
		}
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Exists(ctx, key); ok {
		t.Fatal("Delete left the object")
	}
}

// TestIngestThroughS3 stores a photo and its derived copies in the bucket
// and reads them back through the service.
func TestIngestThroughS3(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := media.NewS3Store(s3test.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	svc := &media.Service{Blobs: s, DB: dbtest.Open(t), Limits: media.DefaultLimits()}
	p, err := svc.Ingest(ctx, bytes.NewReader(testJPEG(7)), "现场.jpg")
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []string{media.SizeThumb, media.SizeDisplay} {
		rc, err := svc.OpenDerived(ctx, p.Hash, size)
		if err != nil {
			t.Fatalf("%s: %v", size, err)
		}
		if _, _, err := image.Decode(rc); err != nil {
			t.Fatalf("%s is not an image: %v", size, err)
		}
		rc.Close()
	}
	if _, err := svc.OpenDerived(ctx, strings.Repeat("a", 64), media.SizeThumb); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("missing photo: %v, want not found", err)
	}
}

// TestS3DownFailsUploadsClearly points the store at a port nobody listens
// on: the upload fails within seconds with the storage message, no photo
// row is written, and Ping says the storage is unreachable.
func TestS3DownFailsUploadsClearly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := media.NewS3Store(media.S3Config{URL: "s3://wenming/photos", Endpoint: "http://" + closedAddr(t),
		AccessKey: "k", SecretKey: "s", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	svc := &media.Service{Blobs: s, DB: dbtest.Open(t), Limits: media.DefaultLimits()}
	began := time.Now()
	_, err = svc.Ingest(ctx, bytes.NewReader(testJPEG(8)), "现场.jpg")
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != apperr.KindUnavailable || e.Code != "media.storage_unavailable" {
		t.Fatalf("Ingest with storage down = %v, want media.storage_unavailable", err)
	}
	if took := time.Since(began); took > 20*time.Second {
		t.Fatalf("the failed upload took %s", took)
	}
	if ok, err := media.Stored(ctx, svc.DB, hashOf(testJPEG(8))); err != nil || ok {
		t.Fatalf("a photo row was written although its blobs were not: %v %v", ok, err)
	}
	if err := svc.Ping(ctx); err == nil {
		t.Fatal("Ping says an unreachable bucket is fine")
	}
}

func TestParseStorageURL(t *testing.T) {
	for _, tc := range []struct{ in, bucket, prefix string }{
		{"s3://wenming", "wenming", ""},
		{"s3://wenming-photos/prod/city", "wenming-photos", "prod/city"},
		{"s3://wenming/prod/", "wenming", "prod"},
	} {
		b, p, err := media.ParseStorageURL(tc.in)
		if err != nil || b != tc.bucket || p != tc.prefix {
			t.Errorf("%s: %q %q %v", tc.in, b, p, err)
		}
	}
	for _, bad := range []string{"http://x", "s3://", "s3://UPPER", "s3://b/../x", "s3://k:s@b/x", "s3://b?x=1"} {
		if _, _, err := media.ParseStorageURL(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func testJPEG(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), uint8(seed * 37), 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil) //nolint:errcheck // into memory
	return buf.Bytes()
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
