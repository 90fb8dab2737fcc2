package region_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/wenming-civic/wenming/internal/region"
)

// countrySources is the whole country from ../shared, or nil when the
// shared data is not checked out next to the repository.
func countrySources(b *testing.B) []region.Source {
	dir := filepath.Join("..", "..", "..", "shared", "data", "regions")
	var out []region.Source
	for _, name := range []string{"china-villages-2023.csv.gz", "china-streets-2023.csv.gz",
		"china-areas-2023.csv", "china-cities-2023.csv", "provinces.csv"} {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err != nil {
			b.Skipf("country data missing: %v", err)
		}
		out = append(out, region.FileSource(path))
	}
	return out
}

// BenchmarkImportCountry imports all ~665,000 regions of the country into
// an empty database ("first"), and again into a full one ("again", which
// must write nothing).
func BenchmarkImportCountry(b *testing.B) {
	sources := countrySources(b)
	ctx := context.Background()
	b.Run("first", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			s := newStore(b)
			b.StartTimer()
			rep, err := s.Import(ctx, sources)
			if err != nil {
				b.Fatal(err)
			}
			if rep.Inserted < 600_000 {
				b.Fatalf("inserted only %d", rep.Inserted)
			}
			b.ReportMetric(float64(rep.Inserted), "rows")
		}
	})
	b.Run("again", func(b *testing.B) {
		s := newStore(b)
		if _, err := s.Import(ctx, sources); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			rep, err := s.Import(ctx, sources)
			if err != nil {
				b.Fatal(err)
			}
			if rep.Inserted != 0 || rep.Updated != 0 {
				b.Fatalf("second import wrote: %+v", rep)
			}
		}
	})
}

// BenchmarkQueriesCountry times the tree queries on the whole country.
func BenchmarkQueriesCountry(b *testing.B) {
	sources := countrySources(b)
	ctx := context.Background()
	s := newStore(b)
	if _, err := s.Import(ctx, sources); err != nil {
		b.Fatal(err)
	}
	queries := []struct {
		name string
		run  func() (int, error)
	}{
		{"children/top", func() (int, error) { _, n, err := s.Children(ctx, "", 0, 50); return n, err }},
		{"children/province", func() (int, error) { _, n, err := s.Children(ctx, "41", 0, 50); return n, err }},
		{"children/street", func() (int, error) { _, n, err := s.Children(ctx, "410411001", 0, 50); return n, err }},
		{"ancestors", func() (int, error) { l, err := s.Ancestors(ctx, "410411001001"); return len(l), err }},
		{"search/country", func() (int, error) { _, n, err := s.Search(ctx, "", "湛河", 0, 50); return n, err }},
		{"search/city", func() (int, error) { _, n, err := s.Search(ctx, "4104", "社区", 0, 50); return n, err }},
		{"search/code", func() (int, error) { _, n, err := s.Search(ctx, "", "410411", 0, 50); return n, err }},
		{"count", func() (int, error) { m, err := s.Count(ctx); return len(m), err }},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				n, err := q.run()
				if err != nil || n == 0 {
					b.Fatalf("%d results, %v", n, err)
				}
			}
		})
	}
}
