package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/db/dbtest"
)

// testNow is the clock of the test services.
var testNow = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

func newService(t testing.TB) (*Service, string) {
	t.Helper()
	dir := t.TempDir()
	return &Service{
		Blobs:  DiskStore{Dir: dir},
		DB:     dbtest.Open(t),
		Limits: DefaultLimits(),
		Now:    func() time.Time { return testNow },
	}, dir
}

func wantAppErr(t *testing.T, err error, kind apperr.Kind, code string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an apperr.Error, want %s", err, code)
	}
	if e.Kind != kind || e.Code != code {
		t.Fatalf("error %v: kind %d code %q, want kind %d code %q", err, e.Kind, e.Code, kind, code)
	}
}

var (
	red  = color.RGBA{220, 20, 20, 255}
	blue = color.RGBA{20, 20, 220, 255}
)

// halves is a w×h image whose left half is red and right half blue.
func halves(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if x < w/2 {
				m.SetRGBA(x, y, red)
			} else {
				m.SetRGBA(x, y, blue)
			}
		}
	}
	return m
}

// photoLike is a w×h image with gradients and noise, which compresses
// about as well as a photo.
func photoLike(w, h int, seed uint32) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	s := seed | 1
	for y := range h {
		for x := range w {
			s ^= s << 13
			s ^= s >> 17
			s ^= s << 5
			n := uint8(s % 24)
			i := m.PixOffset(x, y)
			m.Pix[i] = uint8(x*255/w) + n
			m.Pix[i+1] = uint8(y*255/h) + n
			m.Pix[i+2] = uint8((x+y)*127/(w+h)) + n
			m.Pix[i+3] = 255
		}
	}
	return m
}

func encodeJPEGBytes(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNGBytes(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withSegment inserts a JPEG marker segment right after SOI.
func withSegment(jpg []byte, marker byte, payload []byte) []byte {
	n := len(payload) + 2
	out := make([]byte, 0, len(jpg)+n+2)
	out = append(out, jpg[:2]...)
	out = append(out, 0xFF, marker, byte(n>>8), byte(n))
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// withEXIF inserts an APP1 "Exif" segment holding tiff into a JPEG.
func withEXIF(jpg, tiff []byte) []byte {
	return withSegment(jpg, 0xE1, append([]byte(exifHeader), tiff...))
}

// byteOrder reads and appends in one byte order.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// tiffField is one entry of a hand-made EXIF directory.
type tiffField struct {
	tag, typ uint16
	count    uint32
	data     []byte // encoded values
}

func shortField(bo byteOrder, tag uint16, v uint16) tiffField {
	return tiffField{tag, typeShort, 1, bo.AppendUint16(nil, v)}
}

func asciiField(tag uint16, s string) tiffField {
	return tiffField{tag, typeASCII, uint32(len(s) + 1), append([]byte(s), 0)}
}

func rationalField(bo byteOrder, tag uint16, pairs ...[2]uint32) tiffField {
	var b []byte
	for _, p := range pairs {
		b = bo.AppendUint32(b, p[0])
		b = bo.AppendUint32(b, p[1])
	}
	return tiffField{tag, typeRational, uint32(len(pairs)), b}
}

// buildTIFF lays out an EXIF TIFF structure: IFD0, then the Exif and GPS
// directories (pointed to from IFD0 when not empty), then the values that
// do not fit in an entry.
func buildTIFF(bo byteOrder, ifd0, exif, gps []tiffField) []byte {
	ifdSize := func(n int) int { return 2 + 12*n + 4 }
	n0 := len(ifd0)
	if len(exif) > 0 {
		n0++
	}
	if len(gps) > 0 {
		n0++
	}
	ifd0Off := 8
	exifOff := ifd0Off + ifdSize(n0)
	gpsOff := exifOff + ifdSize(len(exif))
	dataOff := gpsOff + ifdSize(len(gps))
	if len(exif) > 0 {
		ifd0 = append(ifd0, tiffField{tagExifIFD, typeLong, 1, bo.AppendUint32(nil, uint32(exifOff))})
	}
	if len(gps) > 0 {
		ifd0 = append(ifd0, tiffField{tagGPSIFD, typeLong, 1, bo.AppendUint32(nil, uint32(gpsOff))})
	}
	var head, data []byte
	if bo == byteOrder(binary.LittleEndian) {
		head = []byte("II*\x00")
	} else {
		head = []byte("MM\x00*")
	}
	head = bo.AppendUint32(head, uint32(ifd0Off))
	writeIFD := func(fields []tiffField) {
		head = bo.AppendUint16(head, uint16(len(fields)))
		for _, f := range fields {
			head = bo.AppendUint16(head, f.tag)
			head = bo.AppendUint16(head, f.typ)
			head = bo.AppendUint32(head, f.count)
			if len(f.data) <= 4 {
				v := make([]byte, 4)
				copy(v, f.data)
				head = append(head, v...)
				continue
			}
			head = bo.AppendUint32(head, uint32(dataOff+len(data)))
			data = append(data, f.data...)
			if len(data)%2 == 1 {
				data = append(data, 0)
			}
		}
		head = bo.AppendUint32(head, 0) // no next IFD
	}
	writeIFD(ifd0)
	if len(exif) > 0 {
		writeIFD(exif)
	}
	if len(gps) > 0 {
		writeIFD(gps)
	}
	return append(head, data...)
}

// phoneEXIF is what a phone camera writes: the orientation, the capture
// time without an offset, and a GPS fix at 33°42'N 113°18'E (33.7, 113.3,
// in Pingdingshan).
func phoneEXIF(bo byteOrder, orientation uint16) []byte {
	return buildTIFF(bo,
		[]tiffField{shortField(bo, tagOrientation, orientation)},
		[]tiffField{asciiField(tagDateTimeOriginal, "2024:05:01 09:30:00")},
		[]tiffField{
			asciiField(tagGPSLatitudeRef, "N"),
			rationalField(bo, tagGPSLatitude, [2]uint32{33, 1}, [2]uint32{42, 1}, [2]uint32{0, 1}),
			asciiField(tagGPSLongitudeRef, "E"),
			rationalField(bo, tagGPSLongitude, [2]uint32{113, 1}, [2]uint32{1800, 100}, [2]uint32{0, 1}),
		})
}

// pngChunk encodes one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// pngHeaderOnly is a PNG whose header claims w×h RGBA pixels, followed by a
// token IDAT: a decompression bomb as far as the header goes.
func pngHeaderOnly(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA, no interlace
	b := []byte("\x89PNG\r\n\x1a\n")
	b = append(b, pngChunk("IHDR", ihdr)...)
	b = append(b, pngChunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(b, pngChunk("IEND", nil)...)
}

// bitWriter writes the least-significant-bit-first bit stream of VP8L.
type bitWriter struct {
	buf  []byte
	acc  uint64
	nacc uint
}

func (w *bitWriter) put(v uint64, n uint) {
	w.acc |= v << w.nacc
	w.nacc += n
	for w.nacc >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.nacc -= 8
	}
}

func (w *bitWriter) bytes() []byte {
	if w.nacc > 0 {
		return append(w.buf, byte(w.acc))
	}
	return w.buf
}

// vp8lSolid is a lossless WebP bitstream of a w×h image in one colour: no
// transforms, no colour cache, and five "simple" prefix codes of one symbol
// each (zero bits per pixel), so the pixels take no bytes at all.
func vp8lSolid(w, h int, c color.NRGBA) []byte {
	bw := &bitWriter{}
	bw.put(0x2f, 8) // signature
	bw.put(uint64(w-1), 14)
	bw.put(uint64(h-1), 14)
	bw.put(0, 1) // alpha_is_used
	bw.put(0, 3) // version
	bw.put(0, 1) // no transform
	bw.put(0, 1) // no colour cache
	bw.put(0, 1) // no meta prefix codes
	for _, sym := range []uint8{c.G, c.R, c.B, c.A} {
		bw.put(1, 1) // simple code
		bw.put(0, 1) // one symbol
		bw.put(1, 1) // of 8 bits
		bw.put(uint64(sym), 8)
	}
	bw.put(1, 1) // distance code: simple, one symbol of 1 bit: 0
	bw.put(0, 1)
	bw.put(0, 1)
	bw.put(0, 1)
	return bw.bytes()
}

// riffWebP wraps chunks (id, data) into a RIFF WEBP file.
func riffWebP(chunks ...riffChunk) []byte {
	var body []byte
	body = append(body, "WEBP"...)
	for _, c := range chunks {
		body = append(body, c.id...)
		body = binary.LittleEndian.AppendUint32(body, uint32(len(c.data)))
		body = append(body, c.data...)
		if len(c.data)%2 == 1 {
			body = append(body, 0)
		}
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	return append(out, body...)
}

// vp8x is the extended-format header chunk with the given flags and canvas.
func vp8x(flags byte, w, h int) riffChunk {
	d := []byte{flags, 0, 0, 0}
	d = append(d, byte(w-1), byte((w-1)>>8), byte((w-1)>>16))
	d = append(d, byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
	return riffChunk{id: "VP8X", data: d}
}

// readAll returns a function that reads and closes what an Open call
// returned: readAll(t)(s.OpenOriginal(ctx, hash)).
func readAll(t *testing.T) func(io.ReadCloser, error) []byte {
	return func(rc io.ReadCloser, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}

// countFiles counts the regular files under dir.
func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func countRows(t *testing.T, s *Service) int {
	t.Helper()
	var n int
	if err := s.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM photo").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// near reports whether a colour is within tol of want in each channel, as
// JPEG only approximates colours.
func near(c color.Color, want color.RGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, w uint8) bool { return abs(int(a>>8)-int(w)) <= tol }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
