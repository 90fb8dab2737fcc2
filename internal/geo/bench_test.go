package geo_test

import (
	"math/rand/v2"
	"testing"

	"github.com/wenming-civic/wenming/internal/geo"
)

// A city-sized area around Pingdingshan: 0.2° is about 18.5 km east-west
// and 22 km north-south, so 20,000 grids average about 140 m across.
var (
	benchCenter = geo.Point{Lng: 113.3, Lat: 33.7}
	benchSpan   = 0.2
)

// benchAreas is 20,000 grids plus their 200 communities.
func benchAreas(b *testing.B) []geo.Area {
	b.Helper()
	areas := withCommunities(geo.SyntheticGrids(1, 20_000, benchCenter, benchSpan))
	if len(areas) != 20_200 {
		b.Fatalf("got %d areas, want 20200", len(areas))
	}
	return areas
}

// benchPoints are random points over the square and a 5% margin around
// it, so a few miss everything.
func benchPoints() []geo.Point {
	rng := rand.New(rand.NewPCG(11, 13))
	pts := make([]geo.Point, 1<<14)
	for i := range pts {
		pts[i] = geo.Point{
			Lng: benchCenter.Lng + 1.1*benchSpan*(rng.Float64()-0.5),
			Lat: benchCenter.Lat + 1.1*benchSpan*(rng.Float64()-0.5),
		}
	}
	return pts
}

func BenchmarkLocate20k(b *testing.B) {
	ix := geo.NewIndex(benchAreas(b))
	pts := benchPoints()
	b.ReportAllocs()
	b.ResetTimer()
	found := 0
	for i := 0; b.Loop(); i++ {
		if _, ok := ix.Locate(pts[i&(len(pts)-1)]); ok {
			found++
		}
	}
	if found == 0 {
		b.Fatal("nothing located")
	}
}

func BenchmarkLocate20kParallel(b *testing.B) {
	ix := geo.NewIndex(benchAreas(b))
	pts := benchPoints()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.IntN(len(pts))
		for pb.Next() {
			ix.Locate(pts[i&(len(pts)-1)])
			i++
		}
	})
}

func BenchmarkBuild20k(b *testing.B) {
	areas := benchAreas(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if ix := geo.NewIndex(areas); ix.Len() != len(areas) {
			b.Fatalf("Len = %d", ix.Len())
		}
	}
}

func BenchmarkSyntheticGrids20k(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		geo.SyntheticGrids(1, 20_000, benchCenter, benchSpan)
	}
}

func BenchmarkWGS84ToGCJ02(b *testing.B) {
	p := geo.Point{Lng: 113.3, Lat: 33.7}
	for b.Loop() {
		geo.WGS84ToGCJ02(p)
	}
}

func BenchmarkGCJ02ToWGS84(b *testing.B) {
	p := geo.Point{Lng: 113.3, Lat: 33.7}
	for b.Loop() {
		geo.GCJ02ToWGS84(p)
	}
}
