// Package media keeps the photos of problem reports (随手拍) and of their
// rectification (before and after). A photo is content-addressed by the
// SHA-256 of its bytes, checked for size and type before it is decoded,
// decoded once, and stored three times: the original, kept private, and two
// re-encoded JPEGs without metadata (display and thumbnail) that may be
// shown to the public. Position and capture time are read from EXIF so that
// reviewers can be warned about photos taken elsewhere or earlier.
package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG decoder with image.DecodeConfig
	_ "image/png"  // registers the PNG decoder
	"io"
	"io/fs"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	_ "golang.org/x/image/webp" // registers the WebP decoder

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// Limits bound what Ingest accepts and the sizes it makes.
type Limits struct {
	MaxBytes    int64 // largest accepted file
	MaxPixels   int   // largest accepted width×height, checked before decoding
	ThumbSize   int   // longest side of the thumbnail
	DisplaySize int   // longest side of the display copy (never enlarged)
}

// DefaultLimits returns 10 MB, 40 megapixels, 320 px thumbnails and 1600 px
// display copies.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 10 << 20, MaxPixels: 40_000_000, ThumbSize: 320, DisplaySize: 1600}
}

// withDefaults fills unset limits from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.ThumbSize <= 0 {
		l.ThumbSize = d.ThumbSize
	}
	if l.DisplaySize <= 0 {
		l.DisplaySize = d.DisplaySize
	}
	return l
}

// Sizes of the derived copies, for OpenDerived.
const (
	SizeThumb   = "thumb"
	SizeDisplay = "display"
)

// Photo is a stored photo.
type Photo struct {
	Hash         string    // hex SHA-256 of the original bytes
	MIME         string    // image/jpeg, image/png or image/webp
	Width        int       // upright size, after the EXIF orientation
	Height       int       // upright size, after the EXIF orientation
	Bytes        int64     // size of the original
	TakenAt      time.Time // EXIF DateTimeOriginal, UTC; zero when unknown
	Lng, Lat     float64   // WGS-84 position from EXIF, when HasGPS
	HasGPS       bool      // whether EXIF gave a position
	OriginalName string    // file name given at upload, for display only
	CreatedAt    time.Time // when it was first stored, UTC
}

// Service ingests and serves photos. Every field but Limits and Now must be
// set; zero limits take the defaults and a nil Now is time.Now.
type Service struct {
	Blobs  Store
	DB     *db.DB
	Limits Limits
	Now    func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// mimeOf maps the accepted formats, named as image.DecodeConfig names them,
// to their media types. Other registered decoders (GIF, say) are refused.
func mimeOf(format string) (string, bool) {
	switch format {
	case "jpeg":
		return "image/jpeg", true
	case "png":
		return "image/png", true
	case "webp":
		return "image/webp", true
	}
	return "", false
}

// Inspect reads a photo from r and checks it as Ingest does, short of
// decoding its pixels, and stores nothing: a form checks its photos and
// reads their GPS before anything of it is kept. The Photo has the hash,
// type, upright size, bytes and the EXIF time and place.
func (s *Service) Inspect(r io.Reader) (Photo, error) {
	data, cfg, format, err := s.check(r)
	if err != nil {
		return Photo{}, err
	}
	mime, _ := mimeOf(format)
	sum := sha256.Sum256(data)
	meta := readEXIF(format, data)
	p := Photo{Hash: hex.EncodeToString(sum[:]), MIME: mime, Width: cfg.Width, Height: cfg.Height, Bytes: int64(len(data)),
		TakenAt: db.FromNullMillis(db.NullMillis(meta.TakenAt)), Lat: meta.Lat, Lng: meta.Lng, HasGPS: meta.HasGPS}
	if swapsAxes(meta.Orientation) {
		p.Width, p.Height = p.Height, p.Width
	}
	return p, nil
}

// check reads a photo and checks its size, type and header.
func (s *Service) check(r io.Reader) ([]byte, image.Config, string, error) {
	lim := s.Limits.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, image.Config{}, "", fmt.Errorf("read photo: %w", err)
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, image.Config{}, "", apperr.Invalid("media.too_large", formatBytes(lim.MaxBytes))
	}

	// The header says the type and the size; nothing large is allocated
	// until the size is known to be within the limit.
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if errors.Is(err, image.ErrFormat) {
		return nil, image.Config{}, "", apperr.Invalid("media.not_image")
	}
	if err != nil {
		return nil, image.Config{}, "", invalid("media.corrupt", err)
	}
	if _, ok := mimeOf(format); !ok {
		return nil, image.Config{}, "", apperr.Invalid("media.not_image")
	}
	if err := checkPixels(cfg.Width, cfg.Height, lim); err != nil {
		return nil, image.Config{}, "", err
	}
	switch format {
	case "webp":
		// The decoder allocates the frame's size, not the canvas size
		// that DecodeConfig reports for an extended WebP.
		w, h, ok := webpFrameSize(data)
		if !ok {
			return nil, image.Config{}, "", apperr.Invalid("media.corrupt")
		}
		if err := checkPixels(w, h, lim); err != nil {
			return nil, image.Config{}, "", err
		}
		if w != cfg.Width || h != cfg.Height {
			return nil, image.Config{}, "", apperr.Invalid("media.corrupt")
		}
	case "jpeg":
		if jpegScans(data) > maxJPEGScans {
			return nil, image.Config{}, "", apperr.Invalid("media.corrupt")
		}
	}
	return data, cfg, format, nil
}

// Ingest reads a photo from r, checks it, and stores the original and its
// derived copies unless the same bytes are already stored, in which case
// the stored Photo is returned and nothing is written. filename is kept for
// display only: the type comes from the content.
func (s *Service) Ingest(ctx context.Context, r io.Reader, filename string) (Photo, error) {
	data, cfg, format, err := s.check(r)
	if err != nil {
		return Photo{}, err
	}
	mime, _ := mimeOf(format)
	lim := s.Limits.withDefaults()

	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	if p, err := s.Get(ctx, hash); err == nil {
		return p, nil
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return Photo{}, err
	}

	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return Photo{}, invalid("media.corrupt", err)
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return Photo{}, apperr.Invalid("media.corrupt")
	}
	meta := readEXIF(format, data)
	display, thumb, err := derived(img, meta.Orientation, lim)
	if err != nil {
		return Photo{}, fmt.Errorf("ingest %s: %w", hash, err)
	}

	p := Photo{
		Hash:         hash,
		MIME:         mime,
		Width:        cfg.Width,
		Height:       cfg.Height,
		Bytes:        int64(len(data)),
		TakenAt:      db.FromNullMillis(db.NullMillis(meta.TakenAt)),
		Lat:          meta.Lat,
		Lng:          meta.Lng,
		HasGPS:       meta.HasGPS,
		OriginalName: cleanName(filename),
		CreatedAt:    db.FromMillis(db.Millis(s.now())),
	}
	if swapsAxes(meta.Orientation) {
		p.Width, p.Height = p.Height, p.Width
	}

	// Blobs first, then the row: a crash in between leaves only blobs that
	// the next upload of the same photo finds in place.
	for _, b := range []struct {
		key  string
		data []byte
	}{
		{originalKey(hash), data},
		{derivedKey(hash, SizeDisplay), display},
		{derivedKey(hash, SizeThumb), thumb},
	} {
		if err := s.putIfMissing(ctx, b.key, b.data); err != nil {
			// The store (object storage, a full disk) failed: nothing is
			// recorded, and the person is told to try again later.
			return Photo{}, &apperr.Error{Kind: apperr.KindUnavailable, Code: "media.storage_unavailable",
				Err: fmt.Errorf("ingest %s: %w", hash, err)}
		}
	}
	var lng, lat sql.NullFloat64
	if p.HasGPS {
		lng = sql.NullFloat64{Float64: p.Lng, Valid: true}
		lat = sql.NullFloat64{Float64: p.Lat, Valid: true}
	}
	res, err := s.DB.Exec(ctx, `INSERT INTO photo
		(hash, mime, width, height, bytes, taken_at, lng, lat, original_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (hash) DO NOTHING`,
		p.Hash, p.MIME, p.Width, p.Height, p.Bytes, db.NullMillis(p.TakenAt), lng, lat,
		p.OriginalName, db.Millis(p.CreatedAt))
	if err != nil {
		return Photo{}, fmt.Errorf("insert photo %s: %w", hash, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		// Another upload of the same bytes got there first.
		return s.Get(ctx, hash)
	}
	return p, nil
}

// putIfMissing stores data at key unless a blob is already there; blobs
// are content-addressed, so an existing one is the same.
func (s *Service) putIfMissing(ctx context.Context, key string, data []byte) error {
	ok, err := s.Blobs.Exists(ctx, key)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	return s.Blobs.Put(ctx, key, bytes.NewReader(data))
}

// checkPixels refuses images over the pixel limit, before they are decoded.
func checkPixels(w, h int, lim Limits) error {
	if w <= 0 || h <= 0 {
		return apperr.Invalid("media.corrupt")
	}
	if int64(w)*int64(h) > int64(lim.MaxPixels) {
		return apperr.Invalid("media.too_many_pixels", w, h, formatPixels(lim.MaxPixels))
	}
	return nil
}

// invalid is apperr.Invalid keeping the cause, for the logs.
func invalid(code string, cause error) error {
	return &apperr.Error{Kind: apperr.KindInvalid, Code: code, Err: cause}
}

// Get returns the stored photo with the given hash.
func (s *Service) Get(ctx context.Context, hash string) (Photo, error) {
	if !ValidHash(hash) {
		return Photo{}, apperr.Invalid("media.bad_hash")
	}
	var (
		p                Photo
		takenAt          sql.NullInt64
		lng, lat         sql.NullFloat64
		createdAt, bytes int64
	)
	err := s.DB.QueryRow(ctx, `SELECT hash, mime, width, height, bytes, taken_at, lng, lat, original_name, created_at
		FROM photo WHERE hash = ?`, hash).
		Scan(&p.Hash, &p.MIME, &p.Width, &p.Height, &bytes, &takenAt, &lng, &lat, &p.OriginalName, &createdAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Photo{}, apperr.NotFound("media.not_found")
	}
	if err != nil {
		return Photo{}, fmt.Errorf("get photo %s: %w", hash, err)
	}
	p.Bytes = bytes
	p.TakenAt = db.FromNullMillis(takenAt)
	p.CreatedAt = db.FromMillis(createdAt)
	if lng.Valid && lat.Valid {
		p.Lng, p.Lat, p.HasGPS = lng.Float64, lat.Float64, true
	}
	return p, nil
}

// OpenDerived opens the display or thumbnail JPEG of a photo (size is
// SizeDisplay or SizeThumb). These copies carry no EXIF and may be shown to
// anyone who may see the case.
func (s *Service) OpenDerived(ctx context.Context, hash, size string) (io.ReadCloser, error) {
	if !ValidHash(hash) {
		return nil, apperr.Invalid("media.bad_hash")
	}
	if size != SizeThumb && size != SizeDisplay {
		return nil, apperr.Invalid("media.bad_size", size)
	}
	return s.open(ctx, derivedKey(hash, size))
}

// OpenOriginal opens the original upload, EXIF and all. The caller decides
// who may see it: it can reveal where and when a reporter was.
func (s *Service) OpenOriginal(ctx context.Context, hash string) (io.ReadCloser, error) {
	if !ValidHash(hash) {
		return nil, apperr.Invalid("media.bad_hash")
	}
	return s.open(ctx, originalKey(hash))
}

func (s *Service) open(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, err := s.Blobs.Open(ctx, key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, apperr.NotFound("media.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("open photo: %w", err)
	}
	return rc, nil
}

// ValidHash reports whether s is a photo hash: 64 lowercase hex digits.
func ValidHash(s string) bool { return len(s) == 64 && isLowerHex(s) }

func originalKey(hash string) string { return "orig/" + hash }

func derivedKey(hash, size string) string { return size + "/" + hash + ".jpg" }

// maxNameBytes bounds the stored original file name.
const maxNameBytes = 255

// cleanName keeps the last path element of an uploaded file name, as valid
// UTF-8 without control characters, at most maxNameBytes long.
func cleanName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	name = strings.TrimSpace(name)
	for len(name) > maxNameBytes {
		_, n := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-n]
	}
	return name
}

// formatBytes writes a size limit for people: "10 MB", "512 KB", "900 B".
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// formatPixels writes a pixel limit the Chinese way: 4000 万 for 40 MP.
func formatPixels(n int) string {
	if n >= 10_000 && n%10_000 == 0 {
		return fmt.Sprintf("%d 万", n/10_000)
	}
	return fmt.Sprintf("%d", n)
}
