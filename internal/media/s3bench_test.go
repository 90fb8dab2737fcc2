package media_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/wenming-civic/wenming/internal/db/dbtest"
	"github.com/wenming-civic/wenming/internal/media"
	"github.com/wenming-civic/wenming/internal/media/s3test"
)

// BenchmarkPhotoS3VsDisk uploads (Ingest: checks, decoding, the display
// and thumbnail copies, three blob writes and the row) and serves (the
// display copy read whole, as a page's photo is) a 1024×768 photo through
// the S3 store and, in the same iterations, through the disk store, the
// raw baseline. It reports each side's p50 and p99 in ms, its operations
// per second, and S3's p50 over disk's (x-raw).
//
//	WENMING_TEST_S3=… go test -run '^$' -bench PhotoS3VsDisk -benchtime 40x ./internal/media/
func BenchmarkPhotoS3VsDisk(b *testing.B) {
	ctx := context.Background()
	cfg := s3test.Config(b)
	s3, err := media.NewS3Store(cfg)
	if err != nil {
		b.Fatal(err)
	}
	d := dbtest.Open(b)
	sides := []struct {
		name string
		svc  *media.Service
	}{
		{"disk", &media.Service{Blobs: media.DiskStore{Dir: b.TempDir()}, DB: d, Limits: media.DefaultLimits()}},
		{"s3", &media.Service{Blobs: s3, DB: d, Limits: media.DefaultLimits()}},
	}
	base := benchPhoto(b)
	for _, op := range []string{"upload", "serve"} {
		b.Run(op, func(b *testing.B) {
			lat := make([][]time.Duration, len(sides))
			var hashes [2][]string
			if op == "serve" {
				// Something to serve: a few photos on each side.
				for i, s := range sides {
					for n := range 8 {
						p, err := s.svc.Ingest(ctx, bytes.NewReader(variant(base, "serve-"+s.name, n)), "bench.jpg")
						if err != nil {
							b.Fatal(err)
						}
						hashes[i] = append(hashes[i], p.Hash)
					}
				}
			}
			run := time.Now().UnixNano()
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				for i, s := range sides {
					began := time.Now()
					if op == "upload" {
						img := variant(base, s.name+"-"+time.Unix(0, run).Format(time.RFC3339Nano), n)
						if _, err := s.svc.Ingest(ctx, bytes.NewReader(img), "bench.jpg"); err != nil {
							b.Fatal(err)
						}
					} else {
						rc, err := s.svc.OpenDerived(ctx, hashes[i][n%len(hashes[i])], media.SizeDisplay)
						if err != nil {
							b.Fatal(err)
						}
						if _, err := io.Copy(io.Discard, rc); err != nil {
							b.Fatal(err)
						}
						rc.Close()
					}
					lat[i] = append(lat[i], time.Since(began))
				}
			}
			b.StopTimer()
			var p50s [2]float64
			for i, s := range sides {
				l := lat[i]
				slices.Sort(l)
				var sum time.Duration
				for _, x := range l {
					sum += x
				}
				p50s[i] = ms(l[len(l)/2])
				b.ReportMetric(p50s[i], s.name+"-p50-ms")
				b.ReportMetric(ms(l[min(len(l)-1, len(l)*99/100)]), s.name+"-p99-ms")
				b.ReportMetric(float64(len(l))/sum.Seconds(), s.name+"-ops/s")
			}
			b.ReportMetric(p50s[1]/p50s[0], "x-raw")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchPhoto is a photo-like 1024×768 JPEG (about 250 KB).
func benchPhoto(b *testing.B) []byte {
	rng := rand.New(rand.NewPCG(5, 6))
	img := image.NewRGBA(image.Rect(0, 0, 1024, 768))
	for y := range 768 {
		for x := range 1024 {
			n := uint8(rng.IntN(40))
			img.SetRGBA(x, y, color.RGBA{uint8(x/4) + n, uint8(y/3) + n, uint8((x+y)/8) + n, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 88}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// variant makes the n-th distinct copy of a JPEG: a comment segment
// changes its hash, not its pixels, so no upload is a duplicate.
func variant(base []byte, run string, n int) []byte {
	comment := []byte(run + " " + string(rune('a'+n%26)) + string(binary.BigEndian.AppendUint64(nil, uint64(n))))
	out := append([]byte{}, base[:2]...)
	out = append(out, 0xFF, 0xFE)
	out = binary.BigEndian.AppendUint16(out, uint16(len(comment)+2))
	out = append(out, comment...)
	return append(out, base[2:]...)
}
