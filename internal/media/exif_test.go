package media

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"testing"
	"time"
)

func TestExifTime(t *testing.T) {
	for _, c := range []struct {
		dt, offset string
		want       time.Time
	}{
		{"2024:05:01 09:30:00", "", time.Date(2024, 5, 1, 1, 30, 0, 0, time.UTC)},
		{"2024:05:01 09:30:00", "+09:00", time.Date(2024, 5, 1, 0, 30, 0, 0, time.UTC)},
		{"2024:05:01 09:30:00", "-05:00", time.Date(2024, 5, 1, 14, 30, 0, 0, time.UTC)},
		{"2024:05:01 09:30:00", "bogus!", time.Date(2024, 5, 1, 1, 30, 0, 0, time.UTC)},
		{"2024-05-01 09:30:00", "", time.Date(2024, 5, 1, 1, 30, 0, 0, time.UTC)},
		{"0000:00:00 00:00:00", "", time.Time{}},
		{"    :  :     :  :  ", "", time.Time{}},
		{"", "+08:00", time.Time{}},
		{"yesterday", "", time.Time{}},
	} {
		if got := exifTime(c.dt, c.offset); !got.Equal(c.want) {
			t.Errorf("exifTime(%q, %q) = %v, want %v", c.dt, c.offset, got, c.want)
		}
	}
}

func TestParseTIFF(t *testing.T) {
	le := binary.LittleEndian
	for _, c := range []struct {
		name string
		tiff []byte
		want exifInfo
	}{
		{"south-west with offset", buildTIFF(le, nil,
			[]tiffField{asciiField(tagDateTimeOriginal, "2023:12:31 23:59:59"), asciiField(tagOffsetTimeOriginal, "+00:00")},
			[]tiffField{
				asciiField(tagGPSLatitudeRef, "S"),
				rationalField(le, tagGPSLatitude, [2]uint32{33, 1}, [2]uint32{30, 1}, [2]uint32{0, 1}),
				asciiField(tagGPSLongitudeRef, "W"),
				rationalField(le, tagGPSLongitude, [2]uint32{70, 1}, [2]uint32{0, 1}, [2]uint32{36, 1}),
			}),
			exifInfo{TakenAt: time.Date(2023, 12, 31, 23, 59, 59, 0, time.UTC), Lat: -33.5, Lng: -70.01, HasGPS: true}},
		{"void fix", buildTIFF(le, nil, nil, []tiffField{
			asciiField(tagGPSStatus, "V"),
			rationalField(le, tagGPSLatitude, [2]uint32{33, 1}, [2]uint32{0, 1}, [2]uint32{0, 1}),
			rationalField(le, tagGPSLongitude, [2]uint32{113, 1}, [2]uint32{0, 1}, [2]uint32{0, 1}),
		}), exifInfo{}},
		{"zero position", buildTIFF(le, nil, nil, []tiffField{
			rationalField(le, tagGPSLatitude, [2]uint32{0, 1}, [2]uint32{0, 1}, [2]uint32{0, 1}),
			rationalField(le, tagGPSLongitude, [2]uint32{0, 1}, [2]uint32{0, 1}, [2]uint32{0, 1}),
		}), exifInfo{}},
		{"zero denominator", buildTIFF(le, nil, nil, []tiffField{
			rationalField(le, tagGPSLatitude, [2]uint32{33, 0}, [2]uint32{0, 1}, [2]uint32{0, 1}),
			rationalField(le, tagGPSLongitude, [2]uint32{113, 1}, [2]uint32{0, 1}, [2]uint32{0, 1}),
		}), exifInfo{}},
		{"latitude out of range", buildTIFF(le, nil, nil, []tiffField{
			rationalField(le, tagGPSLatitude, [2]uint32{95, 1}, [2]uint32{0, 1}, [2]uint32{0, 1}),
			rationalField(le, tagGPSLongitude, [2]uint32{113, 1}, [2]uint32{0, 1}, [2]uint32{0, 1}),
		}), exifInfo{}},
		{"orientation out of range", buildTIFF(le, []tiffField{shortField(le, tagOrientation, 9)}, nil, nil), exifInfo{}},
		{"orientation as LONG", buildTIFF(le, []tiffField{{tagOrientation, typeLong, 1, le.AppendUint32(nil, 3)}}, nil, nil),
			exifInfo{Orientation: 3}},
		{"not TIFF", []byte("MM\x00\x2b\x00\x00\x00\x08"), exifInfo{}},
		{"IFD offset past the end", []byte("II*\x00\xff\xff\xff\xff"), exifInfo{}},
		{"empty", nil, exifInfo{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := parseTIFF(c.tiff)
			if !got.TakenAt.Equal(c.want.TakenAt) || got.Orientation != c.want.Orientation ||
				got.HasGPS != c.want.HasGPS || abs(int((got.Lat-c.want.Lat)*1e9)) > 1 || abs(int((got.Lng-c.want.Lng)*1e9)) > 1 {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestJPEGEXIFAmongOtherSegments(t *testing.T) {
	jpg := encodeJPEGBytes(t, halves(16, 16))
	// An XMP APP1 first, then EXIF, behind a JFIF-like APP0 and a comment.
	j := withEXIF(jpg, phoneEXIF(binary.BigEndian, 3))
	j = withSegment(j, 0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>"))
	j = withSegment(j, 0xFE, []byte("comment"))
	j = withSegment(j, 0xE0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))
	if got := readEXIF("jpeg", j); got.Orientation != 3 || !got.HasGPS {
		t.Errorf("got %+v", got)
	}
	if _, _, err := image.Decode(bytes.NewReader(j)); err != nil {
		t.Fatalf("test JPEG does not decode: %v", err)
	}
	if got := readEXIF("jpeg", jpg); got != (exifInfo{}) {
		t.Errorf("plain JPEG: %+v", got)
	}
	if n := jpegScans(j); n != 1 {
		t.Errorf("%d scans, want 1", n)
	}
}

// FuzzParseTIFF checks that no EXIF block, however malformed, panics.
func FuzzParseTIFF(f *testing.F) {
	f.Add(phoneEXIF(binary.LittleEndian, 6))
	f.Add(phoneEXIF(binary.BigEndian, 8))
	f.Add([]byte("II*\x00\x08\x00\x00\x00\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		info := parseTIFF(b)
		if info.HasGPS && (info.Lat < -90 || info.Lat > 90 || info.Lng < -180 || info.Lng > 180) {
			t.Errorf("position out of range: %+v", info)
		}
	})
}

// FuzzContainers checks that the JPEG, PNG and WebP walkers never panic.
func FuzzContainers(f *testing.F) {
	f.Add(withEXIF(encodeJPEGBytes(f, halves(8, 8)), phoneEXIF(binary.LittleEndian, 6)))
	f.Add(pngHeaderOnly(10, 10))
	f.Add(riffWebP(vp8x(8, 3, 2), riffChunk{"VP8L", vp8lSolid(3, 2, color.NRGBA{200, 30, 60, 255})}, riffChunk{"EXIF", phoneEXIF(binary.BigEndian, 1)}))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, format := range []string{"jpeg", "png", "webp"} {
			readEXIF(format, b)
		}
		jpegScans(b)
		webpFrameSize(b)
	})
}
