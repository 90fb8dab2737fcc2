// Package s3test gives tests a fresh bucket on the real S3-compatible
// server named by WENMING_TEST_S3 (an endpoint URL with the keys as user
// information, e.g. http://key:secret@127.0.0.1:18333, as .ci/run starts
// SeaweedFS). Without it the tests skip, except under CI=true, where they
// fail: CI starts the server, so a missing one is a broken CI.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/media"
)

// Env names the variable that points the tests at an S3 server.
const Env = "WENMING_TEST_S3"

// Config returns the settings of an empty place in the test bucket for t:
// a prefix of its own, as a deployment would use one.
func Config(t testing.TB) media.S3Config {
	t.Helper()
	raw := os.Getenv(Env)
	if raw == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; .ci/run starts an S3-compatible server and sets it", Env)
		}
		t.Skipf("%s not set: no S3-compatible server to test against (.ci/run starts one)", Env)
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil || u.Host == "" {
		t.Fatalf("%s must look like http://key:secret@host:port", Env)
	}
	secret, _ := u.User.Password()
	var b [6]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand does not fail
	cfg := media.S3Config{
		// One bucket, a prefix per test: a bucket is a SeaweedFS
		// collection with volumes of its own.
		URL:       "s3://wenming-test/t-" + hex.EncodeToString(b[:]),
		Endpoint:  u.Scheme + "://" + u.Host,
		Region:    "us-east-1",
		AccessKey: u.User.Username(),
		SecretKey: secret,
	}
	s, err := media.NewS3Store(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.EnsureBucket(ctx); err != nil {
		t.Fatalf("create the test bucket on %s: %v", cfg.Endpoint, err)
	}
	return cfg
}
