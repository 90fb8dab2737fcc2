package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
)

func TestIngestJPEGWithEXIF(t *testing.T) {
	ctx := context.Background()
	for _, bo := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
		t.Run(bo.String(), func(t *testing.T) {
			s, _ := newService(t)
			// Stored 400×200 (left red, right blue) with orientation 6: the
			// camera was held upright, so the photo is 200×400 and its top
			// half red.
			orig := withEXIF(encodeJPEGBytes(t, halves(400, 200)), phoneEXIF(bo, 6))
			if got := readEXIF("jpeg", orig); got.Orientation != 6 {
				t.Fatalf("orientation %d, want 6", got.Orientation)
			}
			p, err := s.Ingest(ctx, bytes.NewReader(orig), `C:\Users\张三\IMG_0001.JPG`)
			if err != nil {
				t.Fatal(err)
			}
			if !ValidHash(p.Hash) || p.MIME != "image/jpeg" || p.Width != 200 || p.Height != 400 || p.Bytes != int64(len(orig)) {
				t.Errorf("photo %+v", p)
			}
			if !p.HasGPS || math.Abs(p.Lat-33.7) > 1e-9 || math.Abs(p.Lng-113.3) > 1e-9 {
				t.Errorf("position %v,%v (%v), want 33.7,113.3", p.Lat, p.Lng, p.HasGPS)
			}
			// 09:30 in China is 01:30 UTC.
			if want := time.Date(2024, 5, 1, 1, 30, 0, 0, time.UTC); !p.TakenAt.Equal(want) || p.TakenAt.Location() != time.UTC {
				t.Errorf("taken at %v, want %v", p.TakenAt, want)
			}
			if p.OriginalName != "IMG_0001.JPG" || !p.CreatedAt.Equal(testNow) {
				t.Errorf("name %q, created %v", p.OriginalName, p.CreatedAt)
			}
			got, err := s.Get(ctx, p.Hash)
			if err != nil {
				t.Fatal(err)
			}
			if got != p {
				t.Errorf("Get = %+v\nIngest = %+v", got, p)
			}

			if b := readAll(t)(s.OpenOriginal(ctx, p.Hash)); !bytes.Equal(b, orig) {
				t.Error("original differs from the upload")
			}
			for _, c := range []struct {
				size string
				w, h int
			}{{SizeDisplay, 200, 400}, {SizeThumb, 160, 320}} {
				b := readAll(t)(s.OpenDerived(ctx, p.Hash, c.size))
				if bytes.Contains(b, []byte(exifHeader)) || bytes.Contains(b, []byte{0xFF, 0xE1}) {
					t.Errorf("%s copy has an APP1/EXIF segment", c.size)
				}
				m, err := jpeg.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("%s: %v", c.size, err)
				}
				if m.Bounds().Dx() != c.w || m.Bounds().Dy() != c.h {
					t.Fatalf("%s is %v, want %d×%d", c.size, m.Bounds(), c.w, c.h)
				}
				if top, bottom := m.At(c.w/2, c.h/4), m.At(c.w/2, 3*c.h/4); !near(top, red, 40) || !near(bottom, blue, 40) {
					t.Errorf("%s not turned upright: top %v, bottom %v", c.size, top, bottom)
				}
			}
		})
	}
}

func TestOrientations(t *testing.T) {
	// A 3×2 image with distinct pixels, and for each orientation the
	// upright image as rows of source pixel indexes (y*3+x).
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := range 6 {
		src.Pix[4*i] = uint8(i)
	}
	want := map[int][][]int{
		1: {{0, 1, 2}, {3, 4, 5}},
		2: {{2, 1, 0}, {5, 4, 3}},
		3: {{5, 4, 3}, {2, 1, 0}},
		4: {{3, 4, 5}, {0, 1, 2}},
		5: {{0, 3}, {1, 4}, {2, 5}},
		6: {{3, 0}, {4, 1}, {5, 2}},
		7: {{5, 2}, {4, 1}, {3, 0}},
		8: {{2, 5}, {1, 4}, {0, 3}},
	}
	for o, rows := range want {
		m := orient(src, o)
		if m.Bounds().Dy() != len(rows) || m.Bounds().Dx() != len(rows[0]) {
			t.Fatalf("orientation %d: size %v", o, m.Bounds())
		}
		for y, row := range rows {
			for x, v := range row {
				if got := int(m.Pix[m.PixOffset(x, y)]); got != v {
					t.Errorf("orientation %d: pixel %d,%d is %d, want %d", o, x, y, got, v)
				}
			}
		}
	}
}

func TestIngestSizes(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	for _, c := range []struct {
		name                 string
		img                  []byte
		w, h, dw, dh, tw, th int
	}{
		{"large landscape", encodeJPEGBytes(t, photoLike(3000, 1000, 1)), 3000, 1000, 1600, 533, 320, 107},
		{"large portrait png", encodePNGBytes(t, photoLike(900, 2400, 2)), 900, 2400, 600, 1600, 120, 320},
		{"small, never enlarged", encodeJPEGBytes(t, photoLike(100, 50, 3)), 100, 50, 100, 50, 100, 50},
		{"between the sizes", encodeJPEGBytes(t, photoLike(640, 480, 4)), 640, 480, 640, 480, 320, 240},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := s.Ingest(ctx, bytes.NewReader(c.img), "x")
			if err != nil {
				t.Fatal(err)
			}
			if p.Width != c.w || p.Height != c.h || p.HasGPS || !p.TakenAt.IsZero() {
				t.Errorf("photo %+v", p)
			}
			for _, d := range []struct {
				size string
				w, h int
			}{{SizeDisplay, c.dw, c.dh}, {SizeThumb, c.tw, c.th}} {
				cfg, err := jpeg.DecodeConfig(bytes.NewReader(readAll(t)(s.OpenDerived(ctx, p.Hash, d.size))))
				if err != nil {
					t.Fatal(err)
				}
				if cfg.Width != d.w || cfg.Height != d.h {
					t.Errorf("%s is %d×%d, want %d×%d", d.size, cfg.Width, cfg.Height, d.w, d.h)
				}
			}
		})
	}
}

func TestIngestTransparentPNGOnWhite(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	m := image.NewNRGBA(image.Rect(0, 0, 40, 40)) // fully transparent
	p, err := s.Ingest(ctx, bytes.NewReader(encodePNGBytes(t, m)), "clear.png")
	if err != nil {
		t.Fatal(err)
	}
	if p.MIME != "image/png" {
		t.Errorf("mime %q", p.MIME)
	}
	d, err := jpeg.Decode(bytes.NewReader(readAll(t)(s.OpenDerived(ctx, p.Hash, SizeThumb))))
	if err != nil {
		t.Fatal(err)
	}
	if c := d.At(20, 20); !near(c, color.RGBA{255, 255, 255, 255}, 3) {
		t.Errorf("transparent pixel became %v, want white", c)
	}
}

func TestIngestPNGWithEXIFChunk(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	plain := encodePNGBytes(t, halves(40, 20))
	// eXIf goes before IDAT: after the 8-byte signature and the IHDR chunk.
	at := 8 + 12 + 13
	withExif := append(append(append([]byte{}, plain[:at]...), pngChunk("eXIf", phoneEXIF(binary.BigEndian, 8))...), plain[at:]...)
	p, err := s.Ingest(ctx, bytes.NewReader(withExif), "a.png")
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 20 || p.Height != 40 || !p.HasGPS || p.TakenAt.IsZero() {
		t.Errorf("photo %+v", p)
	}
	d, err := jpeg.Decode(bytes.NewReader(readAll(t)(s.OpenDerived(ctx, p.Hash, SizeDisplay))))
	if err != nil {
		t.Fatal(err)
	}
	// Orientation 8 turns anticlockwise: the right (blue) half goes on top.
	if top := d.At(10, 5); !near(top, blue, 40) {
		t.Errorf("top is %v, want blue", top)
	}
}

func TestIngestWebP(t *testing.T) {
	ctx := context.Background()
	file, err := os.ReadFile(filepath.Join("testdata", "crimson-3x2.webp"))
	if err != nil {
		t.Fatal(err)
	}
	crimson := color.NRGBA{200, 30, 60, 255}
	// The shipped file is exactly what vp8lSolid makes, which documents
	// every bit of it.
	if want := riffWebP(riffChunk{"VP8L", vp8lSolid(3, 2, crimson)}); !bytes.Equal(file, want) {
		t.Fatalf("testdata/crimson-3x2.webp is\n%x, want\n%x", file, want)
	}
	m, format, err := image.Decode(bytes.NewReader(file))
	if err != nil || format != "webp" {
		t.Fatalf("decode: %v (%s)", err, format)
	}
	if m.Bounds() != image.Rect(0, 0, 3, 2) || m.At(2, 1) != color.Color(crimson) {
		t.Fatalf("decoded %v, pixel %v", m.Bounds(), m.At(2, 1))
	}

	s, _ := newService(t)
	p, err := s.Ingest(ctx, bytes.NewReader(file), "crimson.webp")
	if err != nil {
		t.Fatal(err)
	}
	if p.MIME != "image/webp" || p.Width != 3 || p.Height != 2 || p.HasGPS {
		t.Errorf("photo %+v", p)
	}
	d, err := jpeg.Decode(bytes.NewReader(readAll(t)(s.OpenDerived(ctx, p.Hash, SizeDisplay))))
	if err != nil {
		t.Fatal(err)
	}
	if c := d.At(1, 1); !near(c, color.RGBA{200, 30, 60, 255}, 12) {
		t.Errorf("display pixel %v, want crimson", c)
	}

	// The same frame in an extended WebP with an EXIF chunk.
	const exifFlag = 1 << 3
	ext := riffWebP(vp8x(exifFlag, 3, 2), riffChunk{"VP8L", vp8lSolid(3, 2, crimson)},
		riffChunk{"EXIF", phoneEXIF(binary.LittleEndian, 6)})
	p, err = s.Ingest(ctx, bytes.NewReader(ext), "ext.webp")
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 2 || p.Height != 3 || !p.HasGPS || math.Abs(p.Lat-33.7) > 1e-9 || p.TakenAt.IsZero() {
		t.Errorf("extended webp: %+v", p)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(readAll(t)(s.OpenDerived(ctx, p.Hash, SizeDisplay))))
	if err != nil || cfg.Width != 2 || cfg.Height != 3 {
		t.Errorf("display %d×%d, %v; want 2×3", cfg.Width, cfg.Height, err)
	}
}

func TestIngestRefuses(t *testing.T) {
	ctx := context.Background()
	jpg := encodeJPEGBytes(t, photoLike(64, 48, 5))
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, photoLike(8, 8, 6), nil); err != nil {
		t.Fatal(err)
	}
	// A JPEG whose SOF0 claims 30000×30000.
	hugeJPEG := append([]byte{}, jpg...)
	sof := bytes.Index(hugeJPEG, []byte{0xFF, 0xC0})
	binary.BigEndian.PutUint16(hugeJPEG[sof+5:], 30000)
	binary.BigEndian.PutUint16(hugeJPEG[sof+7:], 30000)
	// Many scans: the same JPEG with its scan repeated.
	scanStart := bytes.Index(jpg, []byte{0xFF, 0xDA})
	scan := jpg[scanStart : len(jpg)-2]
	manyScans := append([]byte{}, jpg[:scanStart]...)
	for range maxJPEGScans + 1 {
		manyScans = append(manyScans, scan...)
	}
	manyScans = append(manyScans, 0xFF, 0xD9)
	crimson := color.NRGBA{200, 30, 60, 255}

	for _, c := range []struct {
		name  string
		data  []byte
		limit Limits
		code  string
	}{
		{"text named .jpg", []byte("这不是照片，只是一段文字。\n"), Limits{}, "media.not_image"},
		{"empty", nil, Limits{}, "media.not_image"},
		{"gif, registered but not accepted", gifBuf.Bytes(), Limits{}, "media.not_image"},
		{"html", []byte("<html><script>alert(1)</script></html>"), Limits{}, "media.not_image"},
		{"truncated jpeg", jpg[:len(jpg)/2], Limits{}, "media.corrupt"},
		{"one byte over the limit", jpg, Limits{MaxBytes: int64(len(jpg)) - 1}, "media.too_large"},
		{"pixels over the limit", jpg, Limits{MaxPixels: 64*48 - 1}, "media.too_many_pixels"},
		{"png bomb header", pngHeaderOnly(50000, 50000), Limits{}, "media.too_many_pixels"},
		{"png header overflowing int32", pngHeaderOnly(1<<31-1, 1<<31-1), Limits{}, "media.corrupt"},
		{"jpeg bomb header", hugeJPEG, Limits{}, "media.too_many_pixels"},
		{"jpeg with too many scans", manyScans, Limits{}, "media.corrupt"},
		{"webp frame larger than its canvas", riffWebP(vp8x(0, 3, 2), riffChunk{"VP8L", vp8lSolid(10000, 10000, crimson)}),
			Limits{}, "media.too_many_pixels"},
		{"webp frame unlike its canvas", riffWebP(vp8x(0, 3, 2), riffChunk{"VP8L", vp8lSolid(2, 3, crimson)}),
			Limits{}, "media.corrupt"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, dir := newService(t)
			s.Limits = c.limit
			_, err := s.Ingest(ctx, bytes.NewReader(c.data), "photo.jpg")
			wantAppErr(t, err, apperr.KindInvalid, c.code)
			if n := countRows(t, s); n != 0 {
				t.Errorf("%d rows written", n)
			}
			if n := countFiles(t, dir); n != 0 {
				t.Errorf("%d files written", n)
			}
		})
	}
	t.Run("exactly at the limit", func(t *testing.T) {
		s, _ := newService(t)
		s.Limits = Limits{MaxBytes: int64(len(jpg)), MaxPixels: 64 * 48}
		if _, err := s.Ingest(ctx, bytes.NewReader(jpg), "ok.jpg"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestBombIsNotDecoded checks that a PNG claiming 50000×50000 pixels (10 GB
// decoded) is refused after reading its header only.
func TestBombIsNotDecoded(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	bomb := pngHeaderOnly(50000, 50000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := s.Ingest(ctx, bytes.NewReader(bomb), "bomb.png")
	runtime.ReadMemStats(&after)
	wantAppErr(t, err, apperr.KindInvalid, "media.too_many_pixels")
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("refusing the bomb allocated %d bytes", alloc)
	}
	e := apperr.As(err)
	if len(e.Args) != 3 || e.Args[0] != 50000 || e.Args[2] != "4000 万" {
		t.Errorf("args %v", e.Args)
	}
}

func TestIngestTwice(t *testing.T) {
	ctx := context.Background()
	s, dir := newService(t)
	img := withEXIF(encodeJPEGBytes(t, photoLike(300, 200, 7)), phoneEXIF(binary.LittleEndian, 1))
	first, err := s.Ingest(ctx, bytes.NewReader(img), "first.jpg")
	if err != nil {
		t.Fatal(err)
	}
	files := countFiles(t, dir)
	if files != 3 {
		t.Errorf("%d files, want original, display and thumbnail", files)
	}
	stamp := map[string]time.Time{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			fi, _ := d.Info()
			stamp[path] = fi.ModTime()
		}
		return err
	})
	s.Now = func() time.Time { return testNow.Add(time.Hour) }
	second, err := s.Ingest(ctx, bytes.NewReader(img), "second.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if second != first {
		t.Errorf("second ingest %+v\nfirst %+v", second, first)
	}
	if n := countRows(t, s); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
	if n := countFiles(t, dir); n != files {
		t.Errorf("%d files after the second ingest, want %d", n, files)
	}
	for path, mt := range stamp {
		fi, err := os.Stat(path)
		if err != nil || !fi.ModTime().Equal(mt) {
			t.Errorf("%s rewritten", path)
		}
	}
	// Another file is another photo.
	other, err := s.Ingest(ctx, bytes.NewReader(encodeJPEGBytes(t, photoLike(300, 200, 8))), "other.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if other.Hash == first.Hash || countRows(t, s) != 2 {
		t.Errorf("a different photo was not stored apart")
	}
}

func TestIngestAfterPartialWrite(t *testing.T) {
	// A crash after the blobs but before the row: the next upload writes
	// the row and reuses the blobs.
	ctx := context.Background()
	s, dir := newService(t)
	img := encodeJPEGBytes(t, photoLike(120, 80, 9))
	p, err := s.Ingest(ctx, bytes.NewReader(img), "a.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.Exec(ctx, "DELETE FROM photo WHERE hash = ?", p.Hash); err != nil {
		t.Fatal(err)
	}
	again, err := s.Ingest(ctx, bytes.NewReader(img), "a.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if again != p || countRows(t, s) != 1 || countFiles(t, dir) != 3 {
		t.Errorf("re-ingest after a partial write: %+v", again)
	}
}

func TestOpenAndGetRefuse(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	missing := strings.Repeat("ab", 32)
	for _, h := range []string{"", "../../etc/passwd", strings.Repeat("AB", 32), strings.Repeat("a", 63),
		strings.Repeat("a", 62) + "/.", "../" + strings.Repeat("a", 61)} {
		_, err := s.Get(ctx, h)
		wantAppErr(t, err, apperr.KindInvalid, "media.bad_hash")
		_, err = s.OpenOriginal(ctx, h)
		wantAppErr(t, err, apperr.KindInvalid, "media.bad_hash")
		_, err = s.OpenDerived(ctx, h, SizeThumb)
		wantAppErr(t, err, apperr.KindInvalid, "media.bad_hash")
	}
	_, err := s.OpenDerived(ctx, missing, "orig")
	wantAppErr(t, err, apperr.KindInvalid, "media.bad_size")
	_, err = s.Get(ctx, missing)
	wantAppErr(t, err, apperr.KindNotFound, "media.not_found")
	_, err = s.OpenOriginal(ctx, missing)
	wantAppErr(t, err, apperr.KindNotFound, "media.not_found")
	_, err = s.OpenDerived(ctx, missing, SizeDisplay)
	wantAppErr(t, err, apperr.KindNotFound, "media.not_found")
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"IMG_0001.JPG":                    "IMG_0001.JPG",
		`C:\照片\现场.jpg`:                    "现场.jpg",
		"../../etc/passwd":                "passwd",
		"a\x00b\nc\u200b.jpg":             "abc\u200b.jpg",
		"bad\xffutf8.png":                 "badutf8.png",
		"  spaced.webp  ":                 "spaced.webp",
		strings.Repeat("长", 100) + ".jpg": strings.Repeat("长", 85),
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatLimits(t *testing.T) {
	for n, want := range map[int64]string{10 << 20: "10 MB", 15 << 19: "7.5 MB", 2048: "2 KB", 900: "900 B"} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
	if got := formatPixels(40_000_000); got != "4000 万" {
		t.Errorf("formatPixels = %q", got)
	}
	if got := formatPixels(1234); got != "1234" {
		t.Errorf("formatPixels = %q", got)
	}
}

func TestIngestConcurrently(t *testing.T) {
	// Uploads of the same bytes racing each other store one photo.
	ctx := context.Background()
	s, dir := newService(t)
	img := encodeJPEGBytes(t, photoLike(200, 150, 10))
	const n = 8
	got := make([]Photo, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = s.Ingest(ctx, bytes.NewReader(img), "same.jpg") })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if got[i] != got[0] {
			t.Errorf("upload %d: %+v, upload 0: %+v", i, got[i], got[0])
		}
	}
	if countRows(t, s) != 1 || countFiles(t, dir) != 3 {
		t.Errorf("%d rows, %d files", countRows(t, s), countFiles(t, dir))
	}
}

// TestInspectStoresNothing: Inspect checks a photo and reads its header
// as Ingest does, and writes neither a blob nor a row.
func TestInspectStoresNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, dir := newService(t)
	orig := withEXIF(encodeJPEGBytes(t, halves(400, 200)), phoneEXIF(binary.BigEndian, 6))
	got, err := s.Inspect(bytes.NewReader(orig))
	if err != nil {
		t.Fatal(err)
	}
	if got.Width != 200 || got.Height != 400 || !got.HasGPS || got.MIME != "image/jpeg" || got.TakenAt.IsZero() {
		t.Errorf("Inspect = %+v", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Inspect wrote %d entries under the blob store", len(entries))
	}
	if _, err := s.Get(ctx, got.Hash); apperr.As(err).Kind != apperr.KindNotFound {
		t.Errorf("Inspect stored the photo row: %v", err)
	}
	stored, err := s.Ingest(ctx, bytes.NewReader(orig), "a.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if stored.Hash != got.Hash || stored.Lat != got.Lat || stored.Lng != got.Lng || stored.Width != got.Width {
		t.Errorf("Ingest = %+v, Inspect = %+v", stored, got)
	}
	for _, bad := range [][]byte{[]byte("not an image"), pngHeaderOnly(100000, 100000)} {
		if _, err := s.Inspect(bytes.NewReader(bad)); apperr.As(err).Kind != apperr.KindInvalid {
			t.Errorf("Inspect of a bad file: %v", err)
		}
	}
}
