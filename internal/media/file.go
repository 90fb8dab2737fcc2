package media

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db"
)

// The files facility: evidence and attachments of any allowed type (PDF,
// JPEG, PNG, WebP, DOCX, XLSX), content-addressed in the same Store as
// photos. The type is told by the content, never by the name; an office
// document must be a real OOXML package of its kind and may not expand
// past a limit (a zip bomb); images get a thumbnail (the photo code's);
// a PDF's page count is read. A file over the size limit is refused as
// soon as the limit is passed, before the rest is read.

// FileKind is an accepted file type.
type FileKind string

// The accepted kinds.
const (
	KindPDF  FileKind = "pdf"
	KindJPEG FileKind = "jpeg"
	KindPNG  FileKind = "png"
	KindWebP FileKind = "webp"
	KindDOCX FileKind = "docx"
	KindXLSX FileKind = "xlsx"
)

// MIME is the kind's media type.
func (k FileKind) MIME() string {
	switch k {
	case KindPDF:
		return "application/pdf"
	case KindJPEG:
		return "image/jpeg"
	case KindPNG:
		return "image/png"
	case KindWebP:
		return "image/webp"
	case KindDOCX:
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case KindXLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/octet-stream"
}

// Ext is the kind's usual file name extension, with the dot.
func (k FileKind) Ext() string {
	if k == KindJPEG {
		return ".jpg"
	}
	return "." + string(k)
}

// IsImage reports whether the kind is a photo format (with a thumbnail).
func (k FileKind) IsImage() bool { return k == KindJPEG || k == KindPNG || k == KindWebP }

// File is a stored file.
type File struct {
	Hash         string
	Kind         FileKind
	MIME         string
	Bytes        int64
	Pages        int // a PDF's pages; 0 when unknown or not a PDF
	Width        int // an image's size
	Height       int
	Thumb        bool // a thumbnail is stored (SizeThumb, as for photos)
	OriginalName string
	CreatedAt    time.Time
}

// FileLimits bound what the files facility accepts.
type FileLimits struct {
	MaxBytes int64 // largest file; default 50 MB
	// MaxExpanded bounds the decompressed size of an office document's
	// parts together; default 8 × MaxBytes, at least 200 MB.
	MaxExpanded int64
	// MaxParts bounds the parts of an office document; default 10,000.
	MaxParts int
	// Images are the photo limits the thumbnails are made under (its
	// MaxBytes is ignored: MaxBytes above holds).
	Images Limits
}

// DefaultFileMaxBytes is the default largest file, 50 MB.
const DefaultFileMaxBytes = 50 << 20

func (l FileLimits) withDefaults() FileLimits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultFileMaxBytes
	}
	if l.MaxExpanded <= 0 {
		l.MaxExpanded = max(8*l.MaxBytes, 200<<20)
	}
	if l.MaxParts <= 0 {
		l.MaxParts = 10_000
	}
	l.Images = l.Images.withDefaults()
	l.Images.MaxBytes = l.MaxBytes
	return l
}

// Files ingests and serves files. Blobs and DB must be set.
type Files struct {
	Blobs  Store
	DB     *db.DB
	Limits FileLimits
	// TempDir holds uploads while they are checked; "" is os.TempDir.
	TempDir string
	Now     func() time.Time
}

func (s *Files) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// MaxBytes is the largest file accepted.
func (s *Files) MaxBytes() int64 { return s.Limits.withDefaults().MaxBytes }

// CheckFileName refuses a file name with path parts (a directory, "..",
// a drive) and returns the cleaned name: valid UTF-8, no control
// characters, at most 255 bytes. An empty name is refused too.
func CheckFileName(name string) (string, error) {
	if strings.ContainsAny(name, `/\`) || strings.Contains(name, "..") || (len(name) > 1 && name[1] == ':') {
		return "", apperr.Invalid("media.file_name_path")
	}
	clean := cleanName(name)
	if clean == "" || clean == "." {
		return "", apperr.Invalid("media.file_name_empty")
	}
	return clean, nil
}

func fileKey(hash string) string { return "file/" + hash }

// Ingest reads a file from r, checks its size, type and structure, and
// stores it unless the same bytes are stored already (then the stored
// File is returned). name is checked with CheckFileName and kept for
// display only. Nothing is stored when any check fails.
func (s *Files) Ingest(ctx context.Context, r io.Reader, name string) (File, error) {
	clean, err := CheckFileName(name)
	if err != nil {
		return File{}, err
	}
	lim := s.Limits.withDefaults()
	tmp, err := os.CreateTemp(s.TempDir, "wenming-upload-*")
	if err != nil {
		return File{}, fmt.Errorf("ingest file: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, io.LimitReader(r, lim.MaxBytes+1)})
	if err != nil {
		return File{}, fmt.Errorf("read file: %w", err)
	}
	if n > lim.MaxBytes {
		return File{}, apperr.Invalid("media.file_too_large", formatBytes(lim.MaxBytes))
	}
	if n == 0 {
		return File{}, apperr.Invalid("media.file_empty")
	}
	f := File{Hash: hex.EncodeToString(h.Sum(nil)), Bytes: n, OriginalName: clean, CreatedAt: db.FromMillis(db.Millis(s.now()))}
	if got, err := s.Get(ctx, f.Hash); err == nil {
		return got, nil
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return File{}, err
	}

	head := make([]byte, 512)
	hn, _ := tmp.ReadAt(head, 0)
	head = head[:hn]
	var thumb, display []byte
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		f.Kind = KindPDF
		if f.Pages, err = checkPDF(tmp, n); err != nil {
			return File{}, err
		}
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")), bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")),
		len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		data, err := os.ReadFile(tmp.Name())
		if err != nil {
			return File{}, fmt.Errorf("read image: %w", err)
		}
		ph := &Service{Limits: lim.Images}
		_, cfg, format, err := ph.check(bytes.NewReader(data))
		if err != nil {
			return File{}, err
		}
		f.Kind = FileKind(format)
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return File{}, invalid("media.corrupt", err)
		}
		meta := readEXIF(format, data)
		if display, thumb, err = derived(img, meta.Orientation, lim.Images); err != nil {
			return File{}, fmt.Errorf("thumbnail: %w", err)
		}
		f.Width, f.Height, f.Thumb = cfg.Width, cfg.Height, true
		if swapsAxes(meta.Orientation) {
			f.Width, f.Height = f.Height, f.Width
		}
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		if f.Kind, err = checkOOXML(tmp, n, lim); err != nil {
			return File{}, err
		}
	default:
		return File{}, apperr.Invalid("media.file_type")
	}
	f.MIME = f.Kind.MIME()

	// Blobs first, then the row, as for photos.
	if ok, err := s.Blobs.Exists(ctx, fileKey(f.Hash)); err != nil {
		return File{}, err
	} else if !ok {
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return File{}, fmt.Errorf("ingest file: %w", err)
		}
		if err := s.Blobs.Put(ctx, fileKey(f.Hash), tmp); err != nil {
			return File{}, fmt.Errorf("store file %s: %w", f.Hash, err)
		}
	}
	if f.Thumb {
		ps := &Service{Blobs: s.Blobs}
		if err := ps.putIfMissing(ctx, derivedKey(f.Hash, SizeThumb), thumb); err != nil {
			return File{}, err
		}
		if err := ps.putIfMissing(ctx, derivedKey(f.Hash, SizeDisplay), display); err != nil {
			return File{}, err
		}
	}
	res, err := s.DB.Exec(ctx, `INSERT INTO media_file (hash, kind, mime, bytes, pages, width, height, thumb, original_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
		f.Hash, string(f.Kind), f.MIME, f.Bytes, f.Pages, f.Width, f.Height, f.Thumb, f.OriginalName, db.Millis(f.CreatedAt))
	if err != nil {
		return File{}, fmt.Errorf("insert file %s: %w", f.Hash, err)
	}
	if k, err := res.RowsAffected(); err == nil && k == 0 {
		return s.Get(ctx, f.Hash)
	}
	return f, nil
}

// Get returns the stored file with the hash.
func (s *Files) Get(ctx context.Context, hash string) (File, error) {
	if !ValidHash(hash) {
		return File{}, apperr.Invalid("media.bad_hash")
	}
	var (
		f       File
		kind    string
		created int64
	)
	err := s.DB.QueryRow(ctx, `SELECT hash, kind, mime, bytes, pages, width, height, thumb, original_name, created_at
		FROM media_file WHERE hash = ?`, hash).
		Scan(&f.Hash, &kind, &f.MIME, &f.Bytes, &f.Pages, &f.Width, &f.Height, &f.Thumb, &f.OriginalName, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, apperr.NotFound("media.not_found")
	}
	if err != nil {
		return File{}, fmt.Errorf("get file %s: %w", hash, err)
	}
	f.Kind, f.CreatedAt = FileKind(kind), db.FromMillis(created)
	return f, nil
}

// GetMany returns the stored files with the hashes, by hash; unknown
// hashes are left out.
func (s *Files) GetMany(ctx context.Context, hashes []string) (map[string]File, error) {
	list, err := db.CollectIn(ctx, s.DB, `SELECT hash, kind, mime, bytes, pages, width, height, thumb, original_name, created_at
		FROM media_file WHERE hash IN (`+db.ListMarker+`)`, hashes, func(r *sql.Rows) (File, error) {
		var f File
		var kind string
		var created int64
		err := r.Scan(&f.Hash, &kind, &f.MIME, &f.Bytes, &f.Pages, &f.Width, &f.Height, &f.Thumb, &f.OriginalName, &created)
		f.Kind, f.CreatedAt = FileKind(kind), db.FromMillis(created)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("get files: %w", err)
	}
	out := make(map[string]File, len(list))
	for _, f := range list {
		out[f.Hash] = f
	}
	return out, nil
}

// Open opens a stored file's bytes. The caller decides who may read them.
func (s *Files) Open(ctx context.Context, hash string) (io.ReadCloser, error) {
	if !ValidHash(hash) {
		return nil, apperr.Invalid("media.bad_hash")
	}
	return (&Service{Blobs: s.Blobs}).open(ctx, fileKey(hash))
}

// OpenThumb opens an image file's thumbnail or display copy (size is
// SizeThumb or SizeDisplay).
func (s *Files) OpenThumb(ctx context.Context, hash, size string) (io.ReadCloser, error) {
	return (&Service{Blobs: s.Blobs}).OpenDerived(ctx, hash, size)
}

// PutBlob stores a blob the files facility does not check, under
// "export/<name>": a generated archive the caller made (a dossier export).
func (s *Files) PutBlob(ctx context.Context, name string, r io.Reader) error {
	return s.Blobs.Put(ctx, "export/"+name, r)
}

// OpenBlob opens a blob PutBlob stored.
func (s *Files) OpenBlob(ctx context.Context, name string) (io.ReadCloser, error) {
	return (&Service{Blobs: s.Blobs}).open(ctx, "export/"+name)
}

// checkPDF checks that a PDF has its end marker and counts its pages:
// the largest /Count of a /Type /Pages node (the root's), or, when the
// page tree is in compressed object streams, the /Type /Page objects
// that can be seen (0 when none can).
func checkPDF(f *os.File, size int64) (int, error) {
	tail := make([]byte, min(size, 2048))
	if _, err := f.ReadAt(tail, size-int64(len(tail))); err != nil && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("read pdf: %w", err)
	}
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return 0, apperr.Invalid("media.pdf_corrupt")
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("read pdf: %w", err)
	}
	const chunk, overlap = 1 << 20, 256
	br := bufio.NewReaderSize(f, chunk)
	buf := make([]byte, 0, chunk+overlap)
	maxCount, pages := 0, 0
	for {
		block := make([]byte, chunk)
		k, err := io.ReadFull(br, block)
		buf = append(buf, block[:k]...)
		for _, m := range pdfPagesCount.FindAllSubmatch(buf, -1) {
			if c, _ := strconv.Atoi(string(m[1])); c > maxCount {
				maxCount = c
			}
		}
		for _, m := range pdfCountPages.FindAllSubmatch(buf, -1) {
			if c, _ := strconv.Atoi(string(m[1])); c > maxCount {
				maxCount = c
			}
		}
		// Count single pages in the part not kept for the next round.
		keep := min(len(buf), overlap)
		if err != nil {
			keep = 0
		}
		pages += len(pdfPage.FindAllIndex(buf[:len(buf)-keep], -1))
		if err != nil {
			break
		}
		buf = append(buf[:0], buf[len(buf)-keep:]...)
	}
	if maxCount > 0 {
		return maxCount, nil
	}
	return pages, nil
}

var (
	pdfPagesCount = regexp.MustCompile(`/Type\s*/Pages\b[^>]{0,200}?/Count\s+(\d+)`)
	pdfCountPages = regexp.MustCompile(`/Count\s+(\d+)[^>]{0,200}?/Type\s*/Pages\b`)
	pdfPage       = regexp.MustCompile(`/Type\s*/Page[^s]`)
)

// checkOOXML checks that a ZIP is a Word or Excel package: [Content_Types].xml
// and the main part of its kind, at most MaxParts parts, and every part
// really decompressed within MaxExpanded bytes in all.
func checkOOXML(f *os.File, size int64, lim FileLimits) (FileKind, error) {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return "", apperr.Invalid("media.ooxml_invalid")
	}
	if len(zr.File) > lim.MaxParts {
		return "", apperr.Invalid("media.ooxml_too_large", formatBytes(lim.MaxExpanded))
	}
	var kind FileKind
	types := false
	var declared uint64
	for _, zf := range zr.File {
		switch zf.Name {
		case "[Content_Types].xml":
			types = true
		case "word/document.xml":
			kind = KindDOCX
		case "xl/workbook.xml":
			kind = KindXLSX
		}
		declared += zf.UncompressedSize64
	}
	if !types || kind == "" {
		return "", apperr.Invalid("media.ooxml_invalid")
	}
	if declared > uint64(lim.MaxExpanded) {
		return "", apperr.Invalid("media.ooxml_too_large", formatBytes(lim.MaxExpanded))
	}
	// The sizes in the directory may lie: decompress and count for real.
	left := lim.MaxExpanded
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			return "", apperr.Invalid("media.ooxml_invalid")
		}
		n, err := io.CopyN(io.Discard, rc, left+1)
		rc.Close()
		left -= n
		if left < 0 {
			return "", apperr.Invalid("media.ooxml_too_large", formatBytes(lim.MaxExpanded))
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return "", apperr.Invalid("media.ooxml_invalid")
		}
	}
	return kind, nil
}
