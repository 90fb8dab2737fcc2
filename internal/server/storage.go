package server

import (
	"context"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/media"
)

// newBlobStore picks where photos and files live: the data directory's
// photos folder, or the S3-compatible bucket of WENMING_STORAGE_URL. An
// unreachable bucket does not stop the server from starting: uploads fail
// with a clear message and /readyz says so until it answers.
func newBlobStore(ctx context.Context, cfg config.Config, log *slog.Logger) (media.Store, error) {
	if !cfg.ObjectStorage() {
		return media.DiskStore{Dir: filepath.Join(cfg.DataDir, "photos")}, nil
	}
	s, err := media.NewS3Store(media.S3Config{URL: cfg.StorageURL, Endpoint: cfg.S3Endpoint, Region: cfg.S3Region,
		AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey})
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.EnsureBucket(cctx); err != nil {
		log.Warn("object storage unreachable; uploads fail until it answers", "bucket", s.Bucket(), "err", err)
	} else {
		log.Info("photos and files in object storage", "storage", cfg.StorageURL, "endpoint", config.Redact(cfg.S3Endpoint))
	}
	return s, nil
}
