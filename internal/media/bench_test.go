package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/jpeg"
	"testing"

	"golang.org/x/image/draw"
)

// BenchmarkIngest4MP ingests a 2000×2000 phone-like JPEG with EXIF: header
// checks, hashing, decoding, the display (1600 px) and thumbnail (320 px)
// copies, three blob writes to disk and the row. Each iteration's file
// differs by a comment segment so that none is a duplicate.
func BenchmarkIngest4MP(b *testing.B) {
	ctx := context.Background()
	s, _ := newService(b)
	base := withEXIF(encodeJPEGBytes(b, photoLike(2000, 2000, 42)), phoneEXIF(binary.LittleEndian, 6))
	b.SetBytes(int64(len(base)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		img := withSegment(base, 0xFE, binary.BigEndian.AppendUint64(nil, uint64(i)))
		if _, err := s.Ingest(ctx, bytes.NewReader(img), "bench.jpg"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIngest40MP ingests a photo at the pixel limit (7300×5475), the
// most memory one ingest takes. The noise in the test image makes the file
// larger than a real photo's, so the byte limit is raised.
func BenchmarkIngest40MP(b *testing.B) {
	ctx := context.Background()
	s, _ := newService(b)
	s.Limits.MaxBytes = 64 << 20
	base := encodeJPEGBytes(b, photoLike(7300, 5475, 43))
	b.SetBytes(int64(len(base)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		img := withSegment(base, 0xFE, binary.BigEndian.AppendUint64(nil, uint64(i)))
		if _, err := s.Ingest(ctx, bytes.NewReader(img), "bench.jpg"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScale compares golang.org/x/image/draw's kernels with resample
// for the display copy of a 4 MP photo (2000² → 1600²) and the thumbnail
// made from it (1600² → 320²).
func BenchmarkScale(b *testing.B) {
	src, err := jpeg.Decode(bytes.NewReader(encodeJPEGBytes(b, photoLike(2000, 2000, 42))))
	if err != nil {
		b.Fatal(err)
	}
	display := resample(src, 1600, 1600)
	for _, k := range []struct {
		name   string
		kernel draw.Interpolator
	}{{"CatmullRom", draw.CatmullRom}, {"ApproxBiLinear", draw.ApproxBiLinear}, {"BiLinear", draw.BiLinear}} {
		for _, c := range []struct {
			name string
			src  image.Image
			size int
		}{{"display", src, 1600}, {"thumb", display, 320}} {
			b.Run("x-image-"+k.name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					dst := image.NewRGBA(image.Rect(0, 0, c.size, c.size))
					k.kernel.Scale(dst, dst.Bounds(), c.src, c.src.Bounds(), draw.Src, nil)
				}
			})
		}
	}
	for _, c := range []struct {
		name string
		src  image.Image
		size int
	}{{"display", src, 1600}, {"thumb", display, 320}} {
		b.Run("resample/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				resample(c.src, c.size, c.size)
			}
		})
	}
}

// BenchmarkDecode4MP is the part of an ingest no choice here can change.
func BenchmarkDecode4MP(b *testing.B) {
	data := encodeJPEGBytes(b, photoLike(2000, 2000, 42))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
