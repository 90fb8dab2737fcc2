package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/wenming-civic/wenming/internal/calendar"
)

// chinaTime is the zone of EXIF times that carry no offset. China has kept
// UTC+8 without daylight saving since 1991, so a fixed zone is exact and
// needs no time zone database on the server.

// exifInfo is what the platform reads from a photo's EXIF block.
type exifInfo struct {
	Orientation int       // 1–8; 0 when absent or invalid
	TakenAt     time.Time // DateTimeOriginal; zero when absent
	Lat, Lng    float64   // WGS-84 decimal degrees, when HasGPS
	HasGPS      bool
}

// readEXIF finds the EXIF block of an image of the given format and reads
// it. EXIF is optional: a missing or broken block yields what could be read.
func readEXIF(format string, b []byte) exifInfo {
	var block []byte
	switch format {
	case "jpeg":
		block = jpegEXIF(b)
	case "png":
		block = pngEXIF(b)
	case "webp":
		block = webpEXIF(b)
	}
	if block == nil {
		return exifInfo{}
	}
	return parseTIFF(block)
}

// exifHeader starts the APP1 segment that holds EXIF in a JPEG.
const exifHeader = "Exif\x00\x00"

// jpegEXIF returns the TIFF structure of the first APP1 "Exif" segment, or
// nil. It walks the marker segments up to the first scan.
func jpegEXIF(b []byte) []byte {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return nil
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return nil
		}
		m := b[i+1]
		if m == 0xFF { // fill byte
			i++
			continue
		}
		if m == 0x01 || m >= 0xD0 && m <= 0xD8 { // markers without a length
			i += 2
			continue
		}
		if m == 0xD9 || m == 0xDA { // end of image, start of scan
			return nil
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		if n < 2 || i+2+n > len(b) {
			return nil
		}
		seg := b[i+4 : i+2+n]
		if m == 0xE1 && len(seg) >= len(exifHeader) && string(seg[:len(exifHeader)]) == exifHeader {
			return seg[len(exifHeader):]
		}
		i += 2 + n
	}
	return nil
}

// maxJPEGScans bounds the scans of a JPEG. Encoders write 1–3 (baseline)
// or about 10 (progressive); each scan makes the decoder visit every block,
// so thousands of tiny scans would make a small file take minutes.
const maxJPEGScans = 100

// jpegScans counts the start-of-scan markers of a JPEG, skipping the
// entropy-coded data between them.
func jpegScans(b []byte) int {
	scans := 0
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return scans
		}
		m := b[i+1]
		switch {
		case m == 0xFF:
			i++
			continue
		case m == 0x01 || m >= 0xD0 && m <= 0xD8:
			i += 2
			continue
		case m == 0xD9:
			return scans
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		if n < 2 {
			return scans
		}
		i += 2 + n
		if m != 0xDA {
			continue
		}
		scans++
		// Entropy-coded data ends at the first 0xFF that is not a stuffed
		// 0xFF00 or a restart marker.
		for i < len(b) {
			j := bytes.IndexByte(b[i:], 0xFF)
			if j < 0 {
				return scans
			}
			i += j
			if i+1 >= len(b) {
				return scans
			}
			if c := b[i+1]; c != 0x00 && (c < 0xD0 || c > 0xD7) {
				break
			}
			i += 2
		}
	}
	return scans
}

// pngEXIF returns the payload of the eXIf chunk, or nil.
func pngEXIF(b []byte) []byte {
	const sig = "\x89PNG\r\n\x1a\n"
	if !bytes.HasPrefix(b, []byte(sig)) {
		return nil
	}
	for i := len(sig); i+12 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if n < 0 || n > len(b)-i-12 {
			return nil
		}
		if typ == "eXIf" {
			return b[i+8 : i+8+n]
		}
		if typ == "IEND" {
			return nil
		}
		i += 12 + n
	}
	return nil
}

// webpEXIF returns the payload of the EXIF chunk of an extended WebP, or
// nil. Some writers put the JPEG "Exif\0\0" header in front of the TIFF
// structure; it is skipped.
func webpEXIF(b []byte) []byte {
	for c := range riffChunks(b) {
		if c.id == "EXIF" {
			d := c.data
			if len(d) >= len(exifHeader) && string(d[:len(exifHeader)]) == exifHeader {
				d = d[len(exifHeader):]
			}
			return d
		}
	}
	return nil
}

type riffChunk struct {
	id   string
	data []byte
}

// riffChunks yields the chunks of a RIFF "WEBP" file, stopping at the first
// malformed one.
func riffChunks(b []byte) func(yield func(riffChunk) bool) {
	return func(yield func(riffChunk) bool) {
		if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WEBP" {
			return
		}
		end := min(len(b), 8+int(binary.LittleEndian.Uint32(b[4:8])))
		for i := 12; i+8 <= end; {
			n := int(binary.LittleEndian.Uint32(b[i+4:]))
			if n < 0 || n > end-i-8 {
				return
			}
			if !yield(riffChunk{id: string(b[i : i+4]), data: b[i+8 : i+8+n]}) {
				return
			}
			i += 8 + n + n&1
		}
	}
}

// webpFrameSize returns the size of the first VP8 or VP8L frame of a WebP,
// which the decoder allocates whatever the canvas size in VP8X says.
func webpFrameSize(b []byte) (w, h int, ok bool) {
	for c := range riffChunks(b) {
		switch c.id {
		case "VP8 ":
			// 3-byte frame tag, start code 9d 01 2a, then 14-bit sizes.
			d := c.data
			if len(d) < 10 || d[3] != 0x9d || d[4] != 0x01 || d[5] != 0x2a {
				return 0, 0, false
			}
			w = int(binary.LittleEndian.Uint16(d[6:]) & 0x3fff)
			h = int(binary.LittleEndian.Uint16(d[8:]) & 0x3fff)
			return w, h, true
		case "VP8L":
			// Signature 0x2f, then 14-bit width-1 and height-1.
			d := c.data
			if len(d) < 5 || d[0] != 0x2f {
				return 0, 0, false
			}
			v := binary.LittleEndian.Uint32(d[1:])
			return int(v&0x3fff) + 1, int(v>>14&0x3fff) + 1, true
		}
	}
	return 0, 0, false
}

// TIFF tags used here.
const (
	tagOrientation        = 0x0112
	tagExifIFD            = 0x8769
	tagGPSIFD             = 0x8825
	tagDateTimeOriginal   = 0x9003
	tagOffsetTimeOriginal = 0x9011
	tagGPSLatitudeRef     = 0x0001
	tagGPSLatitude        = 0x0002
	tagGPSLongitudeRef    = 0x0003
	tagGPSLongitude       = 0x0004
	tagGPSStatus          = 0x0009
)

// TIFF field types used here, and the size of one value of each.
const (
	typeByte      = 1
	typeASCII     = 2
	typeShort     = 3
	typeLong      = 4
	typeRational  = 5
	typeUndefined = 7
)

func typeSize(t uint16) int {
	switch t {
	case 1, 2, 6, 7: // BYTE, ASCII, SBYTE, UNDEFINED
		return 1
	case 3, 8: // SHORT, SSHORT
		return 2
	case 4, 9, 11: // LONG, SLONG, FLOAT
		return 4
	case 5, 10, 12: // RATIONAL, SRATIONAL, DOUBLE
		return 8
	}
	return 0
}

var errTIFF = errors.New("malformed EXIF")

type tiffReader struct {
	b  []byte
	bo binary.ByteOrder
}

type tiffEntry struct {
	typ  uint16
	n    int
	data []byte // n values of typ, in the file's byte order
}

// ifd reads the directory at off into a map from tag to entry; entries
// whose values lie outside the block are left out.
func (t tiffReader) ifd(off uint32) (map[uint16]tiffEntry, error) {
	if uint64(off)+2 > uint64(len(t.b)) {
		return nil, errTIFF
	}
	count := int(t.bo.Uint16(t.b[off:]))
	start := int(off) + 2
	if start+12*count > len(t.b) {
		return nil, errTIFF
	}
	out := make(map[uint16]tiffEntry, count)
	for k := range count {
		e := t.b[start+12*k : start+12*k+12]
		tag, typ := t.bo.Uint16(e), t.bo.Uint16(e[2:])
		n := uint64(t.bo.Uint32(e[4:]))
		size := uint64(typeSize(typ)) * n
		if size == 0 {
			continue
		}
		var data []byte
		if size <= 4 {
			data = e[8 : 8+size]
		} else {
			at := uint64(t.bo.Uint32(e[8:]))
			if at+size > uint64(len(t.b)) {
				continue
			}
			data = t.b[at : at+size]
		}
		out[tag] = tiffEntry{typ: typ, n: int(n), data: data}
	}
	return out, nil
}

// uint returns the i-th value of a BYTE, SHORT or LONG entry.
func (t tiffReader) uint(e tiffEntry, i int) (uint32, bool) {
	if i >= e.n {
		return 0, false
	}
	switch e.typ {
	case typeByte, typeUndefined:
		return uint32(e.data[i]), true
	case typeShort:
		return uint32(t.bo.Uint16(e.data[2*i:])), true
	case typeLong:
		return t.bo.Uint32(e.data[4*i:]), true
	}
	return 0, false
}

// rational returns the i-th value of a RATIONAL entry.
func (t tiffReader) rational(e tiffEntry, i int) (float64, bool) {
	if e.typ != typeRational || i >= e.n {
		return 0, false
	}
	num, den := t.bo.Uint32(e.data[8*i:]), t.bo.Uint32(e.data[8*i+4:])
	if den == 0 {
		return 0, false
	}
	return float64(num) / float64(den), true
}

// ascii returns an ASCII entry without its NUL terminator and padding.
func ascii(e tiffEntry) string {
	if e.typ != typeASCII && e.typ != typeUndefined {
		return ""
	}
	s := e.data
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(string(s))
}

// parseTIFF reads orientation, capture time and GPS position from an EXIF
// TIFF structure. Whatever is missing or malformed is left zero.
func parseTIFF(b []byte) exifInfo {
	var info exifInfo
	if len(b) < 8 {
		return info
	}
	t := tiffReader{b: b}
	switch string(b[:4]) {
	case "II*\x00":
		t.bo = binary.LittleEndian
	case "MM\x00*":
		t.bo = binary.BigEndian
	default:
		return info
	}
	ifd0, err := t.ifd(t.bo.Uint32(b[4:]))
	if err != nil {
		return info
	}
	if e, ok := ifd0[tagOrientation]; ok {
		if v, ok := t.uint(e, 0); ok && v >= 1 && v <= 8 {
			info.Orientation = int(v)
		}
	}
	if e, ok := ifd0[tagExifIFD]; ok {
		if off, ok := t.uint(e, 0); ok {
			if sub, err := t.ifd(off); err == nil {
				info.TakenAt = exifTime(ascii(sub[tagDateTimeOriginal]), ascii(sub[tagOffsetTimeOriginal]))
			}
		}
	}
	if e, ok := ifd0[tagGPSIFD]; ok {
		if off, ok := t.uint(e, 0); ok {
			if gps, err := t.ifd(off); err == nil {
				info.Lat, info.Lng, info.HasGPS = t.gpsPosition(gps)
			}
		}
	}
	return info
}

// gpsPosition reads latitude and longitude from a GPS directory.
func (t tiffReader) gpsPosition(gps map[uint16]tiffEntry) (lat, lng float64, ok bool) {
	if ascii(gps[tagGPSStatus]) == "V" { // measurement void
		return 0, 0, false
	}
	lat, ok1 := t.degrees(gps[tagGPSLatitude])
	lng, ok2 := t.degrees(gps[tagGPSLongitude])
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	if strings.EqualFold(ascii(gps[tagGPSLatitudeRef]), "S") {
		lat = -lat
	}
	if strings.EqualFold(ascii(gps[tagGPSLongitudeRef]), "W") {
		lng = -lng
	}
	if lat < -90 || lat > 90 || lng < -180 || lng > 180 || lat == 0 && lng == 0 {
		// 0,0 is what some cameras write without a fix.
		return 0, 0, false
	}
	return lat, lng, true
}

// degrees turns a degrees, minutes, seconds triple into decimal degrees.
func (t tiffReader) degrees(e tiffEntry) (float64, bool) {
	d, ok1 := t.rational(e, 0)
	m, ok2 := t.rational(e, 1)
	s, ok3 := t.rational(e, 2)
	if !ok1 || !ok2 || !ok3 {
		return 0, false
	}
	v := d + m/60 + s/3600
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// exifTime parses an EXIF date-time ("2006:01:02 15:04:05") with an
// optional offset ("+08:00"); without one it is China time. Blank or zero
// dates give the zero time.
func exifTime(dt, offset string) time.Time {
	if dt == "" {
		return time.Time{}
	}
	layouts := []string{"2006:01:02 15:04:05", "2006-01-02 15:04:05", "2006:01:02T15:04:05"}
	if len(offset) == len("+08:00") && (offset[0] == '+' || offset[0] == '-') {
		for _, l := range layouts {
			if t, err := time.Parse(l+"-07:00", dt+offset); err == nil {
				return t
			}
		}
	}
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, dt, calendar.Shanghai()); err == nil {
			return t
		}
	}
	return time.Time{}
}
