package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// S3Config says where an S3-compatible bucket is and how to sign in to it.
type S3Config struct {
	// URL is the storage URL, s3://bucket or s3://bucket/prefix.
	URL string
	// Endpoint is the server, e.g. https://s3.example.com or
	// http://127.0.0.1:8333; empty means Amazon S3.
	Endpoint  string
	Region    string
	AccessKey string
	SecretKey string
	// Timeout bounds one request's wait for the server to answer (not the
	// transfer of a large body); zero means 10 seconds.
	Timeout time.Duration
}

// ParseStorageURL splits s3://bucket/prefix into its bucket and prefix
// (without slashes at either end).
func ParseStorageURL(raw string) (bucket, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", "", fmt.Errorf("storage URL %q must look like s3://bucket/prefix", raw)
	}
	bucket = u.Host
	if err := s3utils.CheckValidBucketNameStrict(bucket); err != nil {
		return "", "", fmt.Errorf("storage URL %q: bucket name: %w", raw, err)
	}
	prefix = strings.Trim(u.Path, "/")
	if prefix != "" {
		if err := CheckKey(prefix); err != nil {
			return "", "", fmt.Errorf("storage URL %q: prefix: %w", raw, err)
		}
	}
	return bucket, prefix, nil
}

// S3Store keeps blobs as objects in one bucket of an S3-compatible store,
// under an optional prefix. Objects are written whole in one request (or a
// multipart upload completed at the end), so readers never see a partial
// blob, as Store requires.
type S3Store struct {
	client *minio.Client
	bucket string
	prefix string // "" or "prefix/"
}

// NewS3Store builds a store for cfg; it does not contact the server.
func NewS3Store(cfg S3Config) (*S3Store, error) {
	bucket, prefix, err := ParseStorageURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	host, secure := "s3.amazonaws.com", true
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("s3 endpoint %q must be an http(s) URL without a path", cfg.Endpoint)
		}
		host, secure = u.Host, u.Scheme == "https"
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	// A server that is down or unreachable must fail an upload within
	// seconds, not after minutes of retries: short dial and header
	// timeouts and few retries. Bodies themselves may take longer.
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: timeout / 2, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout / 2,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
	}
	client, err := minio.New(host, &minio.Options{
		Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:     secure,
		Region:     cfg.Region,
		Transport:  tr,
		MaxRetries: 2,
	})
	if err != nil {
		return nil, fmt.Errorf("s3 client: %w", err)
	}
	if prefix != "" {
		prefix += "/"
	}
	return &S3Store{client: client, bucket: bucket, prefix: prefix}, nil
}

// Bucket names the store's bucket, for messages.
func (s *S3Store) Bucket() string { return s.bucket }

func (s *S3Store) object(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return s.prefix + key, nil
}

// lener is a reader that knows how much is left (bytes.Reader and the like).
type lener interface{ Len() int }

// Put uploads r as the object at key.
func (s *S3Store) Put(ctx context.Context, key string, r io.Reader) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	size := int64(-1)
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream"}
	if l, ok := r.(lener); ok {
		size = int64(l.Len())
	} else {
		// Unknown length: a multipart upload with modest parts, so memory
		// stays bounded.
		opts.PartSize = 8 << 20
	}
	if _, err := s.client.PutObject(ctx, s.bucket, name, r, size, opts); err != nil {
		return fmt.Errorf("put %s to bucket %s: %w", key, s.bucket, err)
	}
	return nil
}

// Open streams the object at key; a missing one matches fs.ErrNotExist.
func (s *S3Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	name, err := s.object(key)
	if err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	// Stat sends the GET and reads its headers, so a missing object or an
	// unreachable server shows here rather than on the first Read.
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if isNoSuchKey(err) {
			return nil, fmt.Errorf("open blob %s: %w", key, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	return obj, nil
}

// Exists reports whether an object is stored at key.
func (s *S3Store) Exists(ctx context.Context, key string) (bool, error) {
	name, err := s.object(key)
	if err != nil {
		return false, err
	}
	_, err = s.client.StatObject(ctx, s.bucket, name, minio.StatObjectOptions{})
	if isNoSuchKey(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("stat %s: %w", key, err)
	}
	return true, nil
}

// Delete removes the object at key; a missing one is not an error.
func (s *S3Store) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, name, minio.RemoveObjectOptions{}); err != nil && !isNoSuchKey(err) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// Ping checks that the bucket can be reached with the configured keys.
func (s *S3Store) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("bucket %s: %w", s.bucket, err)
	}
	if !ok {
		return fmt.Errorf("bucket %s does not exist", s.bucket)
	}
	return nil
}

// EnsureBucket creates the bucket when it does not exist yet (for tests
// and a first start against an empty server).
func (s *S3Store) EnsureBucket(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("bucket %s: %w", s.bucket, err)
	}
	if ok {
		return nil
	}
	if err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{}); err != nil {
		var er minio.ErrorResponse
		if errors.As(err, &er) && (er.Code == "BucketAlreadyOwnedByYou" || er.Code == "BucketAlreadyExists") {
			return nil
		}
		return fmt.Errorf("create bucket %s: %w", s.bucket, err)
	}
	return nil
}

func isNoSuchKey(err error) bool {
	if err == nil {
		return false
	}
	er := minio.ToErrorResponse(err)
	return er.Code == "NoSuchKey" || er.StatusCode == http.StatusNotFound && er.Code != "NoSuchBucket"
}

// Pinger is a Store that can tell whether its backend answers, for the
// readiness check. DiskStore is always ready; S3Store asks the bucket.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deleter is a Store that can remove a blob.
type Deleter interface {
	Delete(ctx context.Context, key string) error
}

// Ping tells whether the service's blob store answers, for /readyz.
func (s *Service) Ping(ctx context.Context) error {
	if p, ok := s.Blobs.(Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}
